import { describe, expect, it } from 'vitest';
import { EU_STANDARD_RATES } from '../platform/db/migrations/021-tax-discounts-credit-notes.js';
import {
  EU_MEMBER_STATES,
  bpToPercent,
  categoryProblem,
  dayStart,
  expectedVatIdFormat,
  isCountry,
  isEuMember,
  isEuVatIdFormat,
  normaliseVatId,
  percentToBp,
  rateAt,
  ratesFor,
  taxTreatment,
  vatIdProblem,
  type TaxRateRow,
} from './tax.rules.js';

const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
let nextId = 1;
const row = (country: string, rateBp: number, from: string, category = 'standard'): TaxRateRow => ({
  id: nextId++,
  country,
  category,
  rateBp,
  validFrom: day(from),
  note: '',
});

describe('the rate for a country, category and day', () => {
  const rows = [
    row('DE', 1600, '2020-07-01'),
    row('DE', 1900, '2007-01-01'),
    row('DE', 1900, '2021-01-01'),
    row('DE', 700, '2007-01-01', 'ebook'),
    row('FI', 2400, '2013-01-01'),
    row('FI', 2550, '2024-09-01'),
    row('US', 0, '2000-01-01'),
    row('CH', 810, '2024-01-01'),
  ];
  it.each([
    ['DE', 'standard', '2006-12-31T23:59:59Z', 0],
    ['DE', 'standard', '2007-01-01T00:00:00Z', 1900],
    ['DE', 'standard', '2020-06-30T23:59:59Z', 1900],
    ['DE', 'standard', '2020-07-01T00:00:00Z', 1600],
    ['DE', 'standard', '2020-12-31T12:00:00Z', 1600],
    ['DE', 'standard', '2021-01-01T00:00:00Z', 1900],
    ['DE', 'standard', '2030-01-01T00:00:00Z', 1900],
    ['DE', 'ebook', '2026-05-01T00:00:00Z', 700],
    ['DE', 'reduced', '2026-05-01T00:00:00Z', 1900],
    ['DE', 'reduced', '2006-05-01T00:00:00Z', 0],
    ['FI', 'standard', '2024-08-31T23:59:59.999Z', 2400],
    ['FI', 'standard', '2024-09-01T00:00:00Z', 2550],
    ['CH', 'standard', '2023-12-31T00:00:00Z', 0],
    ['CH', 'standard', '2024-01-01T00:00:00Z', 810],
    ['US', 'standard', '2026-01-01T00:00:00Z', 0],
    ['JP', 'standard', '2026-01-01T00:00:00Z', 0],
  ])('%s %s at %s is %i bp', (country, category, at, bp) => {
    expect(rateAt(rows, country, category, Date.parse(at))).toBe(bp);
  });

  it('takes the latest row whatever order the rows come in', () => {
    const shuffled = [...rows].reverse();
    expect(rateAt(shuffled, 'DE', 'standard', day('2020-08-01'))).toBe(1600);
    expect(rateAt(shuffled, 'DE', 'standard', day('2022-08-01'))).toBe(1900);
  });

  it('knows the 27 member states, each with a shipped standard rate', () => {
    expect(EU_MEMBER_STATES).toHaveLength(27);
    expect(new Set(EU_STANDARD_RATES.map(([c]) => c))).toEqual(new Set(EU_MEMBER_STATES));
    for (const c of EU_MEMBER_STATES) expect(isCountry(c)).toBe(true);
    for (const c of ['CH', 'GB', 'NO', 'US', 'EL', 'XX', 'de']) expect(isEuMember(c)).toBe(false);
    for (const c of ['EL', 'EU', 'UN', 'XX', 'ZZ', 'UK', 'de', 'DEU', '']) expect(isCountry(c)).toBe(false);
  });

  // Written out by hand (not derived from the migration's list) so a wrong or stale shipped rate fails
  // here: each member state's standard rate in force in 2026 and the first day it has held.
  it('ships each member state’s standard rate as in force in 2026, with the day it holds from', () => {
    const shipped = Object.fromEntries(EU_STANDARD_RATES.map(([c, bp, from]) => [c, `${bpToPercent(bp)} % from ${from}`]));
    expect(shipped).toEqual({
      AT: '20 % from 1984-01-01',
      BE: '21 % from 1996-01-01',
      BG: '20 % from 1999-01-01',
      CY: '19 % from 2014-01-13',
      CZ: '21 % from 2013-01-01',
      DE: '19 % from 2021-01-01',
      DK: '25 % from 1992-01-01',
      EE: '24 % from 2025-07-01',
      ES: '21 % from 2012-09-01',
      FI: '25.5 % from 2024-09-01',
      FR: '20 % from 2014-01-01',
      GR: '24 % from 2016-06-01',
      HR: '25 % from 2012-03-01',
      HU: '27 % from 2012-01-01',
      IE: '23 % from 2021-03-01',
      IT: '22 % from 2013-10-01',
      LT: '21 % from 2009-09-01',
      LU: '17 % from 2024-01-01',
      LV: '21 % from 2012-07-01',
      MT: '18 % from 2004-01-01',
      NL: '21 % from 2012-10-01',
      PL: '23 % from 2011-01-01',
      PT: '23 % from 2011-01-01',
      RO: '21 % from 2025-08-01',
      SE: '25 % from 1990-07-01',
      SI: '22 % from 2013-07-01',
      SK: '23 % from 2025-01-01',
    });
    // Each is in force on the first day of 2026 and the last, and not the day before it began.
    const rows = EU_STANDARD_RATES.map(([c, bp, from]) => row(c, bp, from));
    for (const [c, bp, from] of EU_STANDARD_RATES) {
      expect(rateAt(rows, c, 'standard', day('2026-01-01')), c).toBe(bp);
      expect(rateAt(rows, c, 'standard', Date.parse('2026-12-31T23:59:59Z')), c).toBe(bp);
      expect(rateAt(rows, c, 'standard', day(from) - 1), c).toBe(0);
    }
  });
});

