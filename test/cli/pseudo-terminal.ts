import { spawn, spawnSync } from "node:child_process";

/**
 * Runs a command with its stderr on a pseudo-terminal (stdout stays a pipe),
 * through python3's `pty` module: Node has no pty of its own. The terminal
 * is 120 columns wide, as a person's would be.
 */
const PTY_RUNNER = String.raw`
import fcntl, os, pty, struct, subprocess, sys, termios
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stderr=slave)
os.close(slave)
seen = bytearray()
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: every writer closed the terminal
        break
    if not chunk:
        break
    seen += chunk
code = child.wait()
sys.stderr.buffer.write(bytes(seen))
sys.exit(code)
`;

export type TerminalRun = { code: number | null; stdout: string; terminal: string };

/** Whether python3 is here to open a pseudo-terminal. */
export function havePython(): boolean {
  return spawnSync("python3", ["-c", "import pty"], { stdio: "ignore" }).status === 0;
}

export function runOnTerminal(command: string[], options: { cwd: string; timeoutMs?: number }): Promise<TerminalRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["-c", PTY_RUNNER, ...command], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let terminal = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (terminal += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, terminal });
    });
  });
}

/**
 * What a person reads on the terminal, line by line: escape sequences
 * removed, a line redrawn after a carriage return keeps its last drawing,
 * and blank lines are dropped.
 */
export function screenLines(terminal: string): string[] {
  // Cursor to column n (cli-progress redraws with "ESC[1G") acts as a carriage return; other sequences draw nothing.
  const plain = terminal.replace(/\x1b\[\d*G/g, "\r").replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
  return plain
    .split(/\r?\n/)
    .map((line) => line.split("\r").filter((drawing) => drawing !== "").at(-1) ?? "")
    .filter((line) => line !== "");
}
