import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { guard } from '../auth/guard.ts';
import { field, parseInput } from '../core/validation.ts';
import type { ModerationService } from './moderation.service.ts';

const resolveSchema = z.object({
  outcome: z.enum(['dismissed', 'deleted', 'edited'], { error: 'validation.choice' }),
  note: field.optionalText(300),
});

/** The moderators' queue of flagged content. */
export function moderationRoutes(moderation: ModerationService): Router {
  const router = Router();

  router.get('/moderation', guard('content.moderate'), async (req: Request, res: Response) => {
    const page = z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .catch(1)
      .parse((req.query as Record<string, unknown>).page);
    res.render('pages/moderation/queue', {
      title: req.t('moderation.title'),
      ...(await moderation.queue(page)),
    });
  });

  router.post(
    '/moderation/flags/:id/resolve',
    guard('content.moderate'),
    async (req: Request, res: Response) => {
      const input = parseInput(resolveSchema, req.body);
      await moderation.resolve(String(req.params.id), req.user!, input.outcome, input.note);
      req.session.flash = [{ type: 'success', key: `moderation.resolved.${input.outcome}` }];
      res.redirect(303, '/moderation');
    },
  );

  return router;
}
