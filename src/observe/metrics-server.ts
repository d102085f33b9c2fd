import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** Loopback only: the metrics name files and folders of the user's notes. */
export const METRICS_HOST = "127.0.0.1";

/** A health answer as /healthz serves it (see health.ts). */
export type HealthAnswer = { healthy: boolean };

/**
 * The metrics port: GET /metrics (Prometheus text format) and GET /healthz
 * (200 healthy, 503 unhealthy, the report as JSON). Anything else is 404.
 */
export class MetricsServer {
  readonly #server: Server;
  readonly port: number;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  static async listen(port: number, registry: Registry, health: () => Promise<HealthAnswer>): Promise<MetricsServer> {
    const server = createServer((request, response) => {
      const path = (request.url ?? "/").split("?")[0];
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.writeHead(405, { allow: "GET, HEAD" }).end();
        return;
      }
      const reply = (status: number, type: string, body: string) => response.writeHead(status, { "content-type": type }).end(body);
      const failed = (error: unknown) => reply(500, "text/plain; charset=utf-8", `${error instanceof Error ? error.message : String(error)}\n`);
      if (path === "/metrics") {
        registry.metrics().then((text) => reply(200, registry.contentType, text), failed);
      } else if (path === "/healthz") {
        health().then((report) => reply(report.healthy ? 200 : 503, "application/json", JSON.stringify(report) + "\n"), failed);
      } else {
        reply(404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n");
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, METRICS_HOST, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return new MetricsServer(server, (server.address() as AddressInfo).port);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
