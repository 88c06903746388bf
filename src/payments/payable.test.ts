import { describe, expect, it } from 'vitest';
import { moved, outcomeOf } from './payable.js';

describe('payable results as recorded outcomes', () => {
  it('names where a transition ended, and why one did not happen', () => {
    expect(outcomeOf({ kind: 'moved', from: 'pending', to: 'fulfilled' })).toBe('fulfilled');
    expect(outcomeOf({ kind: 'moved', from: 'expired', to: 'paid' })).toBe('paid');
    expect(outcomeOf({ kind: 'not_applied', reason: 'raced' })).toBe('not_applied:raced');
    expect(outcomeOf({ kind: 'not_applied', reason: 'refused' })).toBe('not_applied:refused');
    expect(outcomeOf({ kind: 'amount_mismatch' })).toBe('amount_mismatch');
    expect(outcomeOf({ kind: 'unchanged', why: 'refund_already_applied' })).toBe('refund_already_applied');
    expect(outcomeOf({ kind: 'unchanged', why: 'partial_refund' })).toBe('partial_refund');
  });

  it('turns a state-table answer into the shared shape', () => {
    expect(moved({ applied: true, from: 'pending', to: 'cancelled' })).toEqual({ kind: 'moved', from: 'pending', to: 'cancelled' });
    expect(moved({ applied: false, reason: 'raced' })).toEqual({ kind: 'not_applied', reason: 'raced' });
  });
});
