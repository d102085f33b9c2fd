import type { SyncConfiguration } from "../config/load-config.ts";
import { type EventLog, eventLog } from "../observe/event-log.ts";
import { createLogger, type Logger } from "../observe/logger.ts";

/** The CLI's log: the domain events as records, plus warnings that are no file's (the watcher, a scan). */
export type SyncLog = EventLog & {
  logger: Logger;
  /** A failure the service survives: `context` says what was being done. */
  warn(error: unknown, context: string): void;
};

/**
 * One per process; `write` replaces stderr (a progress bar draws the lines
 * above itself). `once`: a one-shot run, whose session ends with the error
 * that the index cannot be written (sync-session.ts IndexUnwritable).
 */
export function createSyncLog(config: SyncConfiguration, write?: (text: string) => void, options: { once?: boolean } = {}): SyncLog {
  const logger = createLogger(config, write ? { write } : {});
  return {
    ...eventLog(logger, undefined, { unwritableIndex: options.once === true ? "session" : "log" }),
    logger,
    warn(error, context) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn({ event: "Warning", context, error: error instanceof Error ? error : { message } }, `warning: ${message}`);
    },
  };
}
