/**
 * A growing byte buffer that NDJSON rows are encoded into as UTF-8, line by
 * line (block-rows.ts), reused from file to file by one thread: no string
 * of a whole file's rows, and no buffer allocated per file but the shared
 * one the rows leave in.
 */
export type ByteSink = { bytes: Uint8Array; at: number };

const encoder = new TextEncoder();

/** Above this a sink is given back after use: one huge page must not pin its buffer for the worker's life. */
const KEPT_BYTES = 8 << 20;
const INITIAL_BYTES = 64 << 10;

export function byteSink(): ByteSink {
  return { bytes: new Uint8Array(INITIAL_BYTES), at: 0 };
}

/** Empties the sink, dropping a buffer grown past KEPT_BYTES. */
export function resetSink(sink: ByteSink): void {
  sink.at = 0;
  if (sink.bytes.byteLength > KEPT_BYTES) sink.bytes = new Uint8Array(INITIAL_BYTES);
}

/** Room for `n` more bytes. */
export function reserve(sink: ByteSink, n: number): void {
  const need = sink.at + n;
  if (need <= sink.bytes.byteLength) return;
  const grown = new Uint8Array(Math.max(need, 2 * sink.bytes.byteLength));
  grown.set(sink.bytes.subarray(0, sink.at));
  sink.bytes = grown;
}

export function putBytes(sink: ByteSink, bytes: Uint8Array): void {
  const n = bytes.byteLength;
  reserve(sink, n);
  const b = sink.bytes;
  const at = sink.at;
  // TypedArray#set has a fixed cost that a loop beats for the short literals written per field.
  if (n > 64) b.set(bytes, at);
  else for (let i = 0; i < n; i++) b[at + i] = bytes[i] as number;
  sink.at = at + n;
}

/** Text that is already JSON (escaped), as UTF-8. */
export function putJsonText(sink: ByteSink, json: string): void {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  reserve(sink, 3 * json.length);
  sink.at += encoder.encodeInto(json, sink.bytes.subarray(sink.at)).written;
}