// Good and bad VAT IDs of every member state (the format VIES gives, not real registrations).
const VAT_IDS: Record<string, { good: string[]; bad: string[] }> = {
  AT: { good: ['ATU12345678'], bad: ['AT12345678', 'ATU1234567', 'ATU123456789'] },
  BE: { good: ['BE0123456789', 'BE1234567890'], bad: ['BE123456789', 'BE2234567890', 'BE01234567890'] },
  BG: { good: ['BG123456789', 'BG1234567890'], bad: ['BG12345678', 'BG12345678901'] },
  CY: { good: ['CY12345678X'], bad: ['CY123456789', 'CY1234567X', 'CYX12345678'] },
  CZ: { good: ['CZ12345678', 'CZ123456789', 'CZ1234567890'], bad: ['CZ1234567', 'CZ12345678901'] },
  DE: { good: ['DE123456789'], bad: ['DE12345678', 'DE1234567890', 'DE12345678X'] },
  DK: { good: ['DK12345678'], bad: ['DK1234567', 'DK123456789'] },
  EE: { good: ['EE123456789'], bad: ['EE12345678', 'EE1234567890'] },
  GR: { good: ['EL123456789'], bad: ['GR123456789', 'EL12345678', 'EL1234567890'] },
  ES: { good: ['ESX1234567X', 'ES12345678Z', 'ESA12345678'], bad: ['ES123456789', 'ES1234567X', 'ESX12345678X'] },
  FI: { good: ['FI12345678'], bad: ['FI1234567', 'FI123456789'] },
  FR: { good: ['FR12345678901', 'FRXX123456789', 'FR1A123456789'], bad: ['FR1234567890', 'FRIO123456789', 'FRXX12345678'] },
  HR: { good: ['HR12345678901'], bad: ['HR1234567890', 'HR123456789012'] },
  HU: { good: ['HU12345678'], bad: ['HU1234567', 'HU123456789'] },
  IE: { good: ['IE1234567T', 'IE1234567WA', 'IE1S12345T'], bad: ['IE12345678', 'IE1234567Z', 'IE123456T'] },
  IT: { good: ['IT12345678901'], bad: ['IT1234567890', 'IT123456789012'] },
  LT: { good: ['LT123456789', 'LT123456789012'], bad: ['LT1234567890', 'LT12345678'] },
  LU: { good: ['LU12345678'], bad: ['LU1234567', 'LU123456789'] },
  LV: { good: ['LV12345678901'], bad: ['LV1234567890', 'LV123456789012'] },
  MT: { good: ['MT12345678'], bad: ['MT1234567', 'MT123456789'] },
  NL: { good: ['NL123456789B01'], bad: ['NL123456789', 'NL123456789C01', 'NL12345678B01', 'NL123456789B1'] },
  PL: { good: ['PL1234567890'], bad: ['PL123456789', 'PL12345678901'] },
  PT: { good: ['PT123456789'], bad: ['PT12345678', 'PT1234567890'] },
  RO: { good: ['RO12', 'RO1234567', 'RO1234567890'], bad: ['RO1', 'RO12345678901', 'RO0123456'] },
  SE: { good: ['SE123456789001'], bad: ['SE123456789012', 'SE1234567890', 'SE12345678901'] },
  SI: { good: ['SI12345678'], bad: ['SI1234567', 'SI123456789'] },
  SK: { good: ['SK1234567890'], bad: ['SK123456789', 'SK12345678901'] },
};

