import { GraphQLError, Kind, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { OperationCheck } from './auth.ts';
import { readBodyUnless } from './read-body.ts';

/**
 * How deep JSON objects and lists may nest in a request: its JSON body (the body itself is the
 * first level, `variables` the second), a multipart request's `operations`, the variables of an
 * operation however they came (GET, WebSocket), and the object and list values written in the
 * document. Far above any real input (a PersonFilter at its own limit of 10 takes 20 levels, a
 * JSON argument at most 32), and far below what overflows the stack: graphql-js coerces variables
 * and reads literals recursively, and so do the checks of arguments after it.
 */
export const maxInputNesting = 64;

export function inputTooDeep(where: string): GraphQLError {
  return new GraphQLError(`${where} nests objects and lists more than ${maxInputNesting} levels deep; at most ${maxInputNesting} are allowed.`, {
    extensions: { code: 'BAD_USER_INPUT', kind: 'nesting', max: maxInputNesting },
  });
}

/**
 * How deep JSON text nests objects and lists, followed as the text comes: one pass, no recursion,
 * no allocation, fed bytes of UTF-8 or a string's code units alike (the characters it looks for
 * are ASCII, and no byte of a multi-byte UTF-8 character is ASCII). Run before JSON.parse, which
 * takes seconds for a body nested a million levels deep. Text that is not JSON is left for the
 * parser to refuse.
 */
export class JsonNestingScan {
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly max: number) {}

  /** Feeds the next part of the text; true as soon as it has nested deeper than `max`. */
  nestsTooDeepAfter(part: Uint8Array | string): boolean {
    const bytes = typeof part === 'string' ? undefined : part;
    for (let index = 0; index < part.length; index += 1) {
      const code = bytes ? bytes[index]! : (part as string).charCodeAt(index);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (code === 0x5c /* \ */) this.escaped = true;
        else if (code === 0x22 /* " */) this.inString = false;
      } else if (code === 0x22) {
        this.inString = true;
      } else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
        this.depth += 1;
        if (this.depth > this.max) return true;
      } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
        this.depth -= 1;
      }
    }
    return false;
  }
}

/**
 * Whether a parsed value nests objects and lists more than `max` levels deep, counting `value`
 * itself as level `startDepth` when it is an object or a list. Iterative (an explicit stack), each
 * value visited at most once.
 */
export function valueNestsDeeperThan(value: unknown, max: number, startDepth = 1): boolean {
  const stack: [unknown, number][] = [[value, startDepth]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > max) return true;
    // A File or Blob (an upload) is a leaf, whatever its own properties.
    if (current instanceof Blob) continue;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Bounds the nesting of JSON and multipart request bodies before they are parsed (a JSON body is
 * scanned as text; a multipart request's `operations` field once the form is read), and of every
 * operation's variables before anything walks them (GET and WebSocket operations too). Over the
 * bound: BAD_USER_INPUT `kind: nesting`.
 */
export function useInputNestingLimit(): Plugin[] {
  const checkVariables = ({ args, setResultAndStopExecution }: Pick<Parameters<OperationCheck>[0], 'setResultAndStopExecution'> & { args: { variableValues?: unknown } }) => {
    // The variables object is the second level of a request body.
    if (valueNestsDeeperThan(args.variableValues, maxInputNesting, 2)) {
      setResultAndStopExecution({ errors: [inputTooDeep('The variables')] });
    }
  };
  return [
    {
      onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
        if (!requestParser || request.method !== 'POST') return;
        const contentType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        const parse = requestParser;
        if (contentType === 'application/json' || contentType === 'application/graphql+json') {
          setRequestParser(async (original) => {
            const body = await readUnlessTooDeep(original);
            return parse(new fetchAPI.Request(original.url, { method: original.method, headers: original.headers, body }));
          });
        } else if (contentType === 'multipart/form-data') {
          setRequestParser(async (original) => {
            let form: FormData;
            try {
              form = await original.formData();
            } catch (error) {
              // Refused as yoga's parser refuses it (413 for a body too large, 400 otherwise).
              return parse(withFormData(original, () => Promise.reject(error)));
            }
            const operations = form.get('operations');
            if (typeof operations === 'string' && new JsonNestingScan(maxInputNesting).nestsTooDeepAfter(operations)) {
              throw inputTooDeep('The "operations" field');
            }
            return parse(withFormData(original, () => Promise.resolve(form)));
          });
        }
      },
    },
    { onExecute: checkVariables, onSubscribe: checkVariables, onValidate: ({ addValidationRule }) => addValidationRule(literalNestingRule) },
  ];
}

/** A JSON body, read whole, or BAD_USER_INPUT as soon as it nests too deep (the rest is not read). */
function readUnlessTooDeep(request: Request): Promise<Uint8Array<ArrayBuffer>> {
  const scan = new JsonNestingScan(maxInputNesting);
  return readBodyUnless(request, (chunk) => (scan.nestsTooDeepAfter(chunk) ? inputTooDeep('The request body') : undefined));
}

/**
 * The request as yoga's multipart parser sees it: that parser reads a request only through
 * formData(), so it is handed the form already read rather than the upload being read twice.
 */
function withFormData(request: Request, readForm: () => Promise<FormData>): Request {
  return new Proxy(request, {
    get: (target, property) => (property === 'formData' ? readForm : Reflect.get(target, property, target)),
  });
}

/**
 * Object and list values written in the document (arguments, variables' defaults) nest at most
 * maxInputNesting levels. (The document's token limit bounds them too, to a few hundred levels.)
 */
const literalNestingRule: ValidationRule = (context) => {
  let depth = 0;
  let reported = false;
  const enter = () => {
    depth += 1;
    if (depth > maxInputNesting && !reported) {
      reported = true;
      context.reportError(inputTooDeep('A value in the document'));
    }
  };
  const leave = () => {
    depth -= 1;
  };
  return {
    [Kind.OBJECT]: { enter, leave },
    [Kind.LIST]: { enter, leave },
  };
};
