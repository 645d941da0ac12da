import { z } from 'zod';
import { field } from '../core/validation.ts';

/** Languages people can declare speaking with customers (ISO 639-1). */
export const SPOKEN_LANGUAGES = [
  'it',
  'en',
  'fr',
  'de',
  'es',
  'pt',
  'ro',
  'ar',
  'zh',
  'uk',
  'ru',
  'sq',
  'pl',
] as const;

export const directorySchema = z.object({
  q: z.string().trim().max(80).optional().catch(undefined),
  team: field.optionalObjectId().catch(undefined),
  topic: field.optionalObjectId().catch(undefined),
  page: field.page(),
});

/** What people may change on their own profile: never roles, team or email. */
export const profileSchema = z.object({
  displayName: field.text({ min: 2, max: 80 }),
  bio: field.optionalText(1000),
  languages: field.list(z.enum(SPOKEN_LANGUAGES, { error: 'validation.choice' }), {
    max: SPOKEN_LANGUAGES.length,
  }),
  topics: field.list(field.objectId(), { max: 20 }),
});

export type ProfileInput = z.output<typeof profileSchema>;
