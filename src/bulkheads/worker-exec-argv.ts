import process from "node:process";
import { Worker } from "node:worker_threads";

/**
 * The flags a bulkhead's threads start with (piscina's `execArgv`), or
 * undefined for Node's default (the parent's options, inherited).
 *
 * Node's workers load their module through import(), never require(esm):
 * piscina tries require() first, and Node 20's require(esm) can race an ESM
 * load in the same thread (nodejs/node#55782). Seen once in CI: a worker
 * aborted the process with "FATAL ERROR: v8::Module::IsGraphAsync must be
 * used on an instantiated module" inside piscina's require (bad-input.test.ts,
 * one run in nine). With require(esm) off, require throws ERR_REQUIRE_ESM at
 * once and piscina imports the module. Only where Node knows the flag.
 *
 * Given explicitly, execArgv replaces the inherited options, and Node
 * refuses the whole worker when it holds a flag only a process may have
 * (`node --max-old-space-size=4096 bin/sync-pipeline.js` aborted every run
 * with ERR_WORKER_INVALID_EXEC_ARGV): the parent's flags go along only as
 * far as a worker accepts them, as Node's own inheritance does.
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] | undefined {
  if ("Deno" in globalThis || !process.allowedNodeEnvironmentFlags.has(NO_REQUIRE_ESM)) return undefined;
  const inherited = parent.filter((flag) => flag !== NO_REQUIRE_ESM);
  if (inherited.length === 0) return [NO_REQUIRE_ESM];
  const refused = refusedFlags([...inherited, NO_REQUIRE_ESM]);
  if (refused === null) return undefined;
  const kept = inherited.filter((flag) => !refused.includes(flag));
  if (refused.length === 0) return [...kept, NO_REQUIRE_ESM];
  // Checked again: a refused flag Node's list did not name as given (its text holds ", ") means Node's default inheritance.
  return refusedFlags([...kept, NO_REQUIRE_ESM])?.length === 0 ? [...kept, NO_REQUIRE_ESM] : undefined;
}

const NO_REQUIRE_ESM = "--no-experimental-require-module";

/**
 * The flags a worker refuses, as Node lists them ("Initiated Worker with
 * invalid execArgv flags: A, B"); empty when it accepts them all. Node checks
 * them before it starts the thread; an accepted probe's thread, which runs
 * nothing, is ended at once. Null for any other failure.
 */
function refusedFlags(execArgv: string[]): string[] | null {
  try {
    const probe = new Worker("", { eval: true, execArgv, stdout: true, stderr: true });
    probe.unref();
    void probe.terminate();
    return [];
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") return null;
    const message = (error as Error).message;
    return message.slice(message.indexOf(": ") + 2).split(", ");
  }
}
