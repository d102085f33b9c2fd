import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { makeSandbox, REPO_ROOT, runCli, writePage } from "../service/service-harness.ts";

// A client may write its requests and close stdin at once (`... | sync-pipeline mcp`):
// the server answers every request it read before it exits.
test("mcp answers the requests it read before stdin ended, then exits 0", { timeout: 120_000 }, async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/Garden.md", "- TODO water the tomatoes\n");
  assert.equal((await runCli(["run", "--once", "--config", sandbox.configPath])).code, 0);

  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "sync-pipeline.js"), "mcp", "--config", sandbox.configPath], {
    cwd: REPO_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  t.after(() => child.kill("SIGKILL"));
  const messages = [
    { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "pipe", version: "1" } } },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "tasks", arguments: { markers: ["TODO"] } } },
    { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "get_page", arguments: { name: "nowhere" } } },
  ];
  child.stdin.end(messages.map((message) => JSON.stringify(message) + "\n").join(""));

  assert.equal(await exited, 0, stderr);
  type Reply = { id: number; result: { isError?: boolean; structuredContent?: { tasks: { content: string }[] } } };
  // Requests run at once: their replies come in any order.
  const replies = stdout.trim().split("\n").map((line) => JSON.parse(line) as Reply).sort((a, b) => a.id - b.id);
  assert.deepEqual(replies.map((reply) => reply.id), [1, 2, 3]);
  assert.deepEqual(replies[1]?.result.structuredContent?.tasks.map((task) => task.content), ["TODO water the tomatoes"]);
  assert.equal(replies[2]?.result.isError, true);
});
