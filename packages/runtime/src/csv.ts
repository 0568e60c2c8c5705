import { parse } from 'csv-parse/sync';

export interface CsvTable {
  header: string[];
  /** Each data row with the file line it starts on (a quoted cell may span lines). */
  rows: Array<{ line: number; cells: string[] }>;
}

/**
 * RFC 4180 CSV (csv-parse): quoted cells may hold commas, "" and line breaks; CRLF or LF; a BOM
 * from spreadsheet exports and blank lines are skipped. Throws an Error naming the line on
 * malformed input (an unterminated quote, a stray quote).
 */
export function readCsv(text: string): CsvTable {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n', '\r'] }) as unknown as typeof records;
  } catch (error) {
    throw new Error(`malformed CSV: ${(error as Error).message}`);
  }
  // csv-parse reports the line a record ends on; the person reading the file wants where it starts.
  const rows = records.map(({ record, info }) => ({ line: info.lines - (record.join('').match(/\n/g)?.length ?? 0), cells: record }));
  const [head, ...body] = rows;
  return { header: (head?.cells ?? []).map((h) => h.trim()), rows: body };
}
