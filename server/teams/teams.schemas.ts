import { z } from 'zod';
import { field } from '../core/validation.ts';

export const teamSchema = z.object({
  name: field.text({ min: 2, max: 80 }),
  description: field.optionalText(500),
  leads: field.list(field.objectId(), { max: 20 }),
});

export type TeamInput = z.output<typeof teamSchema>;
