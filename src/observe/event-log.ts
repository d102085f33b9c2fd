import type { Logger } from "pino";
import type { SyncDomainEvent, SyncEventListener } from "../pipeline/sync-domain-event.ts";
import { isUnwritable } from "../pipeline/batch-processor.ts";
import { INDEX_WRITE_FAILED } from "../pipeline/sync-status-model.ts";
import { type Occurrence, RepeatedConditions, type RepeatedConditionsOptions } from "./repeated-conditions.ts";

/** The domain events as log records: a plain subscriber plus the flush that ends a sync's summaries. */
export type EventLog = {
  onEvent: SyncEventListener;
  /** Writes the held-back warnings now (the sync is over, or the service is caught up or stopping). */
  flush(): void;
};

export type EventLogOptions = {
  /**
   * Who says that the index cannot be written: the log, once for as long as
   * it lasts (the service), or the session's own error at its end (`run
   * --once`: a second line for the same condition came whenever the run
   * took more than the log's quiet second to end after the first failure).
   */
  unwritableIndex?: "log" | "session";
};

/** The repeated-conditions key of "the index cannot be written". */
const UNWRITABLE_INDEX = "index-unwritable";

const defaultWindow: RepeatedConditionsOptions = { quietMs: 1000, maxDelayMs: 10_000 };

/**
 * Logs the domain events. Per file: at debug, every change; at warn, failed,
 * skipped and warned files and page-name clashes, summarised per sync when
 * repeated. Per sync: its start and end (with durationMs) at info, as JSON
 * fields only.
 */
export function eventLog(logger: Logger, window: RepeatedConditionsOptions = defaultWindow, options: EventLogOptions = {}): EventLog {
  const repeated = new RepeatedConditions(logger, window);
  const debug = logger.isLevelEnabled("debug");
  const releaseUnwritable = (base: Record<string, unknown>): void => {
    const turnedAway = repeated.release(UNWRITABLE_INDEX);
    if (turnedAway > 0) logger.info({ ...base, count: turnedAway }, `the index is writable again (${turnedAway} files were turned away while it was not)`);
  };
  const onEvent = (event: SyncDomainEvent): void => {
    // The batch an event belongs to, once events carry one.
    const batchId = (event as { batchId?: unknown }).batchId;
    const base = batchId === undefined ? { event: event.type } : { event: event.type, batchId };
    switch (event.type) {
      case "FileSyncFailed": {
        const { path, status, reason } = event;
        // The index cannot be written (disk full): the database's condition, not each file's. One error line for
        // as long as it lasts, not a line (or a summary per sync) for every file it turns away.
        if (reason.startsWith(INDEX_WRITE_FAILED) && isUnwritable(new Error(reason))) {
          if (options.unwritableIndex === "session") return;
          const message = reason.slice(INDEX_WRITE_FAILED.length).replace(/^: /, "");
          repeated.latch(UNWRITABLE_INDEX, {
            fields: { ...base, error: { message } },
            msg: `cannot write the index: ${message}. The disk holding it is full or refuses writes; the index keeps its last committed batch. ` +
              "Free space: the next scan writes the files turned away meanwhile (sync-pipeline status counts them).",
          });
          return;
        }
        repeated.add(`${event.type}:${status}`, { fields: { ...base, path, status, error: { message: reason } }, msg: `${status}: ${path}: ${reason}` }, (count, first) => ({
          fields: { ...base, status, count, paths: paths(first), error: first[0]?.fields["error"] },
          msg: `${status}: ${count} files in this sync, e.g. ${first.map((o) => o.msg.slice(status.length + 2)).join("; ")}; and ${count - first.length} more (sync-pipeline status lists them)`,
        }));
        return;
      }
      case "FileIndexed": {
        // A batch committed: the index is writable again.
        releaseUnwritable(base);
        const { path, blocks, warnings } = event;
        if (warnings.length === 0) {
          // Checked first: a catch-up publishes one of these per file, and at warn nobody reads them.
          if (debug) logger.debug({ ...base, path, blocks }, `indexed: ${path} (${blocks} blocks)`);
          return;
        }
        repeated.add(`${event.type}:warning`, { fields: { ...base, path, blocks, warnings }, msg: `warning: ${path}: ${warnings.join("; ")}` }, (count, first) => ({
          fields: { ...base, count, paths: paths(first) },
          msg: `warning: ${count} files indexed with warnings in this sync, e.g. ${first.map((o) => o.msg.slice("warning: ".length)).join("; ")}; and ${count - first.length} more (sync-pipeline status lists them)`,
        }));
        return;
      }
      case "ConflictDetected": {
        // A held page-name claim (index, manual) is one decision on one newcomer, logged as the other types are.
        if (event.conflict !== "pageNameClash" || event.strategy === "index" || event.strategy === "manual") {
          const { id, conflict, paths: where, strategy, status, resolution } = event;
          // Under timestamp the row says which side was newer: "applied timestamp (index)".
          const applied = resolution === undefined ? strategy : `${strategy} (${resolution})`;
          const outcome = status === "open" ? `open: sync-pipeline resolve ${id} --strategy filesystem|index` : `applied ${applied}`;
          logger.warn({ ...base, id, conflict, paths: where, strategy, status, ...(resolution === undefined ? {} : { resolution }) }, `conflict: #${id} ${conflict}: ${where.join(", ")} (${outcome})`);
          return;
        }
        const { name = "", paths: clashing } = event;
        repeated.add(event.type, { fields: { ...base, name, paths: clashing }, msg: `conflict: page "${name}" is defined by ${clashing.join(" and ")}` }, (count, first) => ({
          fields: { ...base, count, names: first.map((o) => o.fields["name"]), paths: paths(first) },
          msg: `conflict: ${count} page names are each defined by more than one file in this sync, e.g. ${first.map((o) => o.msg.slice("conflict: ".length)).join("; ")}; and ${count - first.length} more (sync-pipeline status lists the files)`,
        }));
        return;
      }
      case "FileSyncRetried": {
        const { path, attempt, delayMs, reason } = event;
        logger.info({ ...base, path, attempt, delayMs, error: { message: reason } }, `retrying: ${path} in ${delayMs} ms (attempt ${attempt} failed): ${reason}`);
        return;
      }
      case "FileChanged": {
        releaseUnwritable(base);
        const { path, change, from } = event;
        if (debug) logger.debug({ ...base, path, change, ...(from === undefined ? {} : { from }) }, `${change}: ${from ? `${from} -> ` : ""}${path}`);
        return;
      }
      case "SyncStarted":
        logger.info({ ...base, files: event.files, unchanged: event.unchanged });
        return;
      case "SyncCompleted": {
        repeated.flush();
        const { problems: _listed, durationMs, ...counts } = event.summary;
        logger.info({ ...base, durationMs, ...counts });
        return;
      }
    }
  };
  return { onEvent, flush: () => repeated.flush() };
}

/** The paths named by the first occurrences, in order, once each. */
function paths(first: readonly Occurrence[]): string[] {
  const all = first.flatMap((o) => {
    const { path, paths: many } = o.fields as { path?: string; paths?: string[] };
    return many ?? (path === undefined ? [] : [path]);
  });
  return [...new Set(all)];
}
