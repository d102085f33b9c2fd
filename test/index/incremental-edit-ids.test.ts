import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_WRITE_OPTIONS, IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { contentOf, indexWrite, parserTreeOf, violationsOf } from "../support/index-writes.ts";

/**
 * Issue #11: a block keeps its id across an edit of its own text
 * (block-edits.ts), and what points at it follows: its children's
 * parent_id, its refs rows, a `((id))` elsewhere.
 */
const PATH = "pages/notes.md";
const OTHER = "pages/other.md";

/** Ten top-level blocks; block 4 has two children. `texts` replaces blocks by index. */
function page(texts: Record<number, string> = {}): string {
  let text = "";
  for (let i = 0; i < 10; i++) {
    text += `- ${texts[i] ?? `entry${i} words`}\n`;
    if (i === 4) text += `\t- child one of four\n\t- child two [[Linked]]\n`;
  }
  return text;
}

type Row = { id: string; parser_id: string; parent_id: string | null; content: string };

async function rows(writer: IndexWriter, path = PATH): Promise<Row[]> {
  const reader = await writer.readConnection.runAndReadAll(
    `SELECT id, parser_id, parent_id, content FROM blocks WHERE path = $path ORDER BY seq`,
    { path },
  );
  return reader.getRowObjectsJson() as Row[];
}

