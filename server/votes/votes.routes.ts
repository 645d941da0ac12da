import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { VOTE_TARGETS } from '../../models/vote.ts';
import { guard } from '../auth/guard.ts';
import { safeRedirectPath, wantsJson } from '../core/http.ts';
import { field, parseInput } from '../core/validation.ts';
import type { VotesService, VoteValue } from './votes.service.ts';

const voteSchema = z.object({
  targetType: z.enum(VOTE_TARGETS, { error: 'validation.choice' }),
  targetId: field.objectId(),
  value: z.enum(['1', '-1', '0'], { error: 'validation.choice' }).transform((v) => Number(v) as VoteValue),
});

/** Voting: a plain form post (scripts make it happen in place). */
export function votesRoutes(votes: VotesService): Router {
  const router = Router();

  router.post('/votes', guard('votes.cast'), async (req: Request, res: Response) => {
    const input = parseInput(voteSchema, req.body);
    const outcome = await votes.vote(req.user!, input.targetType, input.targetId, input.value);
    if (wantsJson(req)) {
      res.json(outcome);
      return;
    }
    const back = safeRedirectPath((req.body as Record<string, unknown>)._return, '/');
    res.redirect(303, back);
  });

  return router;
}
