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

  it('answers 503 database_unavailable when the database is gone, restarting or locked, without its internals', () => {
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });
    const outages = [
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P03', 'the database system is starting up'),
      pgError('08006', 'connection failure'),
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.3:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('timeout exceeded when trying to connect'),
      new Error('refund failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }),
    ];
    for (const err of outages) {
      const mapped = toHttpError(err);
      expect(mapped, err.message).toMatchObject({ status: 503, code: 'database_unavailable' });
      expect(mapped.message).toMatch(/cannot reach its database/);
      expect(mapped.message).not.toMatch(/10\.0\.0\.3|ECONN|terminat/);
    }
    const busy = toHttpError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
    expect(busy).toMatchObject({ status: 503, code: 'database_unavailable', message: expect.stringMatching(/busy/) as unknown });
  });

  it('keeps other database errors internal', () => {
    expect(toHttpError(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toMatchObject({
      status: 500,
      code: 'internal_error',
    });
    expect(toHttpError(Object.assign(new Error('no such table: x'), { code: 'SQLITE_ERROR' }))).toMatchObject({ status: 500 });
  });
});
