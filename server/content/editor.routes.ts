import { type Request, type Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { guard } from '../auth/guard.ts';
import type { Config } from '../config.ts';
import { TooManyRequestsError } from '../core/errors.ts';
import { parseInput } from '../core/validation.ts';
import type { KbService } from '../kb/kb.service.ts';
import { filesUpload } from '../middleware/uploads.ts';
import type { PeopleService } from '../people/people.service.ts';
import type { UploadedFile } from '../posts/attachments.ts';
import type { EditorService } from './editor.service.ts';

export interface EditorRouteDeps {
  config: Config;
  editor: EditorService;
  people: PeopleService;
  kb: KbService;
}

const previewSchema = z.object({ text: z.string().max(30_000) });
const suggestSchema = z.object({ q: z.string().trim().max(60).catch('') });

/**
 * A person's pace for what the editor asks while they write (per instance:
 * it bounds the cost of one person's typing, it is not a security count).
 */
function pace(limit: number) {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => req.user?.id ?? 'anonymous',
    handler: (_req, _res, next, options) => {
      next(new TooManyRequestsError(Math.ceil(options.windowMs / 1000)));
    },
  });
}

/** The writing toolbar's calls: preview, @ and KB- suggestions, pasted pictures. */
export function editorRoutes({ config, editor, people, kb }: EditorRouteDeps): Router {
  const router = Router();
  const image = filesUpload('image', 1, config.posting.attachmentMaxBytes);

  router.post(
    '/api/editor/preview',
    guard('content.create'),
    pace(120),
    async (req: Request, res: Response) => {
      const { text } = parseInput(previewSchema, req.body);
      res.set('Cache-Control', 'no-store').json({ html: await editor.preview(text) });
    },
  );

  router.get(
    '/api/editor/people',
    guard('content.create'),
    pace(300),
    async (req: Request, res: Response) => {
      const { q } = parseInput(suggestSchema, req.query);
      res.set('Cache-Control', 'private, max-age=30').json({ items: await people.mentionable(q) });
    },
  );

  router.get(
    '/api/editor/articles',
    guard('content.create'),
    pace(300),
    async (req: Request, res: Response) => {
      const { q } = parseInput(suggestSchema, req.query);
      res.set('Cache-Control', 'private, max-age=30').json({ items: await kb.citableMatching(q) });
    },
  );

  router.post('/api/editor/images', guard('content.create'), image, async (req: Request, res: Response) => {
    const [file] = (req.files as UploadedFile[] | undefined) ?? [];
    res.status(201).json(await editor.image(req.user!, file));
  });

  return router;
}
