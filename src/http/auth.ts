import { GraphQLError, Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import type { Logger } from '../logger.ts';
import type { Actor } from '../shared/actor.ts';
import { maskUnexpected } from './errors.ts';

/**
 * The key from `Authorization: Bearer <key>`; undefined when the header is absent or names no key
 * (`Bearer ` alone, which GraphiQL sends until the key is pasted: its schema still loads); null
 * when it is malformed.
 */
export function bearerToken(request: Request): string | undefined | null {
  const header = request.headers.get('authorization');
  if (header === null || /^Bearer\s*$/i.test(header)) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } },
  });
}

/**
 * Who sends a request, found once per request: undefined without an Authorization header, the
 * actor for a known key, and a 401 for a malformed header or an unknown or revoked key. A failed
 * lookup (the database down) is masked and logged with the request id here, since it happens
 * before execution, where no other plugin would see it.
 */
export function requestAuthenticator(
  authenticate: (apiKey: string) => Promise<Actor | null>,
  log: Logger,
  requestIdOf: (request: Request) => string,
): (request: Request) => Promise<Actor | null> {
  const actors = new WeakMap<Request, Promise<Actor | null>>();
  const authenticateRequest = async (request: Request): Promise<Actor | null> => {
    const token = bearerToken(request);
    if (token === null) throw unauthenticated('Malformed Authorization header: expected "Bearer <apiKey>".');
    if (token === undefined) return null;
    let actor: Actor | null;
    try {
      actor = await authenticate(token);
    } catch (error) {
      throw maskUnexpected(error, requestIdOf(request), log, { beforeExecution: true });
    }
    if (!actor) throw unauthenticated('Unknown or revoked API key.');
    return actor;
  };
  return (request) => {
    let actor = actors.get(request);
    if (!actor) actors.set(request, (actor = authenticateRequest(request)));
    return actor;
  };
}

/**
 * Looks the key up before the body is read: a request with a wrong key is refused with 401
 * having cost its headers only, where it would otherwise be read (up to 21 MB) and
 * parsed first. (A request without a key has its own small body limit, in limits.ts.)
 */
export function useAuthenticationBeforeBody(actorOf: (request: Request) => Promise<Actor | null>): Plugin {
  return {
    async onRequestParse({ request }) {
      await actorOf(request);
    },
  };
}

/**
 * Only questions about the schema may run without a key: introspection, so GraphiQL can show the
 * schema before a key is entered, and federation's `_service { sdl }`, which a gateway asks when
 * it composes, before any user's request. Both reveal the schema and no data. Every other
 * operation without a key, `_entities` included, is refused with 401.
 */
export function useRequireActor(): Plugin<GraphQLContext> {
  const requireActor: OperationCheck = ({ args, setResultAndStopExecution }) => {
    if (args.contextValue.actor) return;
    if (asksOnlyForSchema(args.document, args.operationName)) return;
    setResultAndStopExecution({
      errors: [unauthenticated('Authentication required: send Authorization: Bearer <apiKey>.')],
    });
  };
  // Subscriptions take the onSubscribe path, not onExecute: both must be guarded.
  return { onExecute: requireActor, onSubscribe: requireActor };
}

/** A check that runs before an operation's resolvers, for queries and mutations and for subscriptions alike. */
export type OperationCheck = (payload: {
  args: { contextValue: GraphQLContext; document: DocumentNode; operationName?: string | null; schema: GraphQLSchema; variableValues?: unknown };
  setResultAndStopExecution(result: { errors: readonly GraphQLError[] }): void;
}) => void;

function asksOnlyForSchema(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName
    ? operations.find((candidate) => candidate.name?.value === operationName)
    : operations[0];
  if (!operation || operation.operation !== 'query') return false;
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition.selectionSet] as const] : [],
    ),
  );
  const onlyMeta = (selectionSet: SelectionSetNode, seen: Set<string>): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__') || selection.name.value === '_service';
      if (selection.kind === Kind.INLINE_FRAGMENT) return onlyMeta(selection.selectionSet, seen);
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) return false;
      return onlyMeta(fragment, new Set([...seen, name]));
    });
  return onlyMeta(operation.selectionSet, new Set());
}
