import { writeFileSync } from "node:fs";
import { configSchema } from "./schema.ts";

/** `config.schema.json` exactly as the repository holds it. */
export function schemaJson(): string {
  return JSON.stringify(configSchema, null, 2) + "\n";
}

// `npm run schema` regenerates the published schema from src/config/schema.ts.
if (import.meta.url.endsWith(process.argv[1]?.replace(/\\/g, "/") ?? "\0")) {
  writeFileSync(new URL("../../../config.schema.json", import.meta.url), schemaJson());
}
