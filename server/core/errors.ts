/**
 * Typed errors carry their HTTP status and an i18n message key; the one error
 * renderer (server/middleware/error-handler.ts) turns them into a page or JSON.
 */

export interface FieldErrors {
  /** field name → i18n key (or key with params) describing what is wrong */
  [field: string]: FieldMessage;
}

export interface FieldMessage {
  key: string;
  params?: Record<string, string | number>;
}

export class AppError extends Error {
  readonly status: number;
  /** i18n key of the explanation shown to the user */
  readonly messageKey: string;
  readonly params: Record<string, string | number>;
  /** Machine-readable code for JSON clients. */
  readonly code: string;

  constructor(
    status: number,
    code: string,
    messageKey: string,
    params: Record<string, string | number> = {},
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${messageKey}`, options);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.messageKey = messageKey;
    this.params = params;
  }
}

export class BadRequestError extends AppError {
  constructor(messageKey = 'errors.badRequest.explain', params: Record<string, string | number> = {}) {
    super(400, 'bad_request', messageKey, params);
  }
}

export class ValidationError extends AppError {
  readonly fields: FieldErrors;
  constructor(fields: FieldErrors, messageKey = 'errors.validation.explain') {
    super(422, 'validation_failed', messageKey);
    this.fields = fields;
  }
}

export class UnauthorizedError extends AppError {
  constructor(messageKey = 'errors.unauthorized.explain') {
    super(401, 'unauthorized', messageKey);
  }
}

export class ForbiddenError extends AppError {
  constructor(messageKey = 'errors.forbidden.explain', params: Record<string, string | number> = {}) {
    super(403, 'forbidden', messageKey, params);
  }
}

export class NotFoundError extends AppError {
  constructor(messageKey = 'errors.notFound.explain', params: Record<string, string | number> = {}) {
    super(404, 'not_found', messageKey, params);
  }
}

export class ConflictError extends AppError {
  constructor(messageKey = 'errors.conflict.explain', params: Record<string, string | number> = {}) {
    super(409, 'conflict', messageKey, params);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(messageKey = 'errors.payloadTooLarge.explain', params: Record<string, string | number> = {}) {
    super(413, 'payload_too_large', messageKey, params);
  }
}

export class TooManyRequestsError extends AppError {
  /** Seconds until the client may try again (sent as Retry-After). */
  readonly retryAfterSeconds: number;
  constructor(
    retryAfterSeconds: number,
    messageKey = 'errors.tooManyRequests.explain',
    params: Record<string, string | number> = {},
  ) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    // `count` picks the plural form of the message ("1 minute", "15 minutes").
    super(429, 'too_many_requests', messageKey, { minutes, count: minutes, ...params });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class CsrfError extends AppError {
  constructor() {
    super(403, 'csrf_invalid', 'errors.csrf.explain');
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(messageKey = 'errors.unavailable.explain', options?: { cause?: unknown }) {
    super(503, 'service_unavailable', messageKey, {}, options);
  }
}
