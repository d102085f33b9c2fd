import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { controlSocketPath } from "../../src/control/control-socket-path.ts";
import { makeSandbox, runCli, ServiceProcess, status, writePage, type Sandbox } from "../service/service-harness.ts";
import { RawConnection } from "./raw-connection.ts";

async function startService(t: TestContext, sandbox: Sandbox): Promise<ServiceProcess> {
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  return service;
}

/** A process listening at `path`; killed with SIGKILL it leaves a stale socket behind. */
async function holdSocket(t: TestContext, path: string): Promise<{ kill(): Promise<void> }> {
  const holder = spawn(process.execPath, ["-e", "require('net').createServer().listen(process.argv[1], () => console.log('up'))", path], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => holder.kill("SIGKILL"));
  await new Promise((resolve) => holder.stdout.once("data", resolve));
  return {
    kill: async () => {
      holder.kill("SIGKILL");
      await new Promise((resolve) => holder.once("exit", resolve));
    },
  };
}

test("a request with an id nested 5,000 deep gets an error reply and the service keeps serving", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/a.md", "- socket survivor\n");
  const service = await startService(t, sandbox);
  const c = new RawConnection(controlSocketPath(sandbox.database));
  t.after(() => c.end());
  c.send(`{"id":${"[".repeat(5000)}${"]".repeat(5000)},"method":"status"}\n`);
  assert.deepEqual(await c.reply(0), { id: null, error: { code: "BAD_REQUEST", message: "request.id must be a string, a number or null" } });
  const reply = (await c.ask({ id: "next", method: "search", params: { text: "survivor", limit: 5 } })) as { id: string; result: { path: string }[] };
  assert.deepEqual([reply.id, reply.result.map((hit) => hit.path)], ["next", ["pages/a.md"]]);
  assert.equal((await status(sandbox)).service?.["state"], "watching");
  assert.equal(await service.stop(), 0, service.stderr);
});

test("a database path too long for a socket uses a short socket path, reachable by search and status, and restarts", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn", database: `${"nested-folder/".repeat(8)}index.duckdb` });
  t.after(() => sandbox.cleanup());
  const runtime = join(sandbox.dir, "run");
  await mkdir(runtime, { mode: 0o700 });
  const previous = process.env["XDG_RUNTIME_DIR"];
  process.env["XDG_RUNTIME_DIR"] = runtime; // the children inherit it
  t.after(() => (previous === undefined ? delete process.env["XDG_RUNTIME_DIR"] : (process.env["XDG_RUNTIME_DIR"] = previous)));
  const database = join(sandbox.dir, `${"nested-folder/".repeat(8)}index.duckdb`);
  await mkdir(join(database, ".."), { recursive: true });
  assert.ok(Buffer.byteLength(`${database}.sock`) > 107);
  const socket = controlSocketPath(database);
  assert.match(socket, new RegExp(`^${runtime}/sync-pipeline/[0-9a-f]{16}\\.sock$`));
  await writePage(sandbox, "pages/a.md", "- deep harbour\n");

  for (let round = 0; round < 2; round++) {
    const service = await startService(t, sandbox);
    assert.ok((await stat(socket)).isSocket());
    const s = await status(sandbox);
    assert.equal(s.service?.["state"], "watching", "status came from the service");
    const search = await runCli(["search", "harbour", "--json", "--config", sandbox.configPath]);
    assert.deepEqual(JSON.parse(search.stdout).map((hit: { path: string }) => hit.path), ["pages/a.md"]);
    assert.equal(await service.stop(), 0, service.stderr);
    await assert.rejects(stat(socket), { code: "ENOENT" });
    // Nothing was left at the full path or a truncated one beside the database.
    assert.deepEqual((await readdir(join(database, ".."))).filter((name) => name.includes("sock")), []);
  }
});

test("a regular file at the socket path is refused with a message (exit 3) and left as it was", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  const socket = controlSocketPath(sandbox.database);
  await writeFile(socket, "my notes, not a socket\n");
  const run = await runCli(["run", "--config", sandbox.configPath]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, new RegExp(`${socket} exists and is not a socket; .*move the file away`));
  assert.equal(await readFile(socket, "utf8"), "my notes, not a socket\n");
});

test("a stale socket (nobody listening) is replaced, a live one is refused", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  const socket = controlSocketPath(sandbox.database);

  const live = await holdSocket(t, socket);
  const refused = await runCli(["run", "--config", sandbox.configPath]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, new RegExp(`another service is already listening at ${socket}`));
  assert.ok((await stat(socket)).isSocket(), "the live socket was left alone");

  await live.kill();
  assert.ok((await stat(socket)).isSocket(), "a stale socket is left behind");
  const service = await startService(t, sandbox);
  assert.equal((await status(sandbox)).service?.["state"], "watching");
  assert.equal(await service.stop(), 0, service.stderr);
});
