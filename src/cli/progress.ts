import cliProgress from "cli-progress";
import type { SyncDomainEvent } from "../pipeline/sync-domain-event.ts";

/** What a bar needs of its stream: a TTY's width and writes (cli-progress draws with cursor moves). */
type Terminal = NodeJS.WriteStream;

/**
 * Files one domain event finishes, of the files SyncStarted counted on disk.
 * A delete's path is no longer on disk, so it is not one of them. Unchanged
 * files are done from the start (SyncStarted counts them); merely touched
 * files publish no event: SyncCompleted brings the bar to its total.
 */
export function filesFinished(event: SyncDomainEvent): number {
  switch (event.type) {
    case "FileIndexed":
    case "FileSyncFailed":
      return 1;
    case "FileChanged":
      return event.change === "delete" ? 0 : 1;
    case "SyncStarted":
    case "SyncCompleted":
    case "ConflictDetected":
    case "FileSyncRetried":
      return 0;
  }
}

/**
 * The progress bar of a `run --once` on a terminal: files done of total,
 * rate and ETA, fed by the session's domain events. Log lines written
 * through `log` appear above the bar instead of tearing through it.
 */
export class SyncProgressBar {
  readonly #terminal: Terminal;
  readonly #now: () => number;
  readonly #bars: cliProgress.MultiBar;
  #bar: cliProgress.SingleBar | undefined;
  #total = 0;
  #done = 0;
  /** Files done before any work (unchanged): not part of the rate. */
  #doneAtStart = 0;
  #startedAt = 0;

  constructor(terminal: Terminal, options: { now?: () => number } = {}) {
    this.#terminal = terminal;
    this.#now = options.now ?? Date.now;
    this.#bars = new cliProgress.MultiBar({
      stream: terminal,
      format: "Syncing [{bar}] {value}/{total} files | {rate} files/s | ETA {eta_formatted}",
      barsize: 30,
      // Leave the terminal's modes alone: Ctrl-C ends `run --once` without
      // stopping the bar, and would leave the cursor hidden or wrapping off.
      // With wrapping on, cli-progress cuts the line to the terminal's width.
      hideCursor: false,
      linewrap: true,
      // run-command stops the bar itself; cli-progress's own handler would race the service's.
      gracefulExit: false,
    });
  }

  readonly onEvent = (event: SyncDomainEvent): void => {
    if (event.type === "SyncStarted") {
      this.#total = event.files;
      this.#done = Math.min(event.unchanged, event.files);
      this.#doneAtStart = this.#done;
      this.#startedAt = this.#now();
      this.#bar = this.#bars.create(event.files, this.#done, { rate: "0.0" });
      return;
    }
    if (this.#bar === undefined) return;
    if (event.type === "SyncCompleted") {
      this.#done = this.#total;
    } else {
      // A failed delete also publishes FileSyncFailed: never count past the total.
      this.#done = Math.min(this.#total, this.#done + filesFinished(event));
    }
    this.#bar.update(this.#done, { rate: this.#rate() });
    if (event.type === "SyncCompleted") this.stop();
  };

  /** Writes `text` (whole lines) above the bar, or straight to the terminal when no bar is drawn. */
  log(text: string): void {
    if (this.#bar === undefined) this.#terminal.write(text);
    else this.#bars.log(text);
  }

  /** Draws the final state and leaves the cursor on the next line; safe to call more than once. */
  stop(): void {
    if (this.#bar === undefined) return;
    // MultiBar.stop does not write lines still waiting in its log buffer: redraw once first.
    this.#bars.update();
    this.#bars.stop();
    this.#bar = undefined;
  }

  #rate(): string {
    const seconds = (this.#now() - this.#startedAt) / 1000;
    return seconds > 0 ? ((this.#done - this.#doneAtStart) / seconds).toFixed(1) : "0.0";
  }
}
