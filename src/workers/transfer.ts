import { move, transferableSymbol, valueSymbol } from "piscina";

/**
 * Returns `value` from a worker with `buffers` transferred, not copied
 * (Piscina's Transferable protocol: a bare `move()` only works on a buffer
 * itself, not on an object holding one).
 */
export function withTransfer<T>(value: T, buffers: ArrayBuffer[]): T {
  return move({
    get [transferableSymbol]() {
      return buffers;
    },
    get [valueSymbol]() {
      return value;
    },
  } as never) as T;
}

/** What `withTransfer` wraps, when a worker's export is called on the caller's own thread (tests). */
export function transferredValue<T>(result: T): T {
  const wrapped = result as { [valueSymbol]?: T } | null;
  return wrapped !== null && typeof wrapped === "object" && valueSymbol in wrapped ? (wrapped[valueSymbol] as T) : result;
}

/** A standalone ArrayBuffer holding exactly these bytes (copying only when they are a view into a larger one). */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