describe('VAT IDs', () => {
  it('has good and bad examples for every member state', () => {
    expect(Object.keys(VAT_IDS).sort()).toEqual([...EU_MEMBER_STATES].sort());
  });

  it.each(Object.entries(VAT_IDS))('%s: takes the right format and refuses the wrong ones', (country, { good, bad }) => {
    for (const id of good) expect(vatIdProblem(country, id), id).toBeNull();
    for (const id of bad) {
      expect(isEuVatIdFormat(country, id), id).toBe(false);
      expect(vatIdProblem(country, id), id).toContain(expectedVatIdFormat(country)!);
    }
  });

  it('refuses another country’s ID, naming the prefix the billing country needs', () => {
    expect(vatIdProblem('DE', 'ATU12345678')).toBe(
      'A VAT ID from Germany starts with DE (your billing country): expected DE followed by 9 digits, e.g. DE123456789.',
    );
    expect(vatIdProblem('GR', 'GR123456789')).toMatch(/^A VAT ID from Greece starts with EL/);
    expect(vatIdProblem('AT', 'DE123456789')).toMatch(/starts with AT/);
  });

  it('normalises what people type', () => {
    expect(normaliseVatId(' de 123.456-789 ')).toBe('DE123456789');
    expect(normaliseVatId('nl 1234.56789.b01')).toBe('NL123456789B01');
    expect(normaliseVatId('ie\t1234567wa')).toBe('IE1234567WA');
    expect(isEuVatIdFormat('DE', normaliseVatId('de 123 456 789'))).toBe(true);
  });

  it('takes any ID outside the EU as given', () => {
    expect(vatIdProblem('CH', 'CHE-123.456.789 MWST')).toBeNull();
    expect(vatIdProblem('US', 'anything')).toBeNull();
    expect(isEuVatIdFormat('CH', 'CHE123456789')).toBe(false);
    expect(expectedVatIdFormat('US')).toBeNull();
  });
});

