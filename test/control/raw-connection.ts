import { connect, type Socket } from "node:net";

/**
 * A raw client of a control socket, for tests that speak the wire format
 * directly: send any bytes, read reply lines, see when the server closes.
 */
export class RawConnection {
  readonly socket: Socket;
  readonly connected: Promise<void>;
  /** Resolves with every line received, once the server has closed the connection. */
  readonly closed: Promise<string[]>;
  #text = "";
  #waiters: (() => void)[] = [];

  constructor(path: string) {
    this.socket = connect(path);
    this.socket.setEncoding("utf8");
    this.connected = new Promise((resolve, reject) => {
      this.socket.once("connect", resolve);
      this.socket.once("error", reject);
    });
    this.socket.on("data", (chunk: string) => {
      this.#text += chunk;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    // ECONNRESET after the server's last line is the server closing too.
    this.socket.on("error", () => {});
    this.closed = new Promise((resolve) => this.socket.on("close", () => {
      for (const wake of this.#waiters.splice(0)) wake();
      resolve(this.lines());
    }));
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  lines(): string[] {
    return this.#text.split("\n").filter((line) => line !== "");
  }

  /** The `n`th reply line (0-based), parsed; fails if the connection closes first. */
  async reply(n = 0): Promise<unknown> {
    while (this.lines().length <= n) {
      if (this.socket.destroyed) throw new Error(`connection closed after ${this.lines().length} lines: ${this.#text}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return JSON.parse(this.lines()[n] as string);
  }

  /** One request, one reply. */
  async ask(request: unknown, n = this.lines().length): Promise<unknown> {
    this.send(JSON.stringify(request) + "\n");
    return this.reply(n);
  }

  end(): void {
    this.socket.destroy();
  }
}
