import process from "node:process";
import type { SyncConfiguration } from "../config/load-config.ts";
import type { SyncDomainEvent } from "../pipeline/sync-domain-event.ts";

const LEVELS = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 } as const;

/**
 * Structured enough to grep, plain enough to read: one line per event on
 * stderr, or through `write` (a progress bar draws the lines above itself).
 */
export function eventLogger(
  config: SyncConfiguration,
  write: (text: string) => void = (text) => process.stderr.write(text),
): (event: SyncDomainEvent) => void {
  const level = LEVELS[config.logLevel];
  return (event) => {
    switch (event.type) {
      case "FileSyncFailed":
        if (level >= LEVELS.warn) write(`${event.status}: ${event.path}: ${event.reason}\n`);
        return;
      case "FileIndexed":
        if (event.warnings.length > 0 && level >= LEVELS.warn) {
          write(`warning: ${event.path}: ${event.warnings.join("; ")}\n`);
        } else if (level >= LEVELS.debug) {
          write(`indexed: ${event.path} (${event.blocks} blocks)\n`);
        }
        return;
      case "ConflictDetected":
        if (level < LEVELS.warn) return;
        if (event.conflict === "pageNameClash") write(`conflict: page "${event.name ?? ""}" is defined by ${event.paths.join(" and ")}\n`);
        else write(`conflict: #${event.id} ${event.conflict}: ${event.paths.join(", ")} (${event.status === "open" ? "open: sync-pipeline resolve " + event.id + " --strategy filesystem|index" : "applied " + event.strategy})\n`);
        return;
      case "FileChanged":
        if (level >= LEVELS.debug) {
          write(`${event.change}: ${event.from ? `${event.from} -> ` : ""}${event.path}\n`);
        }
        return;
      case "SyncStarted":
      case "SyncCompleted":
        return;
    }
  };
}
