#!/usr/bin/env node
// DuckDB's async calls share libuv's thread pool with fs calls (4 threads by
// default). The pool is sized on first use, so this must run before any
// import touches the file system.
process.env.UV_THREADPOOL_SIZE ??= "16";
// `run`: the writer's thread loads DuckDB's client while the CLI loads (see
// prestartWriter); `run --help` and options before the command skip it.
const [command, ...rest] = process.argv.slice(2);
if (command === "run" && !rest.includes("--help")) {
  const { prestartWriter, endUnadoptedWriter } = await import("../dist/src/bulkheads/pools.js");
  prestartWriter();
  (await import("../dist/src/cli/exit-waits.js")).waitBeforeExit(endUnadoptedWriter);
}
// Runs the compiled CLI (built by `npm install` through the `prepare` script).
await import("../dist/src/cli/main.js");
