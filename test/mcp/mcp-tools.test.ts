import assert from "node:assert/strict";
import { test } from "node:test";
import type { ControlRequestMethod } from "../../src/control/control-api.ts";
import { callService, type ControlRequestFailed } from "../../src/control/control-client.ts";
import { controlSocketPath } from "../../src/control/control-socket-path.ts";
import { taskMarkers } from "../../src/index/read-params.ts";
import { makeSandbox, runCli, ServiceProcess, writePage, type Sandbox } from "../service/service-harness.ts";
import { callTool, startMcp, type McpSession } from "./mcp-client.ts";

const PLANTED = "6650f0a1-0000-4000-8000-000000000001";
const BEDS = "6650f0a1-0000-4000-8000-00000000000b";
const SOUTH = "6650f0a1-0000-4000-8000-00000000000c";

const GARDEN = [
  "alias:: allotment, Veg Patch",
  "tags:: outdoors",
  "type:: project",
  "",
  "- Beds",
  `  id:: ${BEDS}`,
  "  - TODO water the tomatoes",
  "    SCHEDULED: <2024-03-02 Sat>",
  "  - DONE plant tomatoes",
  `    id:: ${PLANTED}`,
  "    - in the south bed",
  `      id:: ${SOUTH}`,
  "- Compost [[Kitchen]]",
  "  collapsed:: true",
  "  - turn it weekly",
  "",
].join("\n");

const FILES: Record<string, string> = {
  "pages/Garden.md": GARDEN,
  "pages/Kitchen.md": `- LATER cook tomatoes #recipes\n  DEADLINE: <2024-03-05 Tue>\n- see ((${PLANTED})) and [[allotment]]\n`,
  "journals/2024_03_01.md": "- NOW buy seeds for [[Garden]]\n  SCHEDULED: <2024-03-01 Fri>\n- harvest day #[[Veg Patch]]\n",
  // Garden's alias is also this page's name: the page so named wins.
  "pages/Veg Patch.md": "- the patch's own page\n",
  // Both dates: a range takes it by the date that falls inside, and sorts it by that date.
  "pages/Roses.md": "- TODO prune roses\n  SCHEDULED: <2024-02-20 Tue>\n  DEADLINE: <2024-03-04 Mon>\n",
};

async function sandboxWithGraph(): Promise<Sandbox> {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  for (const [path, text] of Object.entries(FILES)) await writePage(sandbox, path, text);
  const once = await runCli(["run", "--once", "--config", sandbox.configPath]);
  assert.equal(once.code, 0, once.stderr);
  return sandbox;
}

/** Every tool on the fixture: what the server answers, in one value to compare across modes. */
async function askEverything(session: McpSession): Promise<Record<string, unknown>> {
  const ask = (name: string, args: Record<string, unknown>) => callTool(session, name, args);
  return {
    page: await ask("get_page", { name: "ALLOTMENT" }),
    named: await ask("get_page", { name: "VEG patch" }),
    journal: await ask("get_page", { name: "2024-03-01" }),
    noPage: await ask("get_page", { name: "No Such Page" }),
    block: await ask("get_block", { id: SOUTH.toUpperCase() }),
    subtree: await ask("get_block", { id: PLANTED }),
    noBlock: await ask("get_block", { id: "00000000-0000-4000-8000-000000000000" }),
    backlinks: await ask("backlinks", { name: "garden" }),
    backlinksLimited: await ask("backlinks", { name: "allotment", limit: 1 }),
    fileless: await ask("backlinks", { name: "Recipes" }),
    noBacklinks: await ask("backlinks", { name: "nothing links here" }),
    tasks: await ask("tasks", {}),
    todoLater: await ask("tasks", { markers: ["TODO", "LATER"] }),
    week: await ask("tasks", { from: "2024-03-02", to: "20240305" }),
    dueEarly: await ask("tasks", { from: "2024-03-01", to: "2024-03-04", dateField: "deadline" }),
    scheduledBy: await ask("tasks", { to: "2024-03-01", dateField: "scheduled" }),
    gardenTasks: await ask("tasks", { page: "veg patch" }),
    search: await ask("search", { query: "tomatoes", page: "Veg Patch", marker: "DONE" }),
    searchAll: await ask("search", { query: "tomatoes" }),
  };
}

type Outcome = { isError: boolean; structured?: any; text: string };

function task(blockId: string, page: string, path: string, marker: string, scheduled: string | null, deadline: string | null, content: string) {
  return { blockId, page, path, marker, priority: null, scheduled, deadline, content };
}

