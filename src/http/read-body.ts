/**
 * A request's body read whole, showing each chunk to `refuse` as it arrives: when `refuse` returns
 * an error, the rest is not read and that error is thrown. What the body limits share (the
 * anonymous size limit in limits.ts, the nesting scan in input-nesting.ts).
 */
export async function readBodyUnless(
  request: Request,
  refuse: (chunk: Uint8Array, bytesSoFar: number) => Error | undefined,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    const refusal = refuse(value, total);
    if (refusal) {
      await reader.cancel();
      throw refusal;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
