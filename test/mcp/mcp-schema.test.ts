import assert from "node:assert/strict";
import { test } from "node:test";
import { makeSandbox, runCli, writePage } from "../service/service-harness.ts";
import { callTool, startMcp } from "./mcp-client.ts";

test("mcp lists its five tools with their input schemas, and refuses bad arguments with a validation error", { timeout: 120_000 }, async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/Garden.md", "- TODO water the tomatoes\n");
  assert.equal((await runCli(["run", "--once", "--config", sandbox.configPath])).code, 0);
  const session = await startMcp(sandbox.configPath);
  t.after(() => session.close());

  const { tools } = await session.client.listTools();
  const shapes = Object.fromEntries(
    tools.map((tool) => [tool.name, { properties: Object.keys(tool.inputSchema.properties ?? {}).sort(), required: tool.inputSchema.required ?? [] }]),
  );
  assert.deepEqual(shapes, {
    search: { properties: ["limit", "marker", "page", "query", "tag"], required: ["query"] },
    get_page: { properties: ["name"], required: ["name"] },
    get_block: { properties: ["id"], required: ["id"] },
    backlinks: { properties: ["limit", "name"], required: ["name"] },
    tasks: { properties: ["dateField", "from", "markers", "page", "to"].concat("limit").sort(), required: [] },
  });
  for (const tool of tools) {
    assert.ok((tool.description ?? "").length > 100, `${tool.name} has a description written for a model`);
    assert.equal(tool.annotations?.readOnlyHint, true, tool.name);
  }
  const markers = (tools.find((tool) => tool.name === "tasks")?.inputSchema.properties?.["markers"] as { items: { enum: string[] } }).items.enum;
  assert.deepEqual([...markers].sort(), ["CANCELED", "CANCELLED", "DOING", "DONE", "IN-PROGRESS", "LATER", "NOW", "STARTED", "TODO", "WAIT", "WAITING"]);

  const refused = async (name: string, args: Record<string, unknown>, detail: RegExp) => {
    const outcome = await callTool(session, name, args);
    assert.equal(outcome.isError, true, `${name} ${JSON.stringify(args)}: ${outcome.text}`);
    assert.match(outcome.text, new RegExp(`^MCP error -32602: Input validation error: Invalid arguments for tool ${name}`));
    assert.match(outcome.text, detail);
  };
  await refused("search", { query: "tomatoes", limit: 0 }, /limit/);
  await refused("search", { limit: 5 }, /query/);
  await refused("get_page", { name: "  " }, /name/);
  await refused("get_block", {}, /id/);
  await refused("backlinks", { name: "Garden", limit: 501 }, /limit/);
  await refused("tasks", { markers: ["SOMEDAY"] }, /markers/);
  await refused("tasks", { from: "2024-02-30" }, /not a calendar day/);
  await refused("tasks", { to: "March 1st" }, /YYYY-MM-DD or YYYYMMDD/);
  await refused("tasks", { dateField: "created" }, /dateField/);

  // The server is still there, and answers.
  const tasks = await callTool(session, "tasks", { markers: ["TODO"] });
  assert.deepEqual((tasks.structured as { tasks: { content: string }[] }).tasks.map((task) => task.content), ["TODO water the tomatoes"]);
  assert.deepEqual(session.errors, []);
  assert.match(session.stderr(), /^sync-pipeline mcp: serving .*index\.duckdb on stdio$/m);
});
