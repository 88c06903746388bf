import { describe, expect, it } from 'vitest';
import { toHttpError } from './error-handler.js';
import { AppError, NotFoundError } from './errors.js';

describe('toHttpError', () => {
  it('keeps an AppError’s status, code and message', () => {
    expect(toHttpError(new AppError('out_of_stock', 'Sold out.', 409))).toEqual({
      status: 409,
      code: 'out_of_stock',
      message: 'Sold out.',
      details: undefined,
    });
    expect(toHttpError(new NotFoundError()).status).toBe(404);
  });

  it('maps framework 4xx errors to stable codes', () => {
    expect(toHttpError(Object.assign(new Error('x'), { statusCode: 413 }))).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(toHttpError(Object.assign(new Error('x'), { statusCode: 415 }))).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });

  it('never shows a 5xx’s internals', () => {
    const mapped = toHttpError(new Error('connection to 10.0.0.3 refused: password for user shop'));
    expect(mapped).toMatchObject({ status: 500, code: 'internal_error' });
    expect(mapped.message).not.toContain('10.0.0.3');
  });

  it('describes validation errors by field', () => {
    const err = Object.assign(new Error('bad'), {
      statusCode: 400,
      validation: [{ instancePath: '/quantity', message: 'must be >= 1', params: {} }],
    });
    expect(toHttpError(err)).toMatchObject({ status: 400, code: 'invalid_input', message: 'Invalid input: quantity must be >= 1' });
  });
});
