import { type Request, type Response, Router } from 'express';
import { User } from '../../models/user.ts';
import { guard } from '../auth/guard.ts';
import { parseInput } from '../core/validation.ts';
import { findByIds } from '../db/query.ts';
import { MINIMUM_GROUP_SIZE } from './scoring.policy.ts';
import { RULE_IDS, RULES } from './scoring.rules.ts';
import { reverseVotesSchema } from './scoring.schemas.ts';
import type { ScoringService } from './scoring.service.ts';
import { PRIVACY_MODES } from './scoring.settings.ts';

/** Form fields named "levels.coach.points" → { levels: { coach: { points } } } (CSRF token left out). */
function unflatten(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (name.startsWith('_')) continue;
    const parts = name.split('.');
    if (parts.length > 3 || parts.some((p) => !/^[A-Za-z]{1,40}$/.test(p))) continue;
    let node = out;
    for (const part of parts.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return out;
}

/** Admin → Scoring: the rules table (versioned), the privacy mode, recompute, bulk vote reversal. */
export function scoringAdminRoutes(scoring: ScoringService): Router {
  const router = Router();

  const render = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const [current, history, privacySettings, deactivated] = await Promise.all([
      scoring.settings.rules(),
      scoring.settings.history(),
      scoring.settings.privacySettings(),
      User.find({ active: false }, { displayName: 1, email: 1 }).sort({ nameKey: 1 }).limit(500).lean(),
    ]);
    const editors = new Map(
      (
        await findByIds(
          User,
          history.map((h) => h.updatedBy),
          { displayName: 1 },
        )
      ).map((u) => [String(u._id), u.displayName]),
    );
    res.render('pages/admin/scoring', {
      title: req.t('scores.admin.title'),
      current,
      rules: RULE_IDS.map((id) => ({ id, dimension: RULES[id], points: current.rules.points[id] })),
      history: history.map((h) => ({ ...h, editor: h.updatedBy ? (editors.get(h.updatedBy) ?? '') : '' })),
      privacy: privacySettings.mode,
      minimumGroupSize: privacySettings.minimumGroupSize,
      groupSizeRange: MINIMUM_GROUP_SIZE,
      privacyModes: PRIVACY_MODES,
      deactivated: deactivated.map((u) => ({ id: String(u._id), name: u.displayName, email: u.email })),
      ...extra,
    });
  };

  router.get('/admin/scoring', guard('scoring.manage'), async (req: Request, res: Response) => {
    await render(req, res);
  });

  router.post('/admin/scoring/rules', guard('scoring.manage'), async (req: Request, res: Response) => {
    const outcome = await scoring.settings.updateRules(unflatten(req.body), req.user!, req.ip ?? '');
    req.session.flash = [
      outcome.changed.length
        ? {
            type: 'success',
            key: 'scores.admin.rulesSaved',
            params: { version: outcome.version, count: outcome.changed.length },
          }
        : { type: 'info', key: 'scores.admin.rulesUnchanged' },
    ];
    res.redirect(303, '/admin/scoring');
  });

  router.post('/admin/scoring/privacy', guard('scoring.manage'), async (req: Request, res: Response) => {
    const before = await scoring.settings.privacySettings();
    const { changed } = await scoring.settings.updatePrivacy(req.body, req.user!, req.ip ?? '');
    const after = await scoring.settings.privacySettings();
    req.session.flash =
      changed.length === 0
        ? [{ type: 'info', key: 'scores.admin.rulesUnchanged' }]
        : [
            ...(before.mode !== after.mode
              ? [{ type: 'success' as const, key: `scores.admin.privacySaved.${after.mode}` }]
              : []),
            ...(before.minimumGroupSize !== after.minimumGroupSize
              ? [
                  {
                    type: 'success' as const,
                    key: 'scores.admin.minimumGroupSizeSaved',
                    params: { size: after.minimumGroupSize },
                  },
                ]
              : []),
          ];
    res.redirect(303, '/admin/scoring');
  });

  router.post('/admin/scoring/recompute', guard('scoring.manage'), async (req: Request, res: Response) => {
    const report = await scoring.recompute(req.user!, req.ip ?? '');
    await render(req, res, { report });
  });

  router.post(
    '/admin/scoring/reverse-votes',
    guard('scoring.manage'),
    async (req: Request, res: Response) => {
      const input = parseInput(reverseVotesSchema, req.body);
      const outcome = await scoring.reverseVotesOf(input.user, req.user!, req.ip ?? '');
      req.session.flash = [{ type: 'success', key: 'scores.admin.votesReversed', params: outcome }];
      res.redirect(303, '/admin/scoring');
    },
  );

  return router;
}