function checkAnswers(answers: Record<string, unknown>): void {
  const a = answers as Record<string, Outcome>;
  const ok = (key: string) => {
    assert.equal(a[key]?.isError, false, `${key}: ${a[key]?.text}`);
    return a[key]?.structured;
  };
  assert.deepEqual(ok("page"), {
    page: "Garden",
    path: "pages/Garden.md",
    journalDay: null,
    format: "markdown",
    properties: { alias: ["allotment", "Veg Patch"], tags: ["outdoors"], type: "project" },
    aliases: ["allotment", "veg patch"],
    tags: ["outdoors"],
    blockCount: 7,
    // The outline is the file itself, less the blank line after the page properties.
    markdown: GARDEN.replace("project\n\n", "project\n").trimEnd(),
  });
  assert.deepEqual([ok("named").page, ok("named").markdown], ["Veg Patch", "- the patch's own page"]);
  assert.deepEqual(ok("journal"), {
    page: "Mar 1st, 2024",
    path: "journals/2024_03_01.md",
    journalDay: "2024-03-01",
    format: "markdown",
    properties: {},
    aliases: [],
    tags: [],
    blockCount: 2,
    markdown: "- NOW buy seeds for [[Garden]]\n  SCHEDULED: <2024-03-01 Fri>\n- harvest day #[[Veg Patch]]",
  });
  assert.deepEqual(a["noPage"], { isError: true, text: 'No page is named or aliased "No Such Page". Use search to find the page\'s exact name.' });

  assert.deepEqual(ok("block"), {
    id: SOUTH,
    page: "Garden",
    path: "pages/Garden.md",
    content: `in the south bed\nid:: ${SOUTH}`,
    marker: null,
    priority: null,
    scheduled: null,
    deadline: null,
    properties: { id: SOUTH },
    ancestors: [
      { id: BEDS, content: `Beds\nid:: ${BEDS}` },
      { id: PLANTED, content: `DONE plant tomatoes\nid:: ${PLANTED}` },
    ],
    markdown: `- in the south bed\n  id:: ${SOUTH}`,
  });
  const subtree = ok("subtree");
  assert.deepEqual(subtree.ancestors, [{ id: BEDS, content: `Beds\nid:: ${BEDS}` }]);
  assert.equal(subtree.marker, "DONE");
  assert.equal(subtree.markdown, `- DONE plant tomatoes\n  id:: ${PLANTED}\n  - in the south bed\n    id:: ${SOUTH}`);
  assert.deepEqual(a["noBlock"], {
    isError: true,
    text: 'No block has the id "00000000-0000-4000-8000-000000000000". Block ids come from search, backlinks or tasks results.',
  });

  // Links by name and by either alias; Garden's own alias:: property is not a backlink.
  const [viaAlias, viaName, viaTag] = ok("backlinks").references as { blockId: string }[];
  const seeds = viaName?.blockId as string;
  assert.deepEqual(ok("backlinks"), {
    page: "Garden",
    total: 3,
    references: [
      { page: "Kitchen", path: "pages/Kitchen.md", blockId: viaAlias?.blockId, content: `see ((${PLANTED})) and [[allotment]]`, kinds: ["page"] },
      { page: "Mar 1st, 2024", path: "journals/2024_03_01.md", blockId: seeds, content: "NOW buy seeds for [[Garden]]\nSCHEDULED: <2024-03-01 Fri>", kinds: ["page"] },
      { page: "Mar 1st, 2024", path: "journals/2024_03_01.md", blockId: viaTag?.blockId, content: "harvest day #[[Veg Patch]]", kinds: ["tag"] },
    ],
  });
  assert.deepEqual(ok("backlinksLimited"), { page: "Garden", total: 3, references: [ok("backlinks").references[0]] });
  const cook = ok("fileless").references[0].blockId as string;
  assert.deepEqual(ok("fileless"), {
    page: "Recipes",
    total: 1,
    references: [{ page: "Kitchen", path: "pages/Kitchen.md", blockId: cook, content: "LATER cook tomatoes #recipes\nDEADLINE: <2024-03-05 Tue>", kinds: ["tag"] }],
  });
  assert.deepEqual(a["noBacklinks"], {
    isError: true,
    text: 'No page is named or aliased "nothing links here", and no block links to it. Use search to find the page\'s exact name.',
  });

  // Tasks come by their earliest date in range, undated last.
  const water = ok("tasks").tasks[2].blockId as string;
  const now = task(seeds, "Mar 1st, 2024", "journals/2024_03_01.md", "NOW", "2024-03-01", null, "NOW buy seeds for [[Garden]]\nSCHEDULED: <2024-03-01 Fri>");
  const todo = task(water, "Garden", "pages/Garden.md", "TODO", "2024-03-02", null, "TODO water the tomatoes\nSCHEDULED: <2024-03-02 Sat>");
  const later = task(cook, "Kitchen", "pages/Kitchen.md", "LATER", null, "2024-03-05", "LATER cook tomatoes #recipes\nDEADLINE: <2024-03-05 Tue>");
  const prune = task(ok("tasks").tasks[0].blockId, "Roses", "pages/Roses.md", "TODO", "2024-02-20", "2024-03-04", "TODO prune roses\nSCHEDULED: <2024-02-20 Tue>\nDEADLINE: <2024-03-04 Mon>");
  const done = task(PLANTED, "Garden", "pages/Garden.md", "DONE", null, null, `DONE plant tomatoes\nid:: ${PLANTED}`);
  assert.deepEqual(ok("tasks"), { tasks: [prune, now, todo, later, done] });
  assert.deepEqual(ok("todoLater"), { tasks: [prune, todo, later] });
  assert.deepEqual(ok("week"), { tasks: [todo, prune, later] });
  assert.deepEqual(ok("dueEarly"), { tasks: [prune] });
  assert.deepEqual(ok("scheduledBy"), { tasks: [prune, now] });
  assert.deepEqual(ok("gardenTasks"), { tasks: [todo, done] });

  const hits = ok("search").hits as { blockId: string; page: string; path: string; content: string }[];
  assert.deepEqual(hits.map(({ blockId, page, path, content }) => ({ blockId, page, path, content })), [
    { blockId: PLANTED, page: "Garden", path: "pages/Garden.md", content: `DONE plant tomatoes\nid:: ${PLANTED}` },
  ]);
  // The ranking itself belongs to search.ts: here, which blocks come back.
  assert.deepEqual((ok("searchAll").hits as { content: string }[]).map((h) => h.content).sort(), [
    `DONE plant tomatoes\nid:: ${PLANTED}`,
    "LATER cook tomatoes #recipes\nDEADLINE: <2024-03-05 Tue>",
    "TODO water the tomatoes\nSCHEDULED: <2024-03-02 Sat>",
  ]);
}

