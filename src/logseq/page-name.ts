import type { GraphConfig } from "./types.ts";
import { formatJournalTitle, parseJournalFileName, parseJournalTitle } from "./dates.ts";

/** Lower-cased, NFC-normalised page name: how Logseq compares page names. */
export function normalizePageName(s: string): string {
  // below U+0300 (combining marks) no character changes under NFC
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x300) return s.normalize("NFC").toLowerCase();
  return s.toLowerCase();
}

/** decodeURIComponent that leaves invalid `%` sequences alone instead of throwing. */
export function safeDecode(s: string): string {
  if (s.indexOf("%") < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (seq) => {
      try {
        return decodeURIComponent(seq);
      } catch {
        return seq;
      }
    });
  }
}

/** The page title a file name encodes, per the graph's `:file/name-format`. */
export function titleFromFileName(baseName: string, format: GraphConfig["fileNameFormat"]): string {
  if (format === "triple-lowbar") {
    return safeDecode(baseName.replaceAll("___", "/").replace(/%2F/gi, "/"));
  }
  // legacy: namespaces were written with dots
  return safeDecode(baseName.replaceAll(".", "/"));
}

function splitPath(relPath: string): { dir: string; base: string } {
  const slash = relPath.lastIndexOf("/");
  const dir = slash < 0 ? "" : relPath.slice(0, slash);
  const file = slash < 0 ? relPath : relPath.slice(slash + 1);
  const dot = file.lastIndexOf(".");
  return { dir, base: dot > 0 ? file.slice(0, dot) : file };
}

function isUnder(dir: string, folder: string): boolean {
  const f = folder.replace(/^\/+|\/+$/g, "");
  return f !== "" && (dir === f || dir.startsWith(f + "/"));
}

/**
 * The page a file defines: `title::` wins, else the file name per
 * `:file/name-format`. Journals (a date-named file in the journals folder, or
 * a title parsing as a journal title) get the journal title and day number.
 */
export function pageIdentity(
  relPath: string,
  title: string | null,
  graph: GraphConfig,
): { name: string; originalName: string; journalDay: number | null } {
  const { dir, base } = splitPath(relPath);
  let journalDay: number | null = null;
  if (isUnder(dir, graph.journalsDirectory)) journalDay = parseJournalFileName(base);
  const t = title === null ? "" : title.trim();
  let originalName: string;
  if (t !== "") {
    originalName = t;
    if (journalDay === null) {
      journalDay =
        parseJournalTitle(t, graph.journalPageTitleFormat) ??
        parseJournalTitle(t, "yyyy-MM-dd") ??
        parseJournalTitle(t, "yyyy_MM_dd");
    }
  } else if (journalDay !== null) {
    originalName = formatJournalTitle(journalDay, graph.journalPageTitleFormat);
  } else {
    originalName = titleFromFileName(base, graph.fileNameFormat);
    if (originalName.toLowerCase() === "contents" && dir === graph.pagesDirectory) originalName = "Contents";
    journalDay =
      parseJournalTitle(originalName, graph.journalPageTitleFormat) ??
      parseJournalTitle(originalName, "yyyy-MM-dd") ??
      parseJournalTitle(originalName, "yyyy_MM_dd");
  }
  return { name: normalizePageName(originalName), originalName, journalDay };
}
