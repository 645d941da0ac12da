import { z } from 'zod';
import { field } from '../core/validation.ts';

export const loginSchema = z.object({
  email: z.string().trim().min(1).max(254),
  password: field.password(),
  remember: field.checkbox(),
  next: z.string().max(2000).optional(),
});

export const resetPasswordSchema = z
  .object({
    password: field.password(),
    confirm: z.string().max(1024),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], error: 'validation.passwordMismatch' });
