import { csvField, parseCsv, toCsv } from './csv';

describe('csvField', () => {
  it('leaves plain text and numbers bare', () => {
    expect(csvField('svc-payments')).toBe('svc-payments');
    expect(csvField(42)).toBe('42');
    expect(csvField(0.8333)).toBe('0.8333');
    expect(csvField(true)).toBe('true');
  });

  it('writes null, undefined and non-finite numbers as empty fields', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('writes large integers in full, not in exponent form', () => {
    expect(csvField(1e21)).toBe('1000000000000000000000');
  });

  it('quotes commas, quotes, CR and LF, doubling inner quotes (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField('x\ry')).toBe('"x\ry"');
  });
});

describe('toCsv', () => {
  const columns = [
    { header: 'service', value: (r: { s: string; n: number | null }) => r.s },
    { header: 'count', value: (r: { s: string; n: number | null }) => r.n },
  ];

  it('writes a header and one CRLF-terminated record per row', () => {
    expect(toCsv(columns, [{ s: 'a', n: 1 }, { s: 'b', n: null }])).toBe('service,count\r\na,1\r\nb,\r\n');
  });

  it('writes only the header for no rows', () => {
    expect(toCsv(columns, [])).toBe('service,count\r\n');
  });

  it('reads back exactly what it wrote, awkward values included', () => {
    const rows = [
      { s: 'plain', n: 1 },
      { s: 'comma, inside', n: 2 },
      { s: '"quoted"', n: 3 },
      { s: 'multi\r\nline', n: null },
      { s: '', n: 0 },
    ];
    expect(parseCsv(toCsv(columns, rows))).toEqual([['service', 'count'], ...rows.map((r) => [r.s, r.n === null ? '' : String(r.n)])]);
  });
});

describe('parseCsv', () => {
  it('accepts LF line ends and a last record without one', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('keeps empty fields', () => {
    expect(parseCsv(',x,\r\n')).toEqual([['', 'x', '']]);
  });

  it('refuses malformed quoting', () => {
    expect(() => parseCsv('"abc')).toThrow('unterminated');
    expect(() => parseCsv('"a"b,c')).toThrow('after a closing quote');
    expect(() => parseCsv('ab"c,d')).toThrow('quote inside an unquoted field');
  });
});

describe('spreadsheet formulas in text cells (CSV injection)', () => {
  it.each(['=HYPERLINK("http://evil","x")', '+1+cmd|/C calc!A0', '-2+3', '@SUM(A1:A2)', '\t=1+1', '\r=1+1'])('prefixes %j with a quote', (text) => {
    const [[field]] = parseCsv(`${csvField(text)}\r\n`);
    expect(field).toBe(`'${text}`);
  });

  it('keeps numbers, negative ones too, as numbers', () => {
    expect(csvField(-3)).toBe('-3');
    expect(csvField(-0.25)).toBe('-0.25');
    expect(csvField(0)).toBe('0');
  });

  it('treats numeric-looking text as text: it is neutralised, not passed as a number', () => {
    expect(csvField('-1')).toBe("'-1");
  });

  it('leaves text with a formula character further in alone', () => {
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField('svc-payments')).toBe('svc-payments');
    expect(csvField("'already quoted")).toBe("'already quoted");
  });

  it('neutralises and quotes a cell that is both a formula and holds a comma', () => {
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
  });

  it('neutralises header text and every record in toCsv', () => {
    const csv = toCsv([{ header: 'title', value: (r: { t: string }) => r.t }], [{ t: '=cmd()' }]);
    expect(parseCsv(csv)).toEqual([['title'], ["'=cmd()"]]);
  });
});
