import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { join } from "node:path";
import process from "node:process";
import { REPO_ROOT } from "../service/service-harness.ts";

/** The real `sync-pipeline mcp` as a child process, driven by the SDK's own client over stdio. */
export type McpSession = {
  client: Client;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Transport errors: a line on stdout that is not a protocol message lands here. */
  errors: Error[];
  close(): Promise<void>;
};

export async function startMcp(configPath: string): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(REPO_ROOT, "bin", "sync-pipeline.js"), "mcp", "--config", configPath],
    cwd: REPO_ROOT,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const client = new Client({ name: "sync-pipeline-test", version: "1.0.0" });
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  return { client, stderr: () => stderr, errors, close: () => client.close() };
}

export type ToolOutcome = { isError: boolean; structured?: unknown; text: string };

/** One tool call, reduced to what a test compares. */
export async function callTool(session: McpSession, name: string, args: Record<string, unknown>): Promise<ToolOutcome> {
  const result = await session.client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text?: string }[];
  const text = content.map((part) => part.text ?? "").join("");
  const outcome: ToolOutcome = { isError: result.isError === true, text };
  if (result.structuredContent !== undefined) {
    outcome.structured = result.structuredContent;
    // The text a model reads says the same as the structured content.
    if (JSON.stringify(JSON.parse(text)) !== JSON.stringify(result.structuredContent)) throw new Error(`${name}: text and structured content differ`);
  }
  return outcome;
}