test("mcp answers every tool from a read-only open, then identically through a running service", { timeout: 240_000 }, async (t) => {
  const sandbox = await sandboxWithGraph();
  t.after(() => sandbox.cleanup());

  const direct = await startMcp(sandbox.configPath);
  let withoutService: Record<string, unknown>;
  try {
    withoutService = await askEverything(direct);
    assert.deepEqual(direct.errors, []);
  } finally {
    await direct.close();
  }
  checkAnswers(withoutService);

  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  const viaSocket = await startMcp(sandbox.configPath);
  try {
    // While the service holds the database no other process may open it: these answers come through its socket.
    assert.deepEqual(await askEverything(viaSocket), withoutService);
    assert.deepEqual(viaSocket.errors, []);
    // The service checks a read's params itself: the socket is open to any client of the user, not only to ours.
    const socket = controlSocketPath(sandbox.database);
    const refused = (method: ControlRequestMethod, params: unknown) =>
      callService(socket, method, params as never).then(
        () => assert.fail(`${method} ${JSON.stringify(params)} was answered`),
        (error: ControlRequestFailed) => [error.reason, error.message],
      );
    const bad = (message: string) => ["BAD_REQUEST", `the service refused the request: ${message}`];
    assert.deepEqual(await refused("getPage", { name: 5 }), bad("getPage params.name must be a non-empty string"));
    assert.deepEqual(await refused("getBlock", { id: "x", depth: 3 }), bad("getBlock params.depth is not a getBlock field"));
    assert.deepEqual(await refused("backlinks", { name: "garden", limit: 0 }), bad("backlinks params.limit must be a whole number from 1 to 500"));
    assert.deepEqual(await refused("tasks", { from: "2024-02-30" }), bad("tasks params.from must be a day, YYYY-MM-DD or YYYYMMDD"));
    assert.deepEqual(await refused("tasks", { markers: ["todo", "someday"] }), bad(`tasks params.markers must be a list of ${taskMarkers.join(", ")}`));
    assert.deepEqual(await refused("tasks", { dateField: "toString" }), bad("tasks params.dateField must be scheduled, deadline or either"));
    assert.deepEqual(await refused("tasks", null), bad("tasks params must be an object"));
  } finally {
    await viaSocket.close();
  }
  assert.equal(await service.stop(), 0);
});
