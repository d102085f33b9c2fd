import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { configSchema, type SyncConfigurationInput } from "./schema.ts";
import { ConfigInvalid } from "./config-invalid.ts";

/** A validated, defaults-filled, frozen configuration with absolute paths. */
export type SyncConfiguration = Readonly<SyncConfigurationInput> & {
  /** The config file this came from (absolute). */
  readonly configPath: string;
};

const validate = new Ajv({ useDefaults: true, allErrors: true, strict: true }).compile(configSchema);

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
  const copy = structuredClone(data);
  if (!validate(copy)) {
    const details = (validate.errors ?? []).map(describeError).join("; ");
    throw new ConfigInvalid(`invalid config ${configPath}: ${details}`);
  }
  const base = dirname(configPath);
  const config = {
    ...(copy as SyncConfigurationInput),
    graph: resolve(base, copy.graph),
    database: resolve(base, copy.database),
    configPath,
  };
  return deepFreeze(config);
}

function describeError(error: ErrorObject): string {
  const field = error.instancePath === "" ? "" : error.instancePath.slice(1).replaceAll("/", ".");
  switch (error.keyword) {
    case "required":
      return `missing required field "${joinField(field, String(error.params["missingProperty"]))}"`;
    case "additionalProperties":
      return `unknown field "${joinField(field, String(error.params["additionalProperty"]))}"`;
    case "enum":
      return `field "${field}" must be one of ${(error.params["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return `field "${field || "(root)"}" ${error.message ?? "is invalid"}`;
  }
}

function joinField(parent: string, child: string): string {
  return parent === "" ? child : `${parent}.${child}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
