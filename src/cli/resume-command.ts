import { pauseCommand } from "./pause-command.ts";

/** ResumeSyncOperations: the service applies every change collected while paused. */
export function resumeCommand(args: { config: string; json: boolean }): Promise<number> {
  return pauseCommand(args, "resume");
}