describe('the reverse charge and who pays which rate', () => {
  const cases: Array<[seller: string | null, buyer: string, vatId: string | null, treatment: string]> = [
    // EU seller
    ['DE', 'DE', null, 'rates'],
    ['DE', 'DE', 'DE123456789', 'rates'], // same-country business pays VAT
    ['DE', 'FR', null, 'rates'], // EU consumer: their country's rate (OSS)
    ['DE', 'FR', 'FRXX123456789', 'reverse_charge'],
    ['DE', 'GR', 'EL123456789', 'reverse_charge'],
    ['DE', 'GR', 'GR123456789', 'rates'], // wrong prefix: no reverse charge
    ['DE', 'AT', 'ATU1234567', 'rates'], // bad format
    ['DE', 'AT', 'DE123456789', 'rates'], // another country's ID
    ['DE', 'FR', '', 'rates'],
    ['AT', 'DE', 'DE123456789', 'reverse_charge'],
    ['DE', 'US', null, 'rates'], // non-EU buyer: the owner's rows
    ['DE', 'CH', 'CHE123456789', 'rates'],
    // seller outside the EU: the rates table alone
    ['US', 'DE', 'DE123456789', 'rates'],
    ['US', 'DE', null, 'rates'],
    ['CH', 'CH', null, 'rates'],
    ['GB', 'FR', 'FRXX123456789', 'rates'],
    // no seller country: no tax at all
    [null, 'DE', null, 'none'],
    [null, 'FR', 'FRXX123456789', 'none'],
    [null, 'US', null, 'none'],
  ];
  it.each(cases)('seller %s, buyer %s with VAT ID %s: %s', (sellerCountry, buyerCountry, vatId, treatment) => {
    expect(taxTreatment({ sellerCountry, buyerCountry, vatId })).toBe(treatment);
  });

  it('gives each category its rate under the rates and the reverse charge (the standard one when it has none), and 0 otherwise', () => {
    const rows = [row('FR', 2000, '2014-01-01'), row('FR', 550, '2014-01-01', 'ebook')];
    const at = day('2026-01-01');
    expect(ratesFor('rates', rows, 'FR', ['standard', 'ebook', 'reduced'], at)).toEqual({ standard: 2000, ebook: 550, reduced: 2000 });
    // Pricing charges none under the reverse charge, but takes the buyer's rate out of tax-inclusive prices.
    expect(ratesFor('reverse_charge', rows, 'FR', ['standard', 'ebook'], at)).toEqual({ standard: 2000, ebook: 550 });
    expect(ratesFor('none', rows, 'FR', ['standard'], at)).toEqual({ standard: 0 });
  });
});

describe('what the owner types', () => {
  it.each([
    ['19', 1900],
    ['5.5', 550],
    ['5,5', 550],
    ['7.77', 777],
    ['0', 0],
    ['100', 10_000],
    ['100.00', 10_000],
    [' 21 ', 2100],
    ['100.01', null],
    ['101', null],
    ['-1', null],
    ['5.555', null],
    ['', null],
    ['abc', null],
    ['1e2', null],
    ['19%', null],
  ])('percent %j is %j bp', (raw, bp) => {
    expect(percentToBp(raw)).toBe(bp);
  });

  it('shows basis points as a short percent', () => {
    expect([1900, 550, 777, 0, 10_000, 2550].map(bpToPercent)).toEqual(['19', '5.5', '7.77', '0', '100', '25.5']);
  });

  it('takes real days only', () => {
    expect(dayStart('2027-01-01')).toBe(Date.UTC(2027, 0, 1));
    expect(dayStart('2028-02-29')).toBe(Date.UTC(2028, 1, 29));
    for (const bad of ['2027-02-29', '2027-13-01', '2027-1-1', '01.01.2027', '2027-01-01T00:00', '', 'tomorrow'])
      expect(dayStart(bad), bad).toBeNull();
  });

  it('takes tax categories as slugs', () => {
    expect(categoryProblem('standard')).toBeNull();
    expect(categoryProblem('e-books')).toBeNull();
    for (const bad of ['', 'E-Books', 'e books', '-x', 'x'.repeat(41)]) expect(categoryProblem(bad), bad).not.toBeNull();
  });
});
