// Loaded with `node --import` into a CLI child (see start-up-modules.test.ts):
// logs every module URL each thread resolves to the file MODULE_LOG, one line
// "THREAD_ID URL" each. Node runs this file again in every worker thread (they
// inherit execArgv), so the log tells the main thread's modules from each pool's.
// ESM imports go through the resolve hook (module-log-hooks.ts); CommonJS
// `require`, which the ESM hooks of Node 20 do not see (src/index/duckdb.ts
// loads DuckDB so), through Module._resolveFilename.
import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { threadId } from "node:worker_threads";

type Resolver = (request: string, ...rest: unknown[]) => string;

const file = process.env["MODULE_LOG"];
if (file !== undefined) {
  register(new URL("./module-log-hooks.js", import.meta.url), { data: { file, threadId } });
  const cjs = Module as unknown as { _resolveFilename: Resolver };
  const resolveFilename = cjs._resolveFilename;
  cjs._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    const filename = resolveFilename.call(this, request, ...rest);
    if (filename.startsWith("/")) appendFileSync(file, `${threadId} ${pathToFileURL(filename).href}\n`);
    return filename;
  };
}
