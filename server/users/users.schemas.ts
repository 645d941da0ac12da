import { z } from 'zod';
import { ROLES } from '../../models/user.ts';
import { field } from '../core/validation.ts';

const roles = field.list(z.enum(ROLES, { error: 'validation.role' }), { min: 1, max: ROLES.length });

/** What an administrator may set on an account (nothing else is read from the form). */
export const adminUserSchema = z.object({
  email: field.email(),
  displayName: field.text({ max: 80 }),
  roles,
  team: field.optionalObjectId(),
  locale: z
    .union([z.literal(''), field.locale()])
    .optional()
    .transform((v) => (v === '' || v === undefined ? null : v)),
});

export type AdminUserInput = z.output<typeof adminUserSchema>;

export const userListSchema = z.object({
  q: z.string().trim().max(80).optional().catch(undefined),
  role: z.enum(ROLES).optional().catch(undefined),
  team: field.optionalObjectId().catch(undefined),
  status: z.enum(['active', 'inactive', 'all']).optional().catch(undefined),
  page: field.page(),
});

export const importSchema = z.object({
  csv: z.string().max(1_000_000, { error: 'validation.csvTooLarge' }).optional(),
  allOrNothing: field.checkbox(),
});
