// The module hooks of module-log.ts: they run in Node's loader thread.
import { appendFileSync } from "node:fs";

type ResolveResult = { url: string };
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

let file = "";
let thread = 0;

export function initialize(data: { file: string; threadId: number }): void {
  file = data.file;
  thread = data.threadId;
}

export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<ResolveResult> {
  const result = await next(specifier, context);
  appendFileSync(file, `${thread} ${result.url}\n`);
  return result;
}
