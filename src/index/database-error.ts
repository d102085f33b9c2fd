/** The database file cannot be opened or is not an index this version understands. */
export class DatabaseError extends Error {
  readonly code: "DATABASE_LOCKED" | "DATABASE_INVALID" | "DATABASE_MISSING";
  override name = "DatabaseError";
  constructor(code: DatabaseError["code"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
