// The search rows alone, without the rest of `npm run bench`:
//
//   node dist/bench/search-only.js --files 20000            (generates and indexes a graph, as the full bench does)
//   node dist/bench/search-only.js --graph DIR --database F  (an index already built from DIR; opened read-only)
//     add --typing-rounds N for the as-you-type row: a service started on that index, queries typed through its socket
//   node dist/bench/search-only.js                           (the search-quality row on ../shared/graphs/logseq-docs only)
//
// Add --cli-runs N for the `search --json` process row too (generated graphs only).
import process from "node:process";
import { parseArgs } from "node:util";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { removeAll, tempDir } from "./lib/workspace.ts";
import { searchTypingRow } from "./scenarios/search-typing.ts";
import { textTable } from "./report/table.ts";
import { searchLatencyRows, searchScenario } from "./scenarios/search.ts";
import { docsQualityRow } from "./scenarios/search-quality.ts";
import { openDatabase } from "../src/index/database.ts";

const { values } = parseArgs({
  options: {
    files: { type: "string" },
    graph: { type: "string" },
    database: { type: "string" },
    "cli-runs": { type: "string", default: "0" },
    "typing-rounds": { type: "string", default: "0" },
  },
  strict: true,
});
const log = (line: string) => process.stderr.write(`[search-only] ${line}\n`);
try {
  if (values.graph !== undefined && values.database !== undefined) {
    const db = await openDatabase(values.database, { create: false, readOnly: true });
    const count = async (table: string) => Number((await db.connection.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0]?.[0]);
    const [files, blocks] = [await count("files"), await count("blocks")];
    db.close();
    const { rows, typing } = await searchLatencyRows(values.database, values.graph, files, blocks, log);
    const rounds = Number(values["typing-rounds"]);
    if (rounds > 0) {
      const config = join(await tempDir("search-typing"), "config.json");
      await writeFile(config, JSON.stringify({ graph: values.graph, database: values.database, logLevel: "warn" }));
      rows.push(await searchTypingRow(config, values.database, files, blocks, typing.slice(0, rounds), log));
    }
    process.stdout.write(textTable(rows));
  } else if (values.files === undefined && values.graph === undefined) {
    process.stdout.write(textTable([await docsQualityRow(log)]));
  } else {
    const files = Number(values.files ?? "1000");
    if (!Number.isInteger(files) || files < 100) throw new RangeError("--files must be a whole number of at least 100");
    process.stdout.write(textTable(await searchScenario(files, { cliRuns: Number(values["cli-runs"]) }, log)));
  }
} finally {
  await removeAll();
}
