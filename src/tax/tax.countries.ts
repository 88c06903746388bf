import { countryName, isCountry } from '../platform/countries.js';

export { countryName, isCountry };

/** The 27 member states of the European Union (ISO codes: Greece is GR here, EL only in VAT IDs). */
export const EU_MEMBER_STATES: readonly string[] = 'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(
  ' ',
);
const EU = new Set(EU_MEMBER_STATES);

/** True for a member state of the European Union. */
export function isEuMember(country: string): boolean {
  return EU.has(country);
}

/** A country code as people type it (`de`, ` De `): upper-case, trimmed. */
export function normaliseCountry(raw: string): string {
  return raw.trim().toUpperCase();
}
