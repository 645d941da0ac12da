import { z } from 'zod';
import { field } from '../core/validation.ts';
import { NOTIFICATION_TYPES } from './notification-types.ts';

/** Filters of the notifications page; nonsense values mean "no filter". */
export const listSchema = z.object({
  type: z.enum(NOTIFICATION_TYPES).optional().catch(undefined),
  status: z.enum(['all', 'unread']).catch('all'),
  /** Where the page starts (a page link's; a malformed one is a bad request). */
  cursor: z.string().max(100).optional().catch('bad'),
});

export const preferencesSchema = z.object({
  enabled: field.list(z.enum(NOTIFICATION_TYPES, { error: 'validation.choice' }), {
    max: NOTIFICATION_TYPES.length,
  }),
});
