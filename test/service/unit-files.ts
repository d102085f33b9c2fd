import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** What a service manager would start and how it would stop it, read from one of contrib/'s files. */
export type UnitCommand = { argv: string[]; stopSignal: NodeJS.Signals; settings: Record<string, string> };

/**
 * Reads the [Service] section of a systemd unit: `Key=value` lines (the
 * last one wins, as systemd does), ExecStart split into words with
 * systemd's quoting and `%h` (the home folder) and `%%` expanded.
 */
export async function readSystemdUnit(path: string, home: string): Promise<UnitCommand> {
  const settings: Record<string, string> = {};
  let section = "";
  for (const raw of (await readFile(path, "utf8")).split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1] as string;
    else if (section === "Service") {
      const eq = line.indexOf("=");
      if (eq > 0) settings[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
  }
  const exec = settings["ExecStart"];
  if (exec === undefined) throw new Error(`${path}: no ExecStart in [Service]`);
  const specifiers = (word: string) => word.replace(/%([%h])/g, (_m, s: string) => (s === "h" ? home : "%"));
  return { argv: splitWords(exec).map(specifiers), stopSignal: (settings["KillSignal"] ?? "SIGTERM") as NodeJS.Signals, settings };
}

/** Words of a command line: whitespace separates, double or single quotes group, a backslash escapes. */
function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else if (quote !== null) {
      if (c === quote) quote = null;
      else word = (word ?? "") + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= "";
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (quote !== null) throw new Error(`unclosed ${quote} in ${line}`);
  if (word !== null) words.push(word);
  return words;
}

/**
 * Reads a launchd agent: ProgramArguments and the folder it runs in.
 * launchd stops a job with SIGTERM (then SIGKILL after ExitTimeOut).
 */
export async function readLaunchdPlist(path: string): Promise<UnitCommand> {
  const xml = await readFile(path, "utf8");
  const withoutComments = xml.replace(/<!--[\s\S]*?-->/g, "");
  const settings: Record<string, string> = {};
  for (const m of withoutComments.matchAll(/<key>([^<]+)<\/key>\s*<(string|integer)>([^<]*)<\/\2>/g)) settings[m[1] as string] = unescapeXml(m[3] as string);
  for (const m of withoutComments.matchAll(/<key>([^<]+)<\/key>\s*<(true|false)\/>/g)) settings[m[1] as string] = m[2] as string;
  const args = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(withoutComments);
  if (!args) throw new Error(`${path}: no ProgramArguments`);
  const argv = [...(args[1] as string).matchAll(/<string>([^<]*)<\/string>/g)].map((m) => unescapeXml(m[1] as string));
  return { argv, stopSignal: "SIGTERM", settings };
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

export const CONTRIB = (repoRoot: string) => ({
  systemd: join(repoRoot, "contrib", "sync-pipeline.service"),
  launchd: join(repoRoot, "contrib", "sync-pipeline.plist"),
});
