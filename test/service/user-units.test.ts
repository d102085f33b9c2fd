import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, isAbsolute, join } from "node:path";
import { test } from "node:test";
import { pollUntil, REPO_ROOT } from "./service-harness.ts";
import { assertStoppedCleanly } from "./stopped-cleanly.ts";
import { CONTRIB, readLaunchdPlist, readSystemdUnit, type UnitCommand } from "./unit-files.ts";

// systemd and launchd are not here: each test runs the command line its file
// gives the service manager, as a child process, and stops it the way the
// manager would. Only the install paths the user edits are swapped for this
// checkout's: the node binary and the repository folder.
const PLACEHOLDER_HOME = "/Users/YOU";

/** A fake home folder holding the config at the place the unit files name, and a graph with one page. */
async function makeHome(): Promise<{ home: string; graph: string; database: string }> {
  const home = await mkdtemp(join(tmpdir(), "sync-unit-"));
  const graph = join(home, "notes");
  await mkdir(join(graph, "pages"), { recursive: true });
  await writeFile(join(graph, "pages", "before.md"), "- indexed at catch-up\n");
  const configFolder = join(home, ".config", "sync-pipeline");
  await mkdir(configFolder, { recursive: true });
  await writeFile(join(configFolder, "config.json"), JSON.stringify({ graph, database: "index.duckdb", logLevel: "debug" }));
  return { home, graph, database: join(configFolder, "index.duckdb") };
}

/** The unit's command with the install paths of this checkout: absolute node, then absolute bin/sync-pipeline.js. */
function localCommand(unit: UnitCommand, home: string): string[] {
  const [node, bin, ...args] = unit.argv;
  assert.ok(node !== undefined && isAbsolute(node) && basename(node) === "node", `runs node itself, not npx or a shell: ${node}`);
  assert.ok(bin !== undefined && isAbsolute(bin) && bin.endsWith("/bin/sync-pipeline.js"), `runs bin/sync-pipeline.js by its absolute path: ${bin}`);
  assert.deepEqual(args, ["run", "--config", join(home, ".config", "sync-pipeline", "config.json")]);
  return [process.execPath, join(REPO_ROOT, "bin", "sync-pipeline.js"), ...args];
}

async function startAndStop(unit: UnitCommand, home: { home: string; graph: string; database: string }): Promise<void> {
  const [command, ...args] = localCommand(unit, home.home);
  // A service manager's environment is bare: no terminal, a home and a PATH.
  const child = spawn(command as string, args, {
    cwd: home.home,
    env: { HOME: home.home, PATH: process.env["PATH"] ?? "/usr/bin:/bin" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  try {
    await pollUntil(() => /^Caught up: 1 files /m.test(stdout) || child.exitCode !== null, "caught up", 60_000);
    assert.equal(child.exitCode, null, `exited early:\n${stdout}\n${stderr}`);
    await writeFile(join(home.graph, "pages", "after.md"), "- indexed from a watcher event\n");
    await pollUntil(() => /^indexed: pages\/after\.md /m.test(stderr), "pages/after.md indexed");
    child.kill(unit.stopSignal);
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, new RegExp(`^${unit.stopSignal}: finishing in-flight work`, "m"));
    await assertStoppedCleanly(home.database, ["pages/after.md", "pages/before.md"]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

test("the systemd user unit's ExecStart starts the service, and its KillSignal stops it with exit 0", async (t) => {
  const home = await makeHome();
  t.after(() => rm(home.home, { recursive: true, force: true }));
  const unit = await readSystemdUnit(CONTRIB(REPO_ROOT).systemd, home.home);
  assert.equal(unit.stopSignal, "SIGTERM");
  // Exit 0 is what a stop ends with: on-failure leaves it alone, and restarts a crash.
  assert.equal(unit.settings["Restart"], "on-failure");
  assert.equal(unit.settings["RestartPreventExitStatus"], "2");
  await startAndStop(unit, home);
});

test("the launchd agent's ProgramArguments start the service, and SIGTERM stops it with exit 0", async (t) => {
  const home = await makeHome();
  t.after(() => rm(home.home, { recursive: true, force: true }));
  const plist = await readLaunchdPlist(CONTRIB(REPO_ROOT).launchd);
  const unit = { ...plist, argv: plist.argv.map((arg) => arg.replace(PLACEHOLDER_HOME, home.home)) };
  assert.equal(plist.settings["WorkingDirectory"], PLACEHOLDER_HOME);
  assert.equal(plist.settings["SuccessfulExit"], "false"); // KeepAlive only after a failure
  await startAndStop(unit, home);
});
