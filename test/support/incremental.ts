/** One result of an incremental (@defer/@stream) response: the first, then the subsequent ones. */
export interface IncrementalPayload {
  data?: unknown;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  incremental?: { data?: unknown; items?: unknown[]; path: (string | number)[]; errors?: IncrementalPayload['errors'] }[];
  hasNext?: boolean;
}

/**
 * Reads a response as its parts arrive, multipart/mixed or text/event-stream alike: each JSON
 * result is yielded as soon as its bytes are in, so a test can act between two of them.
 */
export async function* incrementalPayloads(response: Response): AsyncGenerator<IncrementalPayload> {
  const contentType = response.headers.get('content-type') ?? '';
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const next = async (): Promise<boolean> => {
    const { value, done } = await reader.read();
    if (done) return false;
    buffer += value;
    return true;
  };
  if (contentType.startsWith('multipart/mixed')) {
    const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
    if (!boundary) throw new Error(`No boundary in ${contentType}`);
    const delimiter = `\r\n--${boundary}`;
    // Each part: headers, a blank line, the JSON body, up to the next delimiter.
    for (;;) {
      const headersEnd = buffer.indexOf('\r\n\r\n');
      const bodyEnd = headersEnd === -1 ? -1 : buffer.indexOf(delimiter, headersEnd);
      if (bodyEnd !== -1) {
        yield JSON.parse(buffer.slice(headersEnd + 4, bodyEnd)) as IncrementalPayload;
        buffer = buffer.slice(bodyEnd + delimiter.length);
        continue;
      }
      if (!(await next())) return;
    }
  }
  if (contentType.startsWith('text/event-stream')) {
    for (;;) {
      const eventEnd = buffer.indexOf('\n\n');
      if (eventEnd !== -1) {
        const lines = buffer.slice(0, eventEnd).split('\n');
        buffer = buffer.slice(eventEnd + 2);
        const event = lines.find((line) => line.startsWith('event:'))?.slice('event:'.length).trim();
        const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice('data:'.length).trim()).join('\n');
        if (event === 'complete') return;
        if (event === 'next' && data) yield JSON.parse(data) as IncrementalPayload;
        continue;
      }
      if (!(await next())) return;
    }
  }
  throw new Error(`Not an incremental response: ${response.status} ${contentType} ${await response.text()}`);
}

export async function allPayloads(response: Response): Promise<IncrementalPayload[]> {
  const payloads: IncrementalPayload[] = [];
  for await (const payload of incrementalPayloads(response)) payloads.push(payload);
  return payloads;
}
