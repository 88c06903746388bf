import { describe, expect, it } from 'vitest';
import { csvField, csvRecord, decimalAmount } from './csv.js';

describe('csv', () => {
  it('quotes as RFC 4180 has it: commas, quotes and line breaks inside quotes, quotes doubled', () => {
    expect(csvRecord(['plain', 'a,b', 'say "hi"', 'two\nlines', 3])).toBe('plain,"a,b","say ""hi""","two\nlines",3\r\n');
    expect(csvField('')).toBe('');
  });

  it('defuses text a spreadsheet would run as a formula with a leading apostrophe', () => {
    expect(csvField('=HYPERLINK("http://evil.example","click")')).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(csvField('+1+1')).toBe("'+1+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1:A2)')).toBe("'@SUM(A1:A2)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('a=b')).toBe('a=b');
  });

  it('leaves plain numbers, negative ones included, as numbers', () => {
    expect(csvField('-5.00')).toBe('-5.00');
    expect(csvField('19.00')).toBe('19.00');
    expect(csvField(-4)).toBe('-4');
  });

  it('writes minor units as the currency’s decimal amount', () => {
    expect(decimalAmount(1900, 'EUR')).toBe('19.00');
    expect(decimalAmount(5, 'EUR')).toBe('0.05');
    expect(decimalAmount(0, 'EUR')).toBe('0.00');
    expect(decimalAmount(-150, 'USD')).toBe('-1.50');
    expect(decimalAmount(500, 'JPY')).toBe('500');
    expect(decimalAmount(1234, 'KWD')).toBe('1.234');
    expect(decimalAmount(123_456_789_01, 'EUR')).toBe('123456789.01');
  });
});
