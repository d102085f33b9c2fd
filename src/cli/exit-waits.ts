/**
 * What must end before the CLI calls `process.exit` (main.ts). One thing so
 * far: a writer thread bin/ started (prestartWriter) that no command adopted.
 * `process.exit` terminates worker threads wherever they are, and one cut
 * while loading DuckDB's addon aborts the whole process (SIGABRT) instead of
 * exiting with the command's code.
 */
const waits: (() => Promise<void>)[] = [];

export function waitBeforeExit(wait: () => Promise<void>): void {
  waits.push(wait);
}

export async function settleBeforeExit(): Promise<void> {
  await Promise.allSettled(waits.splice(0).map((wait) => wait()));
}
