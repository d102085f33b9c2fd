// Loaded with `node --import` into a CLI child (see start-up-modules.test.ts):
// logs every module URL each thread resolves to the file MODULE_LOG, one line
// "THREAD_ID URL" each. Node runs this file again in every worker thread (they
// inherit execArgv), so the log tells the main thread's modules from each pool's.
import { register } from "node:module";
import process from "node:process";
import { threadId } from "node:worker_threads";

const file = process.env["MODULE_LOG"];
if (file !== undefined) register(new URL("./module-log-hooks.js", import.meta.url), { data: { file, threadId } });
