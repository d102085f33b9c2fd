import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { copyFile, open, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { openDatabase } from "../../src/index/database.ts";

/**
 * Ways an index file breaks, each made for real on a file a sync wrote.
 * Offsets are of DuckDB's format: a 4 KiB main header (checksum, "DUCK",
 * storage version), two 4 KiB database headers, then 256 KiB blocks.
 */
export const BREAKS: Record<string, (database: string) => Promise<void>> = {
  // With a write-ahead log beside it, which --rebuild must move aside with it.
  "garbage bytes": async (database) => {
    await writeFile(database, "this is not a database\n".repeat(500));
    await writeFile(database + ".wal", "nor is this a log\n");
  },
  // The main header's checksum no longer matches: DuckDB says "... in block at location 0".
  "a damaged header": async (database) => {
    const file = await open(database, "r+");
    try {
      await file.write(Buffer.from([0x5a]), 0, 1, 100);
    } finally {
      await file.close();
    }
  },
  "a file truncated inside its headers": (database) => truncate(database, 8192),
  "a file truncated after its headers": (database) => truncate(database, 300_000),
  "a file of a newer DuckDB storage format": async (database) => {
    const bytes = await readFile(database);
    bytes.writeBigUInt64LE(99n, 12);
    bytes.writeBigUInt64LE(headerChecksum(bytes.subarray(8, 4096)), 0);
    await writeFile(database, bytes);
  },
  "an index of a newer sync-pipeline": async (database) => {
    const db = await openDatabase(database, { create: false });
    try {
      await db.connection.run(`UPDATE sync_state SET value = '99' WHERE key = 'schema_version'`);
      await db.connection.run(`CHECKPOINT`);
    } finally {
      db.close();
    }
  },
};

/**
 * A damaged data block: the file opens, and only a query that reads the
 * block fails (DuckDB checks each block's checksum when it loads it). Which
 * block holds the rows depends on how the file was written, so each 256 KiB
 * block is tried on a copy: the first whose damage leaves the file opening
 * but a read of every table's content failing is damaged in the file itself.
 */
export async function damageBlock(database: string): Promise<void> {
  const size = (await stat(database)).size;
  const probe = `${database}.probe`;
  for (let offset = 3 * 4096 + 16; offset < size; offset += 262_144) {
    await copyFile(database, probe);
    await poke(probe, offset);
    let opens = false;
    try {
      const db = await openDatabase(probe, { create: false, readOnly: true });
      opens = true;
      try {
        await db.connection.run(`SELECT (SELECT count(content) FROM blocks), (SELECT count(properties) FROM pages),
          (SELECT sum(tf) FROM fts_postings), (SELECT count(term) FROM fts_terms), (SELECT count(path) FROM files)`);
      } finally {
        db.close();
      }
      continue;
    } catch {
      if (!opens) continue;
    } finally {
      await rm(probe, { force: true });
      await rm(`${probe}.wal`, { force: true });
    }
    await poke(database, offset);
    return;
  }
  throw new Error(`no block of ${database} whose damage leaves it opening while a read fails`);
}

async function poke(path: string, offset: number): Promise<void> {
  const file = await open(path, "r+");
  try {
    await file.write(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4, offset);
  } finally {
    await file.close();
  }
}

/** DuckDB's block checksum (storage/checksum.cpp): 5381, xor of each 64-bit word times a constant. */
function headerChecksum(bytes: Buffer): bigint {
  let sum = 5381n;
  for (let i = 0; i + 8 <= bytes.length; i += 8) sum ^= (bytes.readBigUInt64LE(i) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  return sum;
}

export { AS_NOBODY } from "../support/nobody.ts";

export function hasSetpriv(): boolean {
  try {
    execFileSync("setpriv", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
