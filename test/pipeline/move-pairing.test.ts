import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { IndexedFileState } from "../../src/index/index-writer.ts";
import { ManualClock } from "../../src/pipeline/clock.ts";
import { IndexView } from "../../src/pipeline/index-view.ts";
import { MAX_MOVE_CANDIDATES, MovePairing } from "../../src/pipeline/move-pairing.ts";

const CHECKSUM = "f".repeat(64);
const row = (path: string): IndexedFileState => ({ path, size: 3, mtime: 1, checksum: CHECKSUM, status: "indexed", error: null, idSeed: path });

/** `count` indexed files of one content (empty journals, say); those in `gone` are no longer on disk. */
async function pairing(count: number, gone: readonly number[]): Promise<{ moves: MovePairing; paths: string[]; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "sync-pipeline-move-pairing-"));
  await mkdir(join(root, "journals"));
  const paths = Array.from({ length: count }, (_, i) => `journals/2020_01_${String(i).padStart(2, "0")}.md`);
  for (const [i, path] of paths.entries()) if (!gone.includes(i)) await writeFile(join(root, path), "- \n");
  // No cache: the index answers, in its own order (the paths' order here).
  const reads = {
    rows: async (wanted?: readonly string[]) => paths.filter((path) => wanted === undefined || wanted.includes(path)).map(row),
    withChecksum: async (checksum: string) => (checksum === CHECKSUM ? paths.map(row) : []),
  };
  const view = new IndexView(paths.map(row), { maxBytes: 0, reads });
  const moves = new MovePairing({
    clock: new ManualClock(), graphRoot: root, view, pairWindowMs: 100, maxPairWaitMs: 1000,
    paused: () => false, busy: () => false, writeDelete: async () => {}, changed: () => {},
  });
  return { moves, paths, cleanup: () => rm(root, { recursive: true, force: true }) };
}

test("a new file's move is looked for among the indexed files of its content that are gone, the first few of them", async () => {
  const { moves, paths, cleanup } = await pairing(MAX_MOVE_CANDIDATES + 8, [3, MAX_MOVE_CANDIDATES + 2]);
  try {
    // A scan's file: only the files the scan found gone (registered) are moves, and none is registered.
    assert.equal(await moves.claimMove(CHECKSUM, { vanishedOnly: true }), undefined);
    // An event's file: the indexed files of its content are walked, the first MAX_MOVE_CANDIDATES only.
    assert.equal((await moves.claimMove(CHECKSUM))?.path, paths[3]);
    assert.equal(await moves.claimMove(CHECKSUM), undefined, "the other gone file is past the candidates walked");
    // Registered by the scan that found it gone: found at once, whatever its place.
    moves.register(paths[MAX_MOVE_CANDIDATES + 2] as string, row(paths[MAX_MOVE_CANDIDATES + 2] as string));
    assert.equal((await moves.claimMove(CHECKSUM, { vanishedOnly: true }))?.path, paths[MAX_MOVE_CANDIDATES + 2]);
  } finally {
    await cleanup();
  }
});
