import assert from "node:assert/strict";
import { test } from "node:test";
import { queryRows } from "../support/db.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { makeSandbox, pollUntil, search, ServiceProcess, writePage } from "./service-harness.ts";

type IdHit = { path: string; content: string; blockId: string };

async function idsByContent(sandbox: Parameters<typeof search>[0], probe: string): Promise<Record<string, string>> {
  const hits = (await search(sandbox, probe)) as unknown as IdHit[];
  return Object.fromEntries(hits.map((h) => [h.content, h.blockId]));
}

const page = (beta: string) => `- alpha editprobe\n- ${beta} editprobe\n\t- gamma child editprobe\n- delta editprobe\n- epsilon editprobe\n`;

/**
 * Issue #11: a block whose own text is edited keeps its id through the
 * running service, across a restart (an edit made while it was stopped, caught
 * up from the index alone), and what points at it follows.
 */
test("service: an edited block keeps its id while running and across a restart; its child's parent_id and a ((ref)) to it follow", async (t) => {
  const sandbox = await makeSandbox();
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/notes.md", page("beta"));
  let service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  const original = await idsByContent(sandbox, "editprobe");
  const beta = original["beta editprobe"] as string;
  assert.match(beta, /^[0-9a-f-]{36}$/);
  await writePage(sandbox, "pages/other.md", `- see ((${beta})) otherprobe\n`);

  await writePage(sandbox, "pages/notes.md", page("beta once"));
  await pollUntil(async () => "beta once editprobe" in (await idsByContent(sandbox, "editprobe")), "first edit");
  assert.equal((await idsByContent(sandbox, "editprobe"))["beta once editprobe"], beta);
  await pollUntil(async () => (await search(sandbox, "otherprobe")).length === 1, "the other page");

  assert.equal(await service.stop("SIGINT"), 0);
  await writePage(sandbox, "pages/notes.md", page("beta offline"));
  service = new ServiceProcess(sandbox.configPath);
  await service.ready();
  assert.equal((await idsByContent(sandbox, "editprobe"))["beta offline editprobe"], beta, "caught up after a restart");

  await writePage(sandbox, "pages/notes.md", page("beta third"));
  await pollUntil(async () => "beta third editprobe" in (await idsByContent(sandbox, "editprobe")), "edit after the restart");
  const last = await idsByContent(sandbox, "editprobe");
  assert.equal(last["beta third editprobe"], beta);
  for (const text of ["alpha editprobe", "gamma child editprobe", "delta editprobe", "epsilon editprobe"]) assert.equal(last[text], original[text], text);
  assert.equal(await service.stop("SIGINT"), 0);

  assert.deepEqual(await queryRows(sandbox.database, `SELECT parent_id FROM blocks WHERE content = 'gamma child editprobe'`), [{ parent_id: beta }]);
  assert.deepEqual(
    await queryRows(sandbox.database, `SELECT b.content FROM refs r JOIN blocks b ON b.id = r.target WHERE r.path = 'pages/other.md' AND r.kind = 'block'`),
    [{ content: "beta third editprobe" }],
  );
  await assertSameAsCleanSync({ root: sandbox.dir, config: sandbox.configPath, database: sandbox.database });
});
