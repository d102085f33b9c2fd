import type { Pools } from "../../src/bulkheads/pools.ts";

export type HeldReads = {
  /** Holds every read from now on (until `release()`). */
  arm(): void;
  /** Holds the reads of this path from now on (until `release(path)`). */
  hold(path: string): void;
  /** Resolves once `count` reads are held, or once a read of `path` is. */
  held(what: number | string): Promise<void>;
  /** Lets the held reads of `path` go and stops holding it; with no path, every read, and disarms. */
  release(path?: string): void;
};

/**
 * Holds what the hashing and parsing bulkheads return (the file already
 * read) until released: a sync stays in flight, past its read, for as long
 * as a test needs, with the real threads and DuckDB file. A read is held
 * while armed, or when its task names a path being held.
 */
export function holdReads(pools: Pools): HeldReads {
  let armed = false;
  const paths = new Set<string>();
  let waiting: { path: string | undefined; resolve: () => void }[] = [];
  let arrived = () => {};
  for (const bulkhead of [pools.hashing, pools.parsing]) {
    const run = bulkhead.run.bind(bulkhead);
    bulkhead.run = async <T>(task: unknown, options?: { name?: string; transferList?: ArrayBuffer[] }): Promise<T> => {
      const out = await run<T>(task, options);
      const text = paths.size === 0 ? "" : JSON.stringify(task);
      const path = [...paths].find((p) => text.includes(JSON.stringify(p)));
      if (armed || path !== undefined) {
        await new Promise<void>((resolve) => {
          waiting.push({ path, resolve });
          arrived();
        });
      }
      return out;
    };
  }
  const isHeld = (what: number | string) => (typeof what === "number" ? waiting.length >= what : waiting.some((w) => w.path === what));
  return {
    arm: () => void (armed = true),
    hold: (path) => void paths.add(path),
    held: async (what) => {
      while (!isHeld(what)) await new Promise<void>((resolve) => (arrived = resolve));
    },
    release: (path) => {
      if (path === undefined) {
        armed = false;
        paths.clear();
      } else {
        paths.delete(path);
      }
      const going = waiting.filter((w) => path === undefined || w.path === path);
      waiting = waiting.filter((w) => !going.includes(w));
      for (const w of going) w.resolve();
    },
  };
}
