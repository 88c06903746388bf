import { countryName, isEuMember } from './tax.countries.js';

/**
 * The format of each member state's VAT ID after its prefix, as the EU's VIES describes them, with
 * the wording the buyer reads when theirs does not match. Format only: check digits vary by country
 * and a registration is only known to VIES (see tax.verifier.ts).
 */
const FORMATS: Record<string, { pattern: RegExp; expected: string }> = {
  AT: { pattern: /^U\d{8}$/, expected: 'ATU followed by 8 digits, e.g. ATU12345678' },
  BE: { pattern: /^[01]\d{9}$/, expected: 'BE followed by 10 digits starting with 0 or 1, e.g. BE0123456789' },
  BG: { pattern: /^\d{9,10}$/, expected: 'BG followed by 9 or 10 digits, e.g. BG123456789' },
  CY: { pattern: /^\d{8}[A-Z]$/, expected: 'CY followed by 8 digits and a letter, e.g. CY12345678X' },
  CZ: { pattern: /^\d{8,10}$/, expected: 'CZ followed by 8, 9 or 10 digits, e.g. CZ12345678' },
  DE: { pattern: /^\d{9}$/, expected: 'DE followed by 9 digits, e.g. DE123456789' },
  DK: { pattern: /^\d{8}$/, expected: 'DK followed by 8 digits, e.g. DK12345678' },
  EE: { pattern: /^\d{9}$/, expected: 'EE followed by 9 digits, e.g. EE123456789' },
  // Greece's VAT IDs carry EL, not its ISO code GR.
  GR: { pattern: /^\d{9}$/, expected: 'EL followed by 9 digits, e.g. EL123456789' },
  // A letter or digit at either end, but not digits at both.
  ES: {
    pattern: /^([A-Z]\d{7}[A-Z0-9]|\d{8}[A-Z])$/,
    expected: 'ES followed by 9 characters, a letter first or last (or both), e.g. ESX1234567X or ES12345678Z',
  },
  FI: { pattern: /^\d{8}$/, expected: 'FI followed by 8 digits, e.g. FI12345678' },
  FR: {
    pattern: /^[0-9A-HJ-NP-Z]{2}\d{9}$/,
    expected: 'FR followed by 2 letters or digits and 9 digits, e.g. FR12345678901 or FRXX123456789',
  },
  HR: { pattern: /^\d{11}$/, expected: 'HR followed by 11 digits, e.g. HR12345678901' },
  HU: { pattern: /^\d{8}$/, expected: 'HU followed by 8 digits, e.g. HU12345678' },
  IE: {
    pattern: /^(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$/,
    expected: 'IE followed by 7 digits and one or two letters, e.g. IE1234567T or IE1234567WA',
  },
  IT: { pattern: /^\d{11}$/, expected: 'IT followed by 11 digits, e.g. IT12345678901' },
  LT: { pattern: /^(\d{9}|\d{12})$/, expected: 'LT followed by 9 or 12 digits, e.g. LT123456789' },
  LU: { pattern: /^\d{8}$/, expected: 'LU followed by 8 digits, e.g. LU12345678' },
  LV: { pattern: /^\d{11}$/, expected: 'LV followed by 11 digits, e.g. LV12345678901' },
  MT: { pattern: /^\d{8}$/, expected: 'MT followed by 8 digits, e.g. MT12345678' },
  NL: { pattern: /^\d{9}B\d{2}$/, expected: 'NL followed by 9 digits, B and 2 digits, e.g. NL123456789B01' },
  PL: { pattern: /^\d{10}$/, expected: 'PL followed by 10 digits, e.g. PL1234567890' },
  PT: { pattern: /^\d{9}$/, expected: 'PT followed by 9 digits, e.g. PT123456789' },
  RO: { pattern: /^[1-9]\d{1,9}$/, expected: 'RO followed by 2 to 10 digits, e.g. RO1234567' },
  SE: { pattern: /^\d{10}01$/, expected: 'SE followed by 12 digits ending in 01, e.g. SE123456789001' },
  SI: { pattern: /^\d{8}$/, expected: 'SI followed by 8 digits, e.g. SI12345678' },
  SK: { pattern: /^\d{10}$/, expected: 'SK followed by 10 digits, e.g. SK1234567890' },
};

/** A VAT ID as people type it (`de 123.456-789`): upper-case, without spaces, dots or dashes. */
export function normaliseVatId(raw: string): string {
  return raw.toUpperCase().replace(/[\s.-]/g, '');
}

/** The prefix a member state's VAT IDs start with: its ISO code, but EL for Greece. */
export function vatPrefix(country: string): string {
  return country === 'GR' ? 'EL' : country;
}

/** What a VAT ID of an EU member state looks like, in words with an example; null outside the EU. */
export function expectedVatIdFormat(country: string): string | null {
  return FORMATS[country]?.expected ?? null;
}

/**
 * Why `vatId` (normalised) is not a VAT ID of `country`, in a sentence for the buyer, or null when
 * its format is right. Only EU member states' IDs are checked; another country's is taken as given.
 */
export function vatIdProblem(country: string, vatId: string): string | null {
  const format = FORMATS[country];
  if (!isEuMember(country) || !format) return null;
  const prefix = vatPrefix(country);
  const name = countryName(country);
  if (!vatId.startsWith(prefix)) return `A VAT ID from ${name} starts with ${prefix} (your billing country): expected ${format.expected}.`;
  if (!format.pattern.test(vatId.slice(prefix.length))) return `This is not a VAT ID from ${name}: expected ${format.expected}.`;
  return null;
}

/** True when `vatId` (normalised) has the format of a VAT ID from the EU member state `country`. */
export function isEuVatIdFormat(country: string, vatId: string): boolean {
  return isEuMember(country) && vatIdProblem(country, vatId) === null;
}
