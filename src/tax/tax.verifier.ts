/** What a registry says of a VAT ID: registered, not registered, or it could not be asked. */
export type VatIdVerdict = 'valid' | 'invalid' | 'unavailable';

/**
 * The place for a check of a VAT ID against a registry (the EU's VIES) after its format passed.
 * `invalid` refuses the ID at checkout; `unavailable` keeps it (the format was right), as VIES is
 * often down for a member state and a buyer should not be turned away for that.
 */
export interface VatIdVerifier {
  verify(country: string, vatId: string): Promise<VatIdVerdict>;
}

/** The default: no registry is asked, so the format check alone decides. */
export const formatOnlyVerifier: VatIdVerifier = {
  verify: () => Promise.resolve('unavailable'),
};
