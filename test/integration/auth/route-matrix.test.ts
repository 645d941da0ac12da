import { expect } from 'chai';
import { Types } from 'mongoose';
import type supertest from 'supertest';
import type { Role } from '../../../models/user.ts';
import { type Action, can } from '../../../server/auth/permissions.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { listRoutes, type RouteInfo } from '../../helpers/routes.ts';
import { signedIn } from '../../helpers/users.ts';

const ROLE_SETS: Role[][] = [['operator'], ['team_lead'], ['knowledge_manager'], ['admin']];

function samplePath(path: string): string {
  return path
    .replace(/:token\b/g, 'not-a-real-token-0000000000')
    .replace(/:[A-Za-z]+\b/g, () => new Types.ObjectId().toHexString());
}

async function call(agent: supertest.Agent, route: RouteInfo, token: string) {
  const url = samplePath(route.path);
  if (route.method === 'GET') return agent.get(url).redirects(0);
  return agent.post(url).type('form').send({ _csrf: token }).redirects(0);
}

describe('permission matrix, route by route', function () {
  this.timeout(120_000);
  const t = useTestApp();

  it('guards every route or marks it public on purpose', () => {
    const routes = listRoutes(t.app);
    expect(routes.length).to.be.greaterThan(20);
    const unguarded = routes.filter((r) => !r.permission && !r.isPublic).map((r) => `${r.method} ${r.path}`);
    expect(unguarded, 'routes without guard(action) or publicRoute()').to.deep.equal([]);
  });

  it('sends anonymous visitors to sign in (pages) or answers 401 (API)', async () => {
    const agent = t.agent();
    const token = await csrfToken(agent, '/login');
    for (const route of listRoutes(t.app).filter((r) => r.permission)) {
      const res = await call(agent, route, token);
      const label = `${route.method} ${route.path}`;
      if (route.path.startsWith('/api/')) {
        expect(res.status, label).to.equal(401);
        expect(res.body.error.code, label).to.equal('unauthorized');
      } else {
        expect(res.status, label).to.equal(303);
        expect(res.headers.location, label).to.match(/^\/login\?next=/);
      }
    }
  });

  for (const roles of ROLE_SETS) {
    it(`lets ${roles.join('+')} do exactly what the matrix allows`, async () => {
      const routes = listRoutes(t.app)
        .filter((r) => r.permission)
        // Signing out ends the session: check it last.
        .sort((a, b) => Number(a.path === '/logout') - Number(b.path === '/logout'));
      const { agent } = await signedIn(t, roles);
      const token = await csrfToken(agent, '/settings/account');
      for (const route of routes) {
        const allowed = can({ roles }, route.permission as Action);
        const res = await call(agent, route, token);
        const label = `${roles.join('+')} ${route.method} ${route.path} (${route.permission})`;
        if (allowed) {
          expect(res.status, label).to.not.be.oneOf([401, 403]);
          expect(String(res.headers.location ?? ''), label).to.not.match(/^\/login\?next=/);
        } else {
          expect(res.status, label).to.equal(403);
          expect(res.text, label).to.match(/riservato (al ruolo|ai ruoli) /);
        }
      }
    });
  }

  it('explains a refusal in the visitor language, naming the roles that may', async () => {
    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    const res = await agent.get('/admin/users').expect(403);
    expect(res.text).to.include('You cannot manage accounts: it is reserved for the Administrator role.');
    const json = await agent.get('/admin/users').set('Accept', 'application/json').expect(403);
    expect(json.body.error.code).to.equal('forbidden');
  });
});
