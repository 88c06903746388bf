import { AppError } from '../../src/platform/errors.js';

/** The code, status, message and details of the AppError a promise rejects with; throws if it resolves or rejects otherwise. */
export async function refusal(promise: Promise<unknown>) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return { code: err.code, status: err.status, message: err.message, details: err.details };
}
