import { formatMoney } from '../platform/money.js';
import { parseDonationAmount, type DonationLimits } from './donation-amount.js';

/** The donate form as posted: every field a string ('' when left empty). */
export interface DonationForm {
  /** A preset amount ("10.00") or "other". */
  amount_choice: string;
  /** The "other amount" field. */
  amount: string;
  message: string;
  email: string;
}

export type DonationFieldErrors = Partial<Record<'amount' | 'message' | 'email', string>>;

export interface CheckedDonation {
  amount: number;
  message: string;
  email: string | null;
}

export const MESSAGE_MAX = 500;
const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;
// Control characters other than tab and newline: PostgreSQL refuses NUL and none belongs in a message.
// Control characters other than tab and newline (C0, DEL and C1).
const CONTROL = /(?![\t\n])\p{Cc}/u;

/** The amount a form asks for: a chosen preset, or what was typed under "Other amount". */
function chosenAmount(form: DonationForm, limits: DonationLimits): { amount?: number; error?: string } {
  const choice = form.amount_choice.trim();
  const typed = form.amount.trim();
  if (choice !== '' && choice !== 'other') {
    const preset = parseDonationAmount(choice, limits);
    if (!preset.ok) return { error: preset.message };
    // Two different amounts: the donor must say which one they mean, never be charged a guess.
    if (typed !== '') {
      const other = parseDonationAmount(typed, limits);
      if (!other.ok || other.amount !== preset.amount) {
        return {
          error: `You picked ${formatMoney(preset.amount, limits.currency)} and also typed an amount. Choose “Other amount” to give what you typed, or clear that field.`,
        };
      }
    }
    return { amount: preset.amount };
  }
  const custom = parseDonationAmount(typed, limits);
  return custom.ok ? { amount: custom.amount } : { error: custom.message };
}

/**
 * The donate form checked field by field. A logged-in donor's receipt goes to their account's
 * address, whatever the form says; a visitor's email is optional.
 */
export function checkDonationForm(
  form: DonationForm,
  limits: DonationLimits,
  accountEmail: string | null,
): { errors: DonationFieldErrors; value?: CheckedDonation } {
  const errors: DonationFieldErrors = {};
  const { amount, error } = chosenAmount(form, limits);
  if (error) errors.amount = error;
  const message = form.message.replace(/\r\n?/g, '\n').replace(new RegExp(CONTROL, 'gu'), '').trim();
  const length = [...message].length;
  if (length > MESSAGE_MAX) errors.message = `Your message can be up to ${MESSAGE_MAX} characters; it has ${length.toLocaleString('en')}.`;
  let email: string | null = accountEmail;
  if (!accountEmail) {
    email = form.email.trim() || null;
    if (email !== null && (email.length > 254 || !EMAIL.test(email) || CONTROL.test(email)))
      errors.email = 'Please enter a valid email address for your receipt, or leave it empty.';
  }
  if (Object.keys(errors).length > 0 || amount === undefined) return { errors };
  return { errors, value: { amount, message, email } };
}
