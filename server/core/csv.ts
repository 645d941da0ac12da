import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';

/**
 * A cell that a spreadsheet would run as a formula (=, +, -, @, tab, carriage
 * return first) is prefixed with an apostrophe (OWASP "CSV injection").
 * Numbers stay numbers.
 */
export function safeCell(value: unknown): string | number {
  if (typeof value === 'number') return value;
  const text = value === null || value === undefined ? '' : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Sends rows as a UTF-8 CSV download (with a BOM, so spreadsheets read accents right). */
export function sendCsv(res: Response, filename: string, header: string[], rows: unknown[][]): void {
  const body = stringify([header.map(safeCell), ...rows.map((row) => row.map(safeCell))], { bom: true });
  res.set({
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`,
    'Cache-Control': 'private, no-store',
  });
  res.send(body);
}
