/**
 * Typed errors carry their HTTP status and an i18n message key; the one error
 * renderer (server/middleware/error-handler.ts) turns them into a page or JSON.
 */

import type { TFunction } from './i18n.ts';

export interface FieldErrors {
  /** field name → i18n key (or key with params) describing what is wrong */
  [field: string]: FieldMessage;
}

export interface FieldMessage {
  key: string;
  params?: Record<string, string | number>;
  /** Messages that follow this one (one per refused file, say). */
  items?: FieldMessage[];
}

/** A field message in one language, with the messages that follow it. */
export function fieldMessageText(t: TFunction | undefined, message: FieldMessage): string {
  const one = (m: FieldMessage) => (t ? String(t(m.key, m.params ?? {})) : m.key);
  return [one(message), ...(message.items ?? []).map(one)].join(' ');
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

/**
 * A form that cannot be accepted as sent, with what is wrong per field: browsers
 * go back to the form (the errors shown, what was typed kept), JSON clients get
 * the fields. 422 unless a subclass says otherwise.
 */
export class ValidationError extends AppError {
  readonly fields: FieldErrors;
  constructor(
    fields: FieldErrors,
    messageKey = 'errors.validation.explain',
    options: { status?: number; code?: string } = {},
  ) {
    super(options.status ?? 422, options.code ?? 'validation_failed', messageKey);
    this.fields = fields;
  }
}

/** The field of a form error that belongs to no single field (shown at the top of the form). */
export const FORM_FIELD = '_form';

/**
 * A form body that could not be read (broken or cut-off multipart, a file name
 * with control characters): 400, and the form comes back with what did arrive.
 */
export class MalformedFormError extends ValidationError {
  constructor(fields: FieldErrors = { [FORM_FIELD]: { key: 'validation.bodyMalformed' } }) {
    super(fields, 'errors.malformedBody.explain', { status: 400, code: 'malformed_body' });
  }
}

/**
 * A body that could not be read before anything in it could be trusted (a
 * multipart body broken before its CSRF token): 400, with no form to go back to.
 */
export class MalformedBodyError extends AppError {
  constructor() {
    super(400, 'malformed_body', 'errors.malformedBody.explain');
  }
}

/** A form larger than accepted (a file over its limit, too many files or fields): 413, shown on the form. */
export class FormTooLargeError extends ValidationError {
  constructor(fields: FieldErrors) {
    super(fields, 'errors.payloadTooLarge.explain', { status: 413, code: 'payload_too_large' });
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
