/** The CLI's exit codes. */
export const ExitCode = {
  ok: 0,
  /** The sync completed, but some files failed or were skipped (each recorded with its reason). */
  someFilesFailed: 1,
  /** Bad command line or invalid config. */
  usage: 2,
  /** Could not run at all: graph folder missing, database unusable or locked. */
  cannotRun: 3,
  /** `verify`: the index differs from the folder or from itself (after `--repair`: still differs). */
  indexDiffers: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
