/** Base of every expected failure: a stable snake_case code, an HTTP status and a message for users. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'We could not find that page.', code = 'not_found') {
    super(code, message, 404);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: Record<string, unknown>, code = 'invalid_input') {
    super(code, message, 400, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Please log in to continue.', code = 'unauthorized') {
    super(code, message, 401);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 409, details);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(message = 'Too many requests. Please wait a moment and try again.') {
    super('rate_limited', message, 429);
  }
}

/** The database cannot serve right now (down, restarting, or locked by another process): worth retrying. */
export class DatabaseUnavailableError extends AppError {
  constructor(reason: 'unreachable' | 'busy' = 'unreachable') {
    super(
      'database_unavailable',
      reason === 'busy'
        ? 'The store’s database is busy with another change. Please try again in a moment.'
        : 'The store cannot reach its database right now. Please try again in a moment.',
      503,
    );
  }
}
