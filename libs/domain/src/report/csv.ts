/**
 * CSV as RFC 4180 says: CRLF between records, a field quoted when it holds a comma, a double
 * quote, CR or LF, and a double quote inside a quoted field doubled. Spreadsheets and `csv`
 * parsers then read back exactly the values written, whatever a service name contains.
 */

export type CsvValue = string | number | boolean | null | undefined;

/** One column: its header and how a row gives its value. */
export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => CsvValue;
}

/**
 * Text a spreadsheet would run as a formula (CSV injection, OWASP): a leading `=`, `+`, `-`,
 * `@`, tab or carriage return. Such a cell gets a leading `'`, which spreadsheets show as text
 * and do not evaluate. Numbers are written by the writer itself, never from user text, so a
 * negative number (`-3`) stays a number; only strings are neutralised, even ones that look
 * numeric (`"-1"` as text is written `'-1`): a string field never turns into a formula or a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One field: null and undefined are empty; numbers are written in full, never in exponent form where avoidable. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? numberText(value) : neutraliseFormula(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  return Number.isInteger(value) ? BigInt(value).toString() : String(value);
}

/** A header record, then one record per row; every record ends with CRLF. */
export function toCsv<Row>(columns: readonly CsvColumn<Row>[], rows: readonly Row[]): string {
  const records = [columns.map((c) => csvField(c.header)), ...rows.map((row) => columns.map((c) => csvField(c.value(row))))];
  return records.map((fields) => `${fields.join(',')}\r\n`).join('');
}

/**
 * Reads RFC 4180 text back into records of fields (quoted fields may hold commas, quotes and
 * line breaks). Throws on a malformed quote, so a writer bug cannot pass unnoticed.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') throw new Error(`malformed CSV: text after a closing quote at ${i}`);
        continue;
      }
      field += c;
      i += 1;
      continue;
    }
    if (c === '"') {
      if (fieldStarted && field.length > 0) throw new Error(`malformed CSV: quote inside an unquoted field at ${i}`);
      quoted = true;
      fieldStarted = true;
      i += 1;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
      i += 1;
    } else if (c === '\r' || c === '\n') {
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
      fieldStarted = false;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      fieldStarted = true;
      i += 1;
    }
  }
  if (quoted) throw new Error('malformed CSV: unterminated quoted field');
  if (fieldStarted || fields.length > 0) {
    fields.push(field);
    records.push(fields);
  }
  return records;
}
