import { z } from 'zod';
import { field } from '../core/validation.ts';

export const passwordChangeSchema = z
  .object({
    currentPassword: field.password(),
    newPassword: field.password(),
    confirmPassword: z.string().max(1024),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ['confirmPassword'],
    error: 'validation.passwordMismatch',
  });
