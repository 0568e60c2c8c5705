import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.ts';

describe('readCsv', () => {
  it('reads quoted cells with commas, quotes and line breaks, numbering rows by the line they start on', () => {
    const table = readCsv('\uFEFFinvoiceId,note\r\nA-1,"No, ""1""\nsecond line"\r\n\r\nA-2,x\n');
    expect(table.header).toEqual(['invoiceId', 'note']);
    expect(table.rows).toEqual([{ line: 2, cells: ['A-1', 'No, "1"\nsecond line'] }, { line: 5, cells: ['A-2', 'x'] }]);
  });

  it('refuses an unterminated quote', () => {
    expect(() => readCsv('a,b\n1,"open\n2,3')).toThrow(/malformed CSV: Quote Not Closed/);
  });

  it('reads an empty file as no header and no rows', () => {
    expect(readCsv('')).toEqual({ header: [], rows: [] });
  });
});
