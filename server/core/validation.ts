import { Types } from 'mongoose';
import { type core, z } from 'zod';
import { type FieldErrors, type FieldMessage, ValidationError } from './errors.ts';

/**
 * Input validation at the boundary. Schemas are zod objects; their messages are
 * i18n keys (`validation.*`), so one schema serves the Italian and the English
 * page and the JSON API. Unknown keys are dropped (no mass assignment), and a
 * value of the wrong type — `{"email": {"$ne": null}}` — is a field error.
 */

function toMessage(issue: core.$ZodIssue): FieldMessage {
  if (issue.message.startsWith('validation.')) {
    const params: Record<string, string | number> = {};
    if ('minimum' in issue) params.min = Number(issue.minimum);
    if ('maximum' in issue) params.max = Number(issue.maximum);
    return { key: issue.message, params };
  }
  switch (issue.code) {
    case 'invalid_type':
      return {
        key: issue.input === undefined || issue.input === '' ? 'validation.required' : 'validation.invalid',
      };
    case 'too_small':
      return issue.origin === 'string'
        ? Number(issue.minimum) <= 1
          ? { key: 'validation.required' }
          : { key: 'validation.tooShort', params: { min: Number(issue.minimum) } }
        : { key: 'validation.tooFew', params: { min: Number(issue.minimum) } };
    case 'too_big':
      return issue.origin === 'string'
        ? { key: 'validation.tooLong', params: { max: Number(issue.maximum) } }
        : { key: 'validation.tooMany', params: { max: Number(issue.maximum) } };
    case 'invalid_format':
      return { key: issue.format === 'email' ? 'validation.email' : 'validation.invalid' };
    case 'invalid_value':
      return { key: 'validation.choice' };
    default:
      return { key: 'validation.invalid' };
  }
}

/** Validates `input` against `schema`, or throws a ValidationError naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '_form';
    fields[field] ??= toMessage(issue);
  }
  throw new ValidationError(fields);
}

/** Field builders shared by the feature schemas. */
export const field = {
  /** Trimmed text; required unless `optional`. */
  text: (options: { min?: number; max: number }) =>
    z
      .string()
      .trim()
      .min(options.min ?? 1)
      .max(options.max),
  optionalText: (max: number) =>
    z
      .string()
      .trim()
      .max(max)
      .optional()
      .transform((v) => v ?? ''),
  email: () =>
    z
      .string()
      .trim()
      .min(1)
      .max(254)
      .toLowerCase()
      .pipe(z.email({ error: 'validation.email' })),
  /** A password as typed: never trimmed. */
  password: () => z.string().min(1).max(1024),
  /** An HTML checkbox: present means true. */
  checkbox: () =>
    z
      .string()
      .max(10)
      .optional()
      .transform((v) => v === 'on' || v === 'true' || v === '1' || v === 'yes'),
  /** Repeated form fields arrive as a string or an array of strings (or not at all). */
  list: <T extends z.ZodType>(item: T, options: { max?: number; min?: number } = {}) =>
    z.preprocess(
      (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
      z
        .array(item)
        .min(options.min ?? 0, { error: options.min ? 'validation.chooseOne' : 'validation.tooFew' })
        .max(options.max ?? 50, { error: 'validation.tooMany' }),
    ),
  objectId: () =>
    z
      .string()
      .trim()
      .refine((v) => Types.ObjectId.isValid(v) && /^[0-9a-f]{24}$/i.test(v), { error: 'validation.invalid' }),
  optionalObjectId: () =>
    z
      .union([z.literal(''), z.string().regex(/^[0-9a-f]{24}$/i, { error: 'validation.invalid' })])
      .optional()
      .transform((v) => (v ? v : undefined)),
  locale: () => z.enum(['it', 'en'], { error: 'validation.locale' }),
  page: () => z.coerce.number().int().min(1).max(100_000).catch(1),
};

/** The id in a route path, or a 404 for anything that is not an id. */
export function isObjectIdString(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{24}$/i.test(value);
}
