import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { guard } from '../auth/guard.ts';
import { ValidationError } from '../core/errors.ts';
import { field, parseInput } from '../core/validation.ts';
import type { DuplicatesService } from './duplicates.service.ts';

const closeSchema = z.object({
  /** One of the similar questions offered… */
  original: field.optionalText(40),
  /** …or a link to (or the id of) any question, which wins when given. */
  originalLink: field.optionalText(500),
  merge: field.checkbox(),
});

/** Closing a question as a duplicate, merging it, reopening it (knowledge managers). */
export function duplicatesRoutes(duplicates: DuplicatesService): Router {
  const router = Router();

  router.get('/posts/:id/duplicate', guard('posts.closeDuplicate'), async (req: Request, res: Response) => {
    const page = await duplicates.candidates(req.user!, String(req.params.id));
    res.render('pages/posts/duplicate', { title: req.t('posts.duplicates.title'), ...page });
  });

  router.post('/posts/:id/duplicate', guard('posts.closeDuplicate'), async (req: Request, res: Response) => {
    const input = parseInput(closeSchema, req.body);
    const ref = input.originalLink || input.original;
    if (!ref) throw new ValidationError({ original: { key: 'posts.duplicates.chooseOriginal' } });
    const postId = String(req.params.id);
    const originalId = await duplicates.close(req.user!, postId, ref, input.merge);
    req.session.flash = [
      { type: 'success', key: input.merge ? 'posts.duplicates.mergedDone' : 'posts.duplicates.closedDone' },
    ];
    res.redirect(303, input.merge ? `/posts/${originalId}` : `/posts/${postId}`);
  });

  router.post('/posts/:id/reopen', guard('posts.closeDuplicate'), async (req: Request, res: Response) => {
    const postId = String(req.params.id);
    await duplicates.reopen(req.user!, postId);
    req.session.flash = [{ type: 'success', key: 'posts.duplicates.reopenedDone' }];
    res.redirect(303, `/posts/${postId}`);
  });

  return router;
}
