// Stryker's tap runner learns which mutants a test file covers from the test
// file's own process only. Most of src/index and src/pipeline runs elsewhere:
// in the CLI child processes the spine and service tests spawn, and in their
// worker threads (the index writer runs in a piscina worker). Without this
// file those mutants would count as "no coverage" and never be tried.
//
// Loaded with --require before Stryker's hook (see stryker.config.json), in
// the dry run only:
// - in the test file's process it puts itself into NODE_OPTIONS, so every
//   descendant process (and, through execArgv, every worker thread) loads it
//   too, and at exit it merges what they covered into its own coverage, which
//   Stryker's hook then reports;
// - in a descendant it records each mutant id the first time it is covered,
//   appending it to a file at once: worker threads that are terminated get no
//   "exit" event, and a service stopped by SIGKILL gets none either.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { threadId } = require("node:worker_threads");

const DIR_VARIABLE = "SYNC_PIPELINE_STRYKER_CHILD_COVERAGE";
const namespace = process.env.STRYKER_NAMESPACE ?? "__stryker__";
const dryRun = process.env.STRYKER_DRY_RUN === "true";

if (dryRun && process.env[DIR_VARIABLE] === undefined) collectFromDescendants();
else if (process.env[DIR_VARIABLE] !== undefined) recordForParent(process.env[DIR_VARIABLE]);

function collectFromDescendants() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stryker-child-coverage-"));
  // Some children run as another user (bad-input.test.ts drops to "nobody").
  fs.chmodSync(dir, 0o1777);
  process.env[DIR_VARIABLE] = dir;
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --require ${JSON.stringify(__filename)}`.trim();
  // Registered before Stryker's hook (this file is required first), so this
  // runs before the hook writes the coverage out.
  process.on("exit", () => {
    const ns = globalThis[namespace] ?? (globalThis[namespace] = {});
    const coverage = ns.mutantCoverage ?? (ns.mutantCoverage = { static: {}, perTest: {} });
    for (const name of fs.readdirSync(dir)) {
      for (const id of fs.readFileSync(path.join(dir, name), "utf8").split("\n")) {
        if (id !== "") coverage.static[id] = (coverage.static[id] ?? 0) + 1;
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

function recordForParent(dir) {
  const file = path.join(dir, `${process.pid}-${threadId}.ids`);
  const seen = new Set();
  const record = (target, id, value) => {
    if (!seen.has(id)) {
      seen.add(id);
      try {
        fs.appendFileSync(file, `${String(id)}\n`);
      } catch {
        // The test file's process has exited and removed the folder: nobody is listening.
      }
    }
    target[id] = value;
    return true;
  };
  const counts = new Proxy({}, { set: record });
  const ns = globalThis[namespace] ?? (globalThis[namespace] = {});
  // The instrumented code keeps an existing mutantCoverage object, so its counts land in the proxy.
  ns.mutantCoverage = { static: counts, perTest: {} };
}
