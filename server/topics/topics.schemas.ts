import { z } from 'zod';
import { TOPIC_KINDS } from '../../models/topic.ts';
import { field } from '../core/validation.ts';

export const topicSchema = z.object({
  nameIt: field.text({ min: 2, max: 80 }),
  nameEn: field.text({ min: 2, max: 80 }),
  descriptionIt: field.optionalText(500),
  descriptionEn: field.optionalText(500),
  kind: z.enum(TOPIC_KINDS, { error: 'validation.choice' }),
  parent: field.optionalObjectId(),
});

export type TopicInput = z.output<typeof topicSchema>;

export const mergeSchema = z.object({ into: field.objectId() });
