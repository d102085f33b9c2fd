import { dirname, resolve } from "node:path";
import process from "node:process";
import { pino, type DestinationStream, type Logger } from "pino";
import type { SyncConfiguration } from "../config/load-config.ts";

export type LogLevel = "silent" | "error" | "warn" | "info" | "debug";
export type { Logger };

/** `logLevel` (the old key) is kept as an alias so existing configs keep working; when present it wins. */
export function effectiveLogLevel(config: Pick<SyncConfiguration, "logLevel" | "log">): LogLevel {
  return config.logLevel ?? config.log.level;
}

/** Where the log goes: a file path resolved against the config's folder, or null for stderr. */
export function logFile(config: Pick<SyncConfiguration, "log" | "configPath">): string | null {
  return config.log.destination === "stderr" ? null : resolve(dirname(config.configPath), config.log.destination);
}

/**
 * The process's logger: pino JSON lines, or the record's short human line
 * (`msg`) in the text format. Text is the default on stderr because that is
 * what people (and journald) read, and the CLI's lines stay as they were;
 * JSON is the default in a file, where tools read it. A record with no `msg`
 * (sync start and end, which the CLI prints itself) has no text line.
 * `write` replaces stderr (a progress bar draws log lines above itself).
 */
export function createLogger(config: SyncConfiguration, options: { write?: (text: string) => void } = {}): Logger {
  const file = logFile(config);
  const json = config.log.format === "json" || (config.log.format === "auto" && file !== null);
  // Synchronous file writes: log lines are few (repeats are summarised) and
  // the CLI exits with process.exit, which would drop an async buffer.
  const sink: DestinationStream = file !== null
    ? pino.destination({ dest: file, sync: true, append: true, mkdir: true })
    : { write: options.write ?? ((text: string) => void process.stderr.write(text)) };
  return pino(
    {
      level: effectiveLogLevel(config),
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { error: pino.stdSerializers.err },
    },
    json ? sink : textLines(sink),
  );
}

/** Turns pino's JSON lines into their `msg` alone. */
function textLines(sink: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      const msg = (JSON.parse(line) as { msg?: unknown }).msg;
      if (typeof msg === "string") sink.write(msg + "\n");
    },
  };
}
