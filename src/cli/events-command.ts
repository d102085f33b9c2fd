import process from "node:process";
import { loadConfig } from "../config/load-config.ts";
import { ExitCode } from "./exit-code.ts";
import { formatEvent } from "./format.ts";

/**
 * `events --follow [--json]`: prints the running service's domain events as
 * they are published, one per line, until the service stops or Ctrl-C.
 * `--json` prints each event as a JSON line, and a reader that fell behind
 * gets `{"type":"Lagged","dropped":n}` where events were dropped.
 */
export async function eventsCommand(args: { config: string; json: boolean; follow: boolean }): Promise<number> {
  if (!args.follow) {
    process.stderr.write("sync-pipeline: the service keeps no event history; use `events --follow` to stream new events\n");
    return ExitCode.usage;
  }
  const config = await loadConfig(args.config);
  const { controlSocketPath } = await import("../control/control-client.ts");
  const { followService } = await import("../control/control-event-stream.ts");
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const followed = await followService(
      controlSocketPath(config.database),
      {
        onEvent: (event) => process.stdout.write(args.json ? JSON.stringify(event) + "\n" : formatEvent(event, new Date())),
        onLagged: (dropped) =>
          process.stdout.write(
            args.json ? JSON.stringify({ type: "Lagged", dropped }) + "\n" : `… ${dropped} events dropped: this reader fell behind the service\n`,
          ),
        // A pipe to a slow reader (`| less`): stop reading the socket rather than buffer stdout without bound.
        onFull: (resume) => process.stdout.once("drain", resume),
      },
      { signal: stop.signal },
    );
    if (!followed) {
      process.stderr.write(`sync-pipeline: no service is running for ${config.database}; start one with \`sync-pipeline run\`\n`);
      return ExitCode.cannotRun;
    }
    return ExitCode.ok;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
