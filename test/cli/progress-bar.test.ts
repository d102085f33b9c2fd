import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { filesFinished, SyncProgressBar } from "../../src/cli/progress.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";
import { emptySummary } from "../../src/pipeline/sync-summary.ts";
import { screenLines } from "./pseudo-terminal.ts";

/** A terminal that records what is drawn on it (cli-progress only draws on a stream that says it is a TTY). */
function recordingTerminal(): { stream: NodeJS.WriteStream; drawn: () => string } {
  let drawn = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      drawn += chunk.toString("utf8");
      callback();
    },
  });
  Object.assign(stream, { isTTY: true, columns: 120 });
  return { stream: stream as unknown as NodeJS.WriteStream, drawn: () => drawn };
}

/** Waits for cli-progress's timer to draw (it draws every 100 ms); fails rather than hang when it never does. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`never drawn: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test("each domain event finishes the files on disk it stands for", () => {
  assert.equal(filesFinished({ type: "FileIndexed", path: "a.md", blocks: 1, warnings: [] }), 1);
  assert.equal(filesFinished({ type: "FileSyncFailed", path: "a.md", status: "skipped", reason: "too large" }), 1);
  assert.equal(filesFinished({ type: "FileChanged", path: "b.md", change: "rename", from: "a.md" }), 1);
  assert.equal(filesFinished({ type: "FileChanged", path: "a.md", change: "delete" }), 0);
  assert.equal(filesFinished({ type: "ConflictDetected", id: 1, conflict: "pageNameClash", name: "a", paths: ["a.md", "A.md"], strategy: "filesystem", status: "resolved" }), 0);
  assert.equal(filesFinished({ type: "SyncStarted", files: 3, unchanged: 0, at: 0 }), 0);
});

test("a line logged while the bar is drawn appears whole above it, and the bar ends at its total", async () => {
  const terminal = recordingTerminal();
  const bar = new SyncProgressBar(terminal.stream, { now: () => 0 });
  bar.onEvent({ type: "SyncStarted", files: 4, unchanged: 0, at: 0 });
  bar.onEvent({ type: "FileIndexed", path: "a.md", blocks: 1, warnings: [] });
  bar.onEvent({ type: "FileChanged", path: "gone.md", change: "delete" });
  await until(() => /Syncing .* 1\/4 files/.test(terminal.drawn()), "1/4");
  // Logged just before the end: only the final redraw can show it.
  bar.log("skipped: b.md: too large\n");
  bar.onEvent({ type: "SyncCompleted", summary: { ...emptySummary(), files: 4 } satisfies SyncSummary });
  assert.deepEqual(screenLines(terminal.drawn()), [
    "skipped: b.md: too large",
    `Syncing [${"=".repeat(30)}] 4/4 files | 0.0 files/s | ETA 0s`,
  ]);
  bar.stop(); // a second stop draws nothing more
  assert.equal(screenLines(terminal.drawn()).length, 2);
});

test("before SyncStarted, log writes straight to the terminal", () => {
  const terminal = recordingTerminal();
  const bar = new SyncProgressBar(terminal.stream);
  bar.log("warning: logseq/config.edn: odd\n");
  assert.equal(terminal.drawn(), "warning: logseq/config.edn: odd\n");
  bar.stop();
});

test("unchanged files are done from the start and do not count in the rate", async () => {
  const terminal = recordingTerminal();
  let now = 0;
  const bar = new SyncProgressBar(terminal.stream, { now: () => now });
  bar.onEvent({ type: "SyncStarted", files: 10, unchanged: 7, at: 0 });
  now = 2000;
  bar.onEvent({ type: "FileIndexed", path: "a.md", blocks: 1, warnings: [] });
  bar.onEvent({ type: "FileIndexed", path: "b.md", blocks: 1, warnings: [] });
  await until(() => /Syncing .* 9\/10 files \| 1\.0 files\/s/.test(terminal.drawn()), "9/10 at 1.0 files/s");
  bar.stop();
});
