import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import type { ErrorObject } from "ajv";
import { validate as precompiled } from "./config-validator.ts";
import type { SyncConfigurationInput, ValidatedConfig } from "./schema.ts";
import { ConfigInvalid } from "./config-invalid.ts";
import { checkConfigDepth, shortField } from "./config-depth.ts";

/** A validated, defaults-filled, frozen configuration with absolute paths. */
export type SyncConfiguration = Readonly<SyncConfigurationInput> & {
  /** The config file this came from (absolute). */
  readonly configPath: string;
};

/** Errors listed in a ConfigInvalid message; the rest are counted ("… and N more"). */
const MAX_LISTED_ERRORS = 10;

/**
 * The schema's validator, precompiled by ajv standalone (`npm run schema`,
 * a test keeps it in step with the schema): a start no longer imports ajv
 * and compiles the schema, which cost a no-op run 100-400 ms of CPU.
 */
const validate = precompiled as unknown as ((data: unknown) => data is SyncConfigurationInput) & { errors?: ErrorObject[] | null };

/** Reads, validates and freezes a config file. Throws ConfigInvalid naming the field and rule. */
export async function loadConfig(path: string): Promise<SyncConfiguration> {
  const configPath = resolve(path);
  let text: string;
  try {
    text = await readFile(configPath, "utf8");
  } catch (cause) {
    throw new ConfigInvalid(`cannot read config file ${configPath}: ${(cause as Error).message}`, { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new ConfigInvalid(`config file ${configPath} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseConfig(data, configPath);
}

/** Validates an already-parsed config object; relative paths resolve against `configPath`'s folder. */
export function parseConfig(data: unknown, configPath: string): SyncConfiguration {
  checkConfigDepth(data, configPath);
  const copy = structuredClone(data);
  if (!validate(copy)) {
    const errors = validate.errors ?? [];
    const listed = errors.slice(0, MAX_LISTED_ERRORS).map(describeError);
    if (errors.length > MAX_LISTED_ERRORS) listed.push(`… and ${errors.length - MAX_LISTED_ERRORS} more`);
    throw new ConfigInvalid(`invalid config ${configPath}: ${listed.join("; ")}`);
  }
  const base = dirname(configPath);
  const { parsing } = copy.pools;
  const config: SyncConfiguration = {
    ...copy,
    pools: { ...copy.pools, parsing: { ...parsing, threads: parsing.threads ?? defaultParsingThreads() } },
    graph: resolve(base, copy.graph),
    database: resolve(base, copy.database),
    configPath,
  };
  return deepFreeze(config);
}

/**
 * Parsing threads when the config names none: half the cores, at least 1.
 * A full index waits on the single index writer and DuckDB (issue #8), so
 * parsing threads past half the cores only take cores from them: on 2
 * cores, 20,000 files indexed in 6.4-6.8 s with 1 thread against 6.8-7.1 s
 * with 2 (4 interleaved runs each), peak RSS 539-580 MB against 625-647.
 */
export function defaultParsingThreads(cores: number = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

function describeError(error: ErrorObject): string {
  // instancePath is a JSON Pointer: "/a/b", with "~1" for "/" and "~0" for "~" inside names.
  const segments = error.instancePath === "" ? [] : error.instancePath.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  const field = shortField(segments);
  switch (error.keyword) {
    case "required":
      return `missing required field "${shortField([...segments, String(error.params["missingProperty"])])}"`;
    case "additionalProperties":
      return `unknown field "${shortField([...segments, String(error.params["additionalProperty"])])}"`;
    case "enum":
      return `field "${field}" must be one of ${(error.params["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return `field "${field || "(root)"}" ${error.message ?? "is invalid"}`;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
