import { z } from 'zod';
import { field } from '../core/validation.ts';
import { NOTIFICATION_TYPES } from './notification-types.ts';

/** Filters of the notifications page; nonsense values mean "no filter". */
export const listSchema = z.object({
  type: z.enum(NOTIFICATION_TYPES).optional().catch(undefined),
  status: z.enum(['all', 'unread']).catch('all'),
});

export const preferencesSchema = z.object({
  enabled: field.list(z.enum(NOTIFICATION_TYPES, { error: 'validation.choice' }), {
    max: NOTIFICATION_TYPES.length,
  }),
});
