import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { ROLES } from '../../models/user.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { auditSentenceKey } from '../audit/audit-actions.ts';
import { guard } from '../auth/guard.ts';
import { sendCsv } from '../core/csv.ts';
import { NotFoundError } from '../core/errors.ts';
import { field, parseInput } from '../core/validation.ts';
import { singleFileUpload } from '../middleware/uploads.ts';
import type { TeamsService } from '../teams/teams.service.ts';
import { adminUserSchema, importSchema, userListSchema } from '../users/users.schemas.ts';
import type { ActionContext, UsersService } from '../users/users.service.ts';

const auditFilterSchema = z.object({
  action: z.string().trim().max(80).optional().catch(undefined),
  actor: z.string().trim().max(80).optional().catch(undefined),
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  signins: field.checkbox().catch(false),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

function context(req: Request): ActionContext {
  return { actor: req.user!, ip: req.ip ?? '' };
}

export interface AdminDeps {
  users: UsersService;
  teams: TeamsService;
  audit: AuditService;
  importMaxBytes: number;
}

/** Administration: accounts, bulk import and the audit log (teams have their own routes). */
export function adminRoutes(deps: AdminDeps): Router {
  const { users, teams, audit } = deps;
  const router = Router();

  router.get('/admin', guard('admin.access'), (req: Request, res: Response) => {
    res.render('pages/admin/index', { title: req.t('admin.title') });
  });

  router.get('/admin/users', guard('users.manage'), async (req: Request, res: Response) => {
    const filters = parseInput(userListSchema, req.query);
    const [result, teamOptions] = await Promise.all([users.list(filters), teams.options()]);
    res.render('pages/admin/users/index', {
      title: req.t('admin.users.title'),
      filters: { ...filters, status: filters.status ?? 'active' },
      roles: ROLES,
      teams: teamOptions,
      ...result,
    });
  });

  router.get('/admin/users/new', guard('users.manage'), async (req: Request, res: Response) => {
    res.render('pages/admin/users/form', {
      title: req.t('admin.users.newTitle'),
      isNew: true,
      account: { roles: ['operator'] },
      roles: ROLES,
      teams: await teams.options(),
    });
  });

  router.post('/admin/users', guard('users.manage'), async (req: Request, res: Response) => {
    const input = parseInput(adminUserSchema, req.body);
    const created = await users.create(input, context(req));
    res.render('pages/admin/users/reset-link', {
      title: req.t('admin.users.createdTitle'),
      created: true,
      account: { id: created.id, email: input.email, displayName: input.displayName },
      link: { url: created.resetUrl, expiresAt: created.expiresAt },
    });
  });

  router.get('/admin/users/:id', guard('users.manage'), async (req: Request, res: Response) => {
    const account = await users.get(String(req.params.id));
    res.render('pages/admin/users/form', {
      title: account.displayName,
      isNew: false,
      isSelf: String(account._id) === req.user!.id,
      account: { ...account, id: String(account._id), team: account.team ? String(account.team) : '' },
      roles: ROLES,
      teams: await teams.options(),
    });
  });

  router.post('/admin/users/:id', guard('users.manage'), async (req: Request, res: Response) => {
    const input = parseInput(adminUserSchema, req.body);
    await users.update(String(req.params.id), input, context(req));
    req.session.flash = [{ type: 'success', key: 'admin.users.saved' }];
    res.redirect(303, `/admin/users/${req.params.id}`);
  });

  router.post('/admin/users/:id/deactivate', guard('users.manage'), async (req: Request, res: Response) => {
    await users.setActive(String(req.params.id), false, context(req));
    req.session.flash = [{ type: 'success', key: 'admin.users.deactivated' }];
    res.redirect(303, `/admin/users/${req.params.id}`);
  });

  router.post('/admin/users/:id/reactivate', guard('users.manage'), async (req: Request, res: Response) => {
    await users.setActive(String(req.params.id), true, context(req));
    req.session.flash = [{ type: 'success', key: 'admin.users.reactivated' }];
    res.redirect(303, `/admin/users/${req.params.id}`);
  });

  router.post(
    '/admin/users/:id/reset-password',
    guard('users.manage'),
    async (req: Request, res: Response) => {
      const link = await users.resetPassword(String(req.params.id), context(req));
      res.render('pages/admin/users/reset-link', {
        title: req.t('admin.users.resetTitle'),
        account: { id: req.params.id, email: link.email, displayName: link.displayName },
        link,
      });
    },
  );

  router.get('/admin/import', guard('users.import'), (req: Request, res: Response) => {
    res.render('pages/admin/import', { title: req.t('admin.import.title') });
  });

  const importUpload = singleFileUpload('file', deps.importMaxBytes, { fieldSize: deps.importMaxBytes });
  /** The CSV comes as an uploaded file or pasted into the text area. */
  const csvOf = (req: Request) => {
    const input = parseInput(importSchema, req.body);
    const csv = req.file ? req.file.buffer.toString('utf8') : (input.csv ?? '');
    return { csv, allOrNothing: input.allOrNothing };
  };

  router.post(
    '/admin/import/preview',
    guard('users.import'),
    importUpload,
    async (req: Request, res: Response) => {
      const { csv, allOrNothing } = csvOf(req);
      const preview = await users.previewImport(csv);
      res.render('pages/admin/import', {
        title: req.t('admin.import.previewTitle'),
        preview,
        csv,
        allOrNothing,
      });
    },
  );

  router.post('/admin/import', guard('users.import'), importUpload, async (req: Request, res: Response) => {
    const { csv, allOrNothing } = csvOf(req);
    const result = await users.commitImport(csv, allOrNothing, context(req));
    if (!result.written) res.status(422);
    // The one-time links can be downloaded as a CSV once, for the next half hour.
    if (result.created.length > 0)
      req.session.importLinks = {
        at: Date.now(),
        rows: result.created.map((c) => [c.displayName, c.email, c.resetUrl]),
      };
    res.render('pages/admin/import', {
      title: req.t('admin.import.resultTitle'),
      preview: result.preview,
      result,
      csv,
      allOrNothing,
    });
  });

  router.get('/admin/import/links.csv', guard('users.import'), (req: Request, res: Response) => {
    const links = req.session.importLinks;
    delete req.session.importLinks;
    if (!links || Date.now() - links.at > 30 * 60_000) throw new NotFoundError('admin.import.linksGone');
    sendCsv(
      res,
      'passaparola-links.csv',
      [req.t('admin.users.name'), req.t('admin.users.email'), req.t('admin.import.link')],
      links.rows,
    );
  });

  router.get('/admin/audit', guard('audit.view'), async (req: Request, res: Response) => {
    const filters = parseInput(auditFilterSchema, req.query);
    const to = filters.to ? new Date(new Date(`${filters.to}T00:00:00Z`).getTime() + 86_400_000) : undefined;
    const [result, actions] = await Promise.all([
      audit.list({
        action: filters.action || undefined,
        actor: filters.actor || undefined,
        from: filters.from ? new Date(`${filters.from}T00:00:00Z`) : undefined,
        to,
        withSignIns: filters.signins,
        page: filters.page,
      }),
      audit.actions(),
    ]);
    // Each entry as a sentence in the reader's language; its reason, if any, after it.
    const entries = result.entries.map((entry) => {
      const key = auditSentenceKey(entry.action);
      const reason = entry.details.find((d) => d.key === 'reason' && d.value !== '')?.value ?? null;
      return {
        ...entry,
        sentence: key
          ? req.t(key, { actor: entry.actorName || '—', target: entry.target?.label ?? '' })
          : null,
        reason,
        details: entry.details.filter((d) => d.key !== 'reason'),
      };
    });
    res.render('pages/admin/audit', {
      title: req.t('admin.audit.title'),
      filters,
      actions,
      ...result,
      entries,
    });
  });

  return router;
}
