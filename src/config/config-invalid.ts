/** The configuration file is missing, unreadable, not JSON or does not match the schema. */
export class ConfigInvalid extends Error {
  readonly code = "CONFIG_INVALID";
  override name = "ConfigInvalid";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
