import assert from "node:assert/strict";
import { test } from "node:test";
import { controlSocketPath } from "../../src/control/control-socket-path.ts";
import { RawConnection } from "../control/raw-connection.ts";
import { makeSandbox, pollUntil, runCli, ServiceProcess, writePage } from "./service-harness.ts";

type PageHit = { page: string; path: string; aliases: string[]; matched: number; score: number };

// `search --pages` while the service runs goes through its control socket to
// the writer thread's read connection: the same fuzzy-title answers as the
// direct path, pages written after start-up included, bad params refused.
test("searchPages through a running service's control socket: fuzzy titles, new pages, bad params refused, the CLI answered by the service", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/Keyboard shortcuts.md", "- press keys\n");
  await writePage(sandbox, "pages/Shortcuts.md", "alias:: Hotkeys\n\n- see keyboard\n");
  await writePage(sandbox, "pages/Calculator.md", "- sums\n");
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  const c = new RawConnection(controlSocketPath(sandbox.database));
  t.after(() => c.end());
  let n = 0;
  const ask = async (params: unknown) => (await c.ask({ id: `q${n++}`, method: "searchPages", params })) as { result?: PageHit[]; error?: { code: string; message: string } };
  const pages = async (text: string) => ((await ask({ text, limit: 5 })).result ?? []).map((p) => [p.page, p.path, p.aliases, p.matched]);

  assert.deepEqual(await pages("keybord short"), [
    ["Keyboard shortcuts", "pages/Keyboard shortcuts.md", [], 2],
    ["Shortcuts", "pages/Shortcuts.md", ["hotkeys"], 1],
  ]);
  assert.deepEqual(await pages("hotkey"), [["Shortcuts", "pages/Shortcuts.md", ["hotkeys"], 1]], "an alias, as a prefix");
  assert.deepEqual(await pages("calculater"), [["Calculator", "pages/Calculator.md", [], 1]], "a typo");
  assert.deepEqual(await pages("zzz"), []);

  // A page written while the service runs is found once its batch is committed.
  await writePage(sandbox, "pages/Flashcards.md", "- review\n");
  await pollUntil(async () => (await pages("flashc")).length === 1, "the new page found by searchPages");
  assert.deepEqual(await pages("flashc"), [["Flashcards", "pages/Flashcards.md", [], 1]]);

  assert.deepEqual((await ask({ text: "x", limit: 0 })).error?.message, "searchPages params.limit must be a positive whole number");
  assert.deepEqual((await ask({ text: "x", page: "y" })).error?.message, "searchPages params.page is not a searchPages field");

  // The CLI asks the running service (it holds the database) and prints what the socket returned.
  const cli = await runCli(["search", "--pages", "keybord short", "--json", "--config", sandbox.configPath]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(
    (JSON.parse(cli.stdout) as PageHit[]).map((p) => p.page),
    ["Keyboard shortcuts", "Shortcuts"],
  );
  assert.equal(await service.stop(), 0, service.stderr);
});
