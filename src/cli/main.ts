import process from "node:process";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { ConfigInvalid } from "../config/config-invalid.ts";
import { ExitCode } from "./exit-code.ts";
import { runCommand } from "./run-command.ts";
import { searchCommand } from "./search-command.ts";
import { statusCommand } from "./status-command.ts";

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
          .option("force", { type: "boolean", default: false, describe: "Index the graph even if it is a filesystem root or your home folder" }),
      async (args) => setExit(await runCommand(args)),
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
          .option("json", { type: "boolean", default: false }),
      async (args) => setExit(await searchCommand(args)),
    )
    .command(
      "status",
      "What the index holds, failed files, last sync",
      (y) => y.option("json", { type: "boolean", default: false }),
      async (args) => setExit(await statusCommand(args)),
    )
    .demandCommand(1, "name a command: run, search or status")
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

// Exit explicitly: a lingering handle (a watcher, a worker) must not keep a finished command alive.
process.exit(await main(hideBin(process.argv)));
