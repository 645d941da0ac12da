import { type Request, type Response, Router } from 'express';
import type { AuthService } from '../auth/auth.service.ts';
import { guard } from '../auth/guard.ts';
import type { Config } from '../config.ts';
import { parseInput } from '../core/validation.ts';
import { singleFileUpload } from '../middleware/uploads.ts';
import { profileSchema, SPOKEN_LANGUAGES } from '../people/people.schemas.ts';
import type { PeopleService } from '../people/people.service.ts';
import { passwordChangeSchema } from './settings.schemas.ts';

/** Personal settings: one's own profile, picture, language and password. */
export function settingsRoutes(deps: { config: Config; people: PeopleService; auth: AuthService }): Router {
  const { config, people, auth } = deps;
  const router = Router();

  router.get('/settings', guard('profile.editOwn'), (_req, res) => res.redirect(303, '/settings/profile'));

  router.get('/settings/profile', guard('profile.editOwn'), async (req: Request, res: Response) => {
    const [profile, topics] = await Promise.all([people.ownProfile(req.user!.id), people.topicOptions()]);
    res.render('pages/settings/profile', {
      title: req.t('settings.profile.title'),
      profile,
      topics,
      languages: SPOKEN_LANGUAGES,
      avatarMaxMb: Math.round((config.avatarMaxBytes / 1_000_000) * 10) / 10,
    });
  });

  router.post(
    '/settings/profile',
    guard('profile.editOwn'),
    singleFileUpload('avatar', config.avatarMaxBytes),
    async (req: Request, res: Response) => {
      const input = parseInput(profileSchema, req.body);
      await people.updateOwnProfile(req.user!.id, input, req.file?.buffer);
      req.session.flash = [{ type: 'success', key: 'settings.profile.saved' }];
      res.redirect(303, '/settings/profile');
    },
  );

  router.post(
    '/settings/profile/avatar/delete',
    guard('profile.editOwn'),
    async (req: Request, res: Response) => {
      await people.removeAvatar(req.user!.id);
      req.session.flash = [{ type: 'success', key: 'settings.profile.avatarRemoved' }];
      res.redirect(303, '/settings/profile');
    },
  );

  router.get('/settings/account', guard('profile.editOwn'), async (req: Request, res: Response) => {
    const profile = await people.ownProfile(req.user!.id);
    res.render('pages/settings/account', { title: req.t('settings.account.title'), profile });
  });

  router.post('/settings/password', guard('profile.editOwn'), async (req: Request, res: Response) => {
    const input = parseInput(passwordChangeSchema, req.body);
    await auth.changePassword(
      req.user!.id,
      { current: input.currentPassword, next: input.newPassword },
      { sessionId: req.sessionID, ip: req.ip ?? '' },
    );
    req.session.flash = [{ type: 'success', key: 'settings.account.passwordChanged' }];
    res.redirect(303, '/settings/account');
  });

  return router;
}
