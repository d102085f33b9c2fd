import process from "node:process";
import { createRequire } from "node:module";
import type yargsModule from "yargs";
import { ConfigInvalid } from "../config/config-invalid.ts";
import { ExitCode } from "./exit-code.ts";
import { settleBeforeExit } from "./exit-waits.ts";

/**
 * yargs 17's CommonJS build. It loads in 15 ms; its ESM build wraps help text
 * in the middle of words (cliui's ESM fallback), and yargs 18 took 60 ms of
 * every command's start on the main thread (string-width's Intl.Segmenter and
 * Unicode property regexes): a sixth of a no-op catch-up of 20,000 files.
 */
const yargs = createRequire(import.meta.url)("yargs") as typeof yargsModule;

/** The `sync-pipeline` command line. Thin: every command is a function over a validated config. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const parser = yargs(argv)
    .scriptName("sync-pipeline")
    .usage("$0 <command> --config FILE")
    .option("config", { type: "string", demandOption: true, describe: "JSON config file (see config.schema.json)" })
    .command(
      "run",
      "Sync the graph into the index: watch for changes (service), or catch up once with --once",
      (y) =>
        y
          .option("once", { type: "boolean", default: false, describe: "Catch up once and exit (batch mode)" })
          .option("json", { type: "boolean", default: false, describe: "Print the summary as JSON" })
          .option("force", { type: "boolean", default: false, describe: "Index the graph even if it is a filesystem root or your home folder" })
          .option("rebuild", { type: "boolean", default: false, describe: "Move the database file aside (FILE.broken-<time>) and rebuild the index from the graph" }),
      // Each command loads only its own modules: `search` and `status` never load the pools, `--help` nothing.
      async (args) => setExit(await (await import("./run-command.ts")).runCommand(args)),
    )
    .command(
      "search <query>",
      "Full-text search over blocks, best first",
      (y) =>
        y
          .positional("query", { type: "string", demandOption: true })
          .option("limit", { type: "number", default: 10 })
          .option("page", { type: "string", describe: "Only blocks of this page" })
          .option("tag", { type: "string", describe: "Only blocks with this tag" })
          .option("marker", { type: "string", describe: "Only tasks with this marker (TODO, DONE, ...)" })
          .option("pages", { type: "boolean", default: false, describe: "Find pages by fuzzy name or alias instead of blocks" })
          .option("json", { type: "boolean", default: false }),
      async (args) => setExit(await (await import("./search-command.ts")).searchCommand(args)),
    )
    .command(
      "status",
      "What the index holds, failed files, last sync",
      (y) => y.option("json", { type: "boolean", default: false }),
      async (args) => setExit(await (await import("./status-command.ts")).statusCommand(args)),
    )
    .command(
      "pause",
      "Pause the running service: changes are collected, nothing is written until resume",
      (y) => y.option("json", { type: "boolean", default: false }),
      async (args) => setExit(await (await import("./pause-command.ts")).pauseCommand(args, "pause")),
    )
    .command(
      "resume",
      "Resume a paused service: apply every change collected meanwhile",
      (y) => y.option("json", { type: "boolean", default: false }),
      async (args) => setExit(await (await import("./resume-command.ts")).resumeCommand(args)),
    )
    .command(
      "events",
      "Stream the running service's domain events (needs --follow)",
      (y) =>
        y
          .option("follow", { type: "boolean", default: false, describe: "Keep printing events as they happen" })
          .option("json", { type: "boolean", default: false, describe: "One JSON object per line" }),
      async (args) => setExit(await (await import("./events-command.ts")).eventsCommand(args)),
    )
    .command(
      "health",
      "Check the graph folder, an index sample, the service's queue and memory; exit 1 when unhealthy",
      (y) => y.option("json", { type: "boolean", default: false }),
      async (args) => setExit(await (await import("./health-command.ts")).healthCommand(args)),
    )
        .command(
      "mcp",
      "Serve the index to AI assistants: a Model Context Protocol server on stdio (tools: search, get_page, get_block, backlinks, tasks)",
      (y) => y,
      async (args) => setExit(await (await import("./mcp-command.ts")).mcpCommand(args)),
    )
    .command(
      "verify",
      "Check the index against the folder and itself; --repair fixes what differs",
      (y) =>
        y
          .option("repair", { type: "boolean", default: false, describe: "Fix the differences through the normal pipeline, then verify again" })
          .option("json", { type: "boolean", default: false }),
      async (args) => setExit(await (await import("./verify-command.ts")).verifyCommand(args)),
    )
    .command(
      "conflicts",
      "Open conflicts (all with --all): files the sync could not settle by its usual rule",
      (y) => y.option("all", { type: "boolean", default: false, describe: "Resolved ones too" }).option("json", { type: "boolean", default: false }),
      async (args) => setExit(await (await import("./conflicts-command.ts")).conflictsCommand(args)),
    )
    .command(
      "resolve <id>",
      "Resolve an open conflict: filesystem applies the file, index keeps the indexed content",
      (y) =>
        y
          .positional("id", { type: "number", demandOption: true })
          .option("strategy", { type: "string", demandOption: true, choices: ["filesystem", "index"] })
          .option("json", { type: "boolean", default: false }),
      async (args) => setExit(await (await import("./resolve-command.ts")).resolveCommand(args)),
    )
    .demandCommand(1, "name a command: run, search, status, pause, resume, events, health, verify, conflicts, resolve or mcp")
    .strict()
    .help()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    return reportFailure(error);
  }
  return exitCode;
}

class UsageError extends Error {}

function reportFailure(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigInvalid) {
    process.stderr.write(`sync-pipeline: ${error.message}\n`);
    return ExitCode.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`sync-pipeline: ${message}\n`);
  return ExitCode.cannotRun;
}

/**
 * Resolves once everything written to `stream` has reached the OS. On a pipe
 * Node writes asynchronously, and `process.exit` drops what is still queued
 * (output was cut at the pipe's 64 KB). A write's callback runs after every
 * earlier write has been flushed, or with the error (EPIPE: the reader left).
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}

// A reader that leaves early (`| head`) is not an error of ours: drop the rest of the output quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

const exitCode = await main(process.argv.slice(2));
await Promise.all([flushed(process.stdout), flushed(process.stderr), settleBeforeExit()]);
// Exit explicitly: a lingering handle (a watcher, a worker) must not keep a finished command alive.
process.exit(exitCode);
