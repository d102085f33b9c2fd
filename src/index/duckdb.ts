// The values of @duckdb/node-api, loaded by `require`. The package is
// CommonJS: an ESM `import` of it makes Node run cjs-module-lexer over every
// file it re-exports, 180-215 ms per process or thread against 80-125 ms by
// `require` (measured here, four fresh processes each). Every thread that
// opens the index pays it: the writer of each `run`, and each `search`,
// `status` or `verify` process. Types still come from the package itself
// (`import type`, erased at build).
import { createRequire } from "node:module";

const duckdb = createRequire(import.meta.url)("@duckdb/node-api") as typeof import("@duckdb/node-api");

export const { DuckDBInstance, DuckDBConnection, BIGINT, DOUBLE, INTEGER, LIST, VARCHAR, listValue, timestampValue } = duckdb;
// The classes are types too, as when imported from the package.
export type DuckDBInstance = import("@duckdb/node-api").DuckDBInstance;
export type DuckDBConnection = import("@duckdb/node-api").DuckDBConnection;
