/** `text` as an SQL string literal (for names DuckDB cannot take as a parameter: file paths in COPY, read_json, read_parquet). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
