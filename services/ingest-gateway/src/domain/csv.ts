/**
 * RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF. Returns
 * the header and each data row as an object, with the 1-based line of the row in the file.
 */
export function parseCsv(text: string): { header: string[]; rows: Array<{ line: number; values: Record<string, string> }> } {
  const records: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else { if (c === '\n') line++; cell += c; }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') { cells.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      cells.push(cell);
      records.push({ line: startLine, cells });
      cells = []; cell = ''; line++; startLine = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length) { cells.push(cell); records.push({ line: startLine, cells }); }
  const nonEmpty = records.filter((r) => !(r.cells.length === 1 && r.cells[0].trim() === ''));
  const [head, ...body] = nonEmpty;
  const header = (head?.cells ?? []).map((h) => h.trim());
  return { header, rows: body.map((r) => ({ line: r.line, values: Object.fromEntries(header.map((h, i) => [h, (r.cells[i] ?? '').trim()])) })) };
}