async function withWriters(run: (dir: string, incremental: IndexWriter, whole: IndexWriter) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "edit-ids-"));
  const incremental = await IndexWriter.open(join(dir, "incr.duckdb"), defaultGraphConfig);
  const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
  try {
    await run(dir, incremental, whole);
  } finally {
    incremental.close();
    whole.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Applies the same write to both writers and checks they agree modulo kept ids, and the invariants. */
async function applyBoth(incremental: IndexWriter, whole: IndexWriter, text: string, path = PATH): Promise<void> {
  const write = indexWrite(path, text, path === PATH ? "notes" : path === OTHER ? "other" : undefined);
  for (const writer of [incremental, whole]) await writer.apply({ writes: [write] });
  assert.deepEqual(await contentOf(incremental.readConnection), await contentOf(whole.readConnection));
  assert.deepEqual(await parserTreeOf(incremental.readConnection, path), await parserTreeOf(whole.readConnection, path));
  assert.deepEqual(await violationsOf(incremental.readConnection), []);
}

test("an edit of a block's own text keeps its id; its children's parent_id and its refs follow; an edit above it and a second edit keep it", async () => {
  await withWriters(async (_dir, incremental, whole) => {
    await applyBoth(incremental, whole, page());
    const original = await rows(incremental);
    const four = original[4] as Row;
    assert.equal(four.content, "entry4 words");

    await applyBoth(incremental, whole, page({ 4: "entry4 rewritten with [[Refd]]" }));
    assert.deepEqual(incremental.writeStats().lastBatch?.incrementalFiles, 1);
    const edited = await rows(incremental);
    assert.equal(edited[4]?.content, "entry4 rewritten with [[Refd]]");
    assert.equal(edited[4]?.id, four.id, "the edited block keeps its id");
    assert.notEqual(edited[4]?.parser_id, four.id, "its parser id follows its text");
    assert.deepEqual(edited.map((r) => r.id), original.map((r) => r.id), "every block keeps its id");
    assert.deepEqual([edited[5]?.parent_id, edited[6]?.parent_id], [four.id, four.id], "children point at the kept id");
    const refs = await incremental.readConnection.runAndReadAll(`SELECT block_id, target FROM refs WHERE path = $path AND target = 'refd'`, { path: PATH });
    assert.deepEqual(refs.getRows(), [[four.id, "refd"]]);

    // An edit of another block above it, and a second edit of its own text.
    await applyBoth(incremental, whole, page({ 1: "entry1 changed", 4: "entry4 rewritten with [[Refd]]" }));
    await applyBoth(incremental, whole, page({ 1: "entry1 changed", 4: "entry4 third text" }));
    assert.deepEqual((await rows(incremental)).map((r) => r.id), original.map((r) => r.id));
    // The whole rewrite derives ids from the text: the kept ones differ there.
    assert.notEqual((await rows(whole))[4]?.id, four.id);
  });
});

test("kept ids survive a restart of the writer: the next diff matches on parser_id, read back from DuckDB", async () => {
  await withWriters(async (dir, incremental, whole) => {
    await applyBoth(incremental, whole, page());
    await applyBoth(incremental, whole, page({ 4: "entry4 once" }));
    const kept = (await rows(incremental)).map((r) => r.id);
    const keys = async (writer: IndexWriter) =>
      (await writer.readConnection.runAndReadAll(`SELECT key::VARCHAR FROM blocks WHERE path = $path ORDER BY seq`, { path: PATH })).getRows().flat();
    const keysBefore = await keys(incremental);
    incremental.close();
    const reopened = await IndexWriter.open(join(dir, "incr.duckdb"), defaultGraphConfig);
    try {
      // Block 4 (kept id) is left alone: read back, it must match its parse by parser_id and keep its row.
      await applyBoth(reopened, whole, page({ 4: "entry4 once", 3: "entry3 too" }));
      assert.deepEqual(reopened.writeStats().diffStateCache?.misses, 1, "read back, not from the cache");
      assert.deepEqual(reopened.writeStats().lastBatch?.incrementalFiles, 1);
      assert.deepEqual((await keys(reopened)).map((key, i) => key === keysBefore[i]), kept.map((_, i) => i !== 3), "only block 3 rewritten");
      assert.deepEqual((await rows(reopened)).map((r) => r.id), kept);
      // And then its own text again.
      await applyBoth(reopened, whole, page({ 4: "entry4 twice", 3: "entry3 too" }));
      assert.deepEqual((await rows(reopened)).map((r) => r.id), kept);
    } finally {
      reopened.close();
    }
  });
});

test("a ((ref)) to an edited block's id in another page still names a block of the index", async () => {
  await withWriters(async (_dir, incremental, whole) => {
    await applyBoth(incremental, whole, page());
    const id = (await rows(incremental))[2]?.id as string;
    await applyBoth(incremental, whole, `- see ((${id}))\n`, OTHER);
    await applyBoth(incremental, whole, page({ 2: "entry2 edited" }));
    const resolved = await incremental.readConnection.runAndReadAll(
      `SELECT b.content FROM refs r JOIN blocks b ON b.id = r.target WHERE r.path = $path AND r.kind = 'block'`,
      { path: OTHER },
    );
    assert.deepEqual(resolved.getRows(), [["entry2 edited"]]);
  });
});

test("no id is kept across an edit when either side has id::, when the parent or position differs, or when the new text derives that id", async () => {
  await withWriters(async (_dir, incremental, whole) => {
    await applyBoth(incremental, whole, page());
    const original = await rows(incremental);
    const explicit = "66a0c3e2-0000-4000-8000-0000000000ee";
    // The new text carries an id:: of its own: it wins.
    await applyBoth(incremental, whole, page({ 2: `entry2 with id\n  id:: ${explicit}` }));
    assert.equal((await rows(incremental))[2]?.id, explicit);
    // The old side had id::: the edited block derives its id from its text.
    await applyBoth(incremental, whole, page({ 2: "entry2 without id" }));
    const afterExplicit = await rows(incremental);
    assert.equal(afterExplicit[2]?.id, afterExplicit[2]?.parser_id);
    assert.notEqual(afterExplicit[2]?.id, original[2]?.id);

    // Block 7 edited and indented under block 6 in one save: another parent, so not the same block.
    await applyBoth(incremental, whole, page({ 7: "\t- entry7 indented and edited" }).replace("- \t- ", "\t- "));
    const indented = (await rows(incremental)).find((r) => r.content === "entry7 indented and edited");
    assert.equal(indented?.id, indented?.parser_id);

    // Block 8 edited (keeps its id), then a new block with block 8's old text appears: the parser's id wins there,
    // and block 8 goes back to its own parser id, so ids stay unique in the file.
    const eight = original.find((r) => r.content === "entry8 words") as Row;
    const editedEight = page({ 7: "\t- entry7 indented and edited", 8: "entry8 edited" }).replace("- \t- ", "\t- ");
    await applyBoth(incremental, whole, editedEight);
    assert.equal((await rows(incremental)).find((r) => r.content === "entry8 edited")?.id, eight.id);
    await applyBoth(incremental, whole, editedEight + "- entry8 words\n");
    const last = await rows(incremental);
    assert.equal(last.find((r) => r.content === "entry8 words")?.id, eight.id);
    const back = last.find((r) => r.content === "entry8 edited") as Row;
    assert.equal(back.id, back.parser_id);
  });
});

test("a one-block page (a journal day, say) keeps its block's id across edits: an edit is not counted as a change of more than half the blocks", async () => {
  await withWriters(async (_dir, incremental, whole) => {
    const day = "journals/2026_11_29.md";
    await applyBoth(incremental, whole, "- first thought\n", day);
    const [first] = await rows(incremental, day);
    await applyBoth(incremental, whole, "- first thought, rewritten\n", day);
    assert.deepEqual(incremental.writeStats().lastBatch?.incrementalFiles, 1);
    assert.deepEqual((await rows(incremental, day)).map((r) => r.id), [first?.id]);
    // New text plus a new child: the top block is still the edited one, the child is new.
    await applyBoth(incremental, whole, "- one\n\t- two\n", day);
    assert.deepEqual((await rows(incremental, day)).map((r) => r.id), [first?.id, (await rows(whole, day))[1]?.id]);
  });
});

/**
 * A whole-file rewrite (a page-level change, too many blocks changed, a
 * forced re-index) derived every id from the text again, so an id an edit
 * had kept vanished from a block whose text had not changed since, and a
 * `((id))` to it dangled (kept-ids.ts).
 */
test("a whole-file rewrite keeps the ids earlier edits kept, for blocks whose text it did not change; never two blocks with one id", async () => {
  const dir = await mkdtemp(join(tmpdir(), "edit-ids-whole-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    const write = (text: string, whole = false) => writer.apply({ writes: [{ ...indexWrite(PATH, text, "notes"), ...(whole ? { whole: true as const } : {}) }] });
    await write(page());
    const four = (await rows(writer))[4] as Row;
    await write(page({ 4: "entry4 rewritten with [[Refd]]" }));
    assert.equal((await rows(writer))[4]?.id, four.id);

    // A page-level change: the whole file is written again.
    await write(`tags:: journal\n\n${page({ 4: "entry4 rewritten with [[Refd]]", 8: "entry8 also changed" })}`);
    assert.equal(writer.writeStats().lastBatch?.wholeFiles, 1);
    const after = await rows(writer);
    const edited = after.find((r) => r.content === "entry4 rewritten with [[Refd]]") as Row;
    assert.equal(edited.id, four.id, "the kept id survives the whole rewrite");
    assert.notEqual(edited.parser_id, four.id);
    assert.deepEqual(after.filter((r) => r.content.startsWith("child ")).map((r) => r.parent_id), [four.id, four.id]);
    const refs = await writer.readConnection.runAndReadAll(`SELECT block_id FROM refs WHERE path = $path AND target = 'refd'`, { path: PATH });
    assert.deepEqual(refs.getRows(), [[four.id]]);
    assert.deepEqual(await violationsOf(writer.readConnection), []);

    // A forced rewrite whose text derives the kept id for another block (the original text back, above):
    // that block has it as its own; the edited block goes back to the id its own text derives.
    await write(`- entry4 words\n${page({ 4: "entry4 rewritten with [[Refd]]" })}`, true);
    const forced = await rows(writer);
    const restored = forced.find((r) => r.content === "entry4 words") as Row;
    const rewritten = forced.find((r) => r.content === "entry4 rewritten with [[Refd]]") as Row;
    assert.equal(restored.id, restored.parser_id);
    assert.equal(rewritten.id, rewritten.parser_id);
    assert.equal(new Set(forced.map((r) => r.id)).size, forced.length, "ids stay unique in the file");
    assert.deepEqual(await violationsOf(writer.readConnection), []);
    // The original text derives the original id again (ids hash the text, not its place).
    assert.equal(restored.parser_id, four.id);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});
