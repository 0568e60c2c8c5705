/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes, "" for a quote inside one,
 * CRLF or LF line ends. Returns rows of cells; a blank line is skipped.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a BOM from spreadsheet exports
  const endRow = () => {
    row.push(cell);
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') (row.push(cell), (cell = ''));
    else if (ch === '\n') endRow();
    else if (ch !== '\r') cell += ch;
  }
  if (quoted) throw new Error('unterminated quoted field at the end of the file');
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}
