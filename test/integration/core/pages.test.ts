import { expect } from 'chai';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { signedIn } from '../../helpers/users.ts';

describe('pages, languages and error pages', () => {
  const t = useTestApp();

  describe('language of the pages', () => {
    it('is Italian by default, with the layout and a language switcher', async () => {
      const res = await t.request().get('/login').expect(200).expect('Content-Type', /html/);
      expect(res.text).to.include('<html lang="it">');
      expect(res.text).to.include('Accedi a Passaparola');
      expect(res.text).to.include('action="/preferences/language"');
      expect(res.headers['content-language']).to.equal('it');
    });

    it('follows Accept-Language when the person has not chosen', async () => {
      const res = await t.request().get('/login').set('Accept-Language', 'en-GB,en;q=0.9').expect(200);
      expect(res.text).to.include('<html lang="en">');
      expect(res.text).to.include('Sign in to Passaparola');
    });

    it('falls back to the default language for unsupported ones', async () => {
      const res = await t.request().get('/login').set('Accept-Language', 'de-DE').expect(200);
      expect(res.text).to.include('<html lang="it">');
    });

    it('shows the home page to a signed-in person in their language', async () => {
      const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
      const res = await agent.get('/').set('Accept-Language', 'it').expect(200);
      expect(res.text).to.include('<html lang="en">');
      expect(res.text).to.include('Share a case');
    });
  });

  describe('language switcher', () => {
    it('remembers the choice over Accept-Language and returns to the same page', async () => {
      const agent = t.agent();
      const token = await csrfToken(agent, '/login');
      const res = await agent
        .post('/preferences/language')
        .type('form')
        .send({ _csrf: token, locale: 'en', next: '/login?x=1' })
        .expect(303);
      expect(res.headers.location).to.equal('/login?x=1');
      const page = await agent.get('/login').set('Accept-Language', 'it').expect(200);
      expect(page.text).to.include('<html lang="en">');
    });

    it('never redirects to another site', async () => {
      const agent = t.agent();
      const token = await csrfToken(agent, '/login');
      for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
        const res = await agent
          .post('/preferences/language')
          .type('form')
          .send({ _csrf: token, locale: 'it', next });
        expect(res.status).to.equal(303);
        expect(res.headers.location, next).to.equal('/');
      }
    });

    it('rejects an unknown language with a field message', async () => {
      const agent = t.agent();
      const token = await csrfToken(agent, '/login');
      const res = await agent
        .post('/preferences/language')
        .set('Accept', 'application/json')
        .type('form')
        .send({ _csrf: token, locale: 'xx' })
        .expect(422);
      expect(res.body.error.fields.locale).to.equal('Scegli italiano o inglese.');
    });

    it('refuses a form without a valid CSRF token', async () => {
      const agent = t.agent();
      await csrfToken(agent, '/login');
      const missing = await agent
        .post('/preferences/language')
        .type('form')
        .send({ locale: 'en' })
        .expect(403);
      expect(missing.text).to.include('Il modulo è scaduto');
      const forged = await agent
        .post('/preferences/language')
        .type('form')
        .send({ locale: 'en', _csrf: 'abc.def' });
      expect(forged.status).to.equal(403);
    });

    it('refuses a token issued to another session', async () => {
      const token = await csrfToken(t.agent(), '/login');
      const other = t.agent();
      await other.get('/login');
      await other.post('/preferences/language').type('form').send({ _csrf: token, locale: 'en' }).expect(403);
    });
  });

  describe('error pages', () => {
    it('explain a missing page in Italian and in English', async () => {
      const it = await t.request().get('/nowhere/to/be').expect(404);
      expect(it.text).to.include('Questa pagina non esiste');
      expect(it.text).to.include('/nowhere/to/be');
      expect(it.text).to.include('<html lang="it">');
      const en = await t.request().get('/nowhere').set('Accept-Language', 'en').expect(404);
      expect(en.text).to.include('This page does not exist');
      expect(en.text).to.include('Go to the home page');
    });

    it('answer API clients with JSON', async () => {
      const res = await t.request().get('/api/nothing').set('Accept-Language', 'en').expect(404);
      expect(res.body.error).to.include({ status: 404, code: 'not_found' });
      expect(res.body.error.message).to.include('/api/nothing');
    });

    it('explain an internal error in both languages with the request code, without details', async () => {
      const original = t.services.feeds.home;
      t.services.feeds.home = async () => {
        throw new Error('secret internal detail');
      };
      const { agent } = await signedIn(t);
      try {
        const it = await agent.get('/').set('X-Request-Id', 'req-test-12345').expect(500);
        expect(it.text).to.include('Qualcosa è andato storto');
        expect(it.text).to.include('req-test-12345');
        expect(it.text).not.to.include('secret internal detail');
        const en = await agent.get('/').set('Accept-Language', 'en').expect(500);
        expect(en.text).to.include('Something went wrong on our side');
        expect(en.headers['x-request-id']).to.be.a('string');
        const json = await agent.get('/').set('Accept', 'application/json').expect(500);
        expect(json.body.error.code).to.equal('internal_error');
        expect(JSON.stringify(json.body)).not.to.include('secret internal detail');
      } finally {
        t.services.feeds.home = original;
      }
    });

    it('turn a malformed JSON body into a 400, not a 500', async () => {
      const res = await t
        .request()
        .post('/preferences/language')
        .set('Content-Type', 'application/json')
        .send('{"locale": ')
        .expect(400);
      expect(res.text).to.include('Richiesta non valida');
    });
  });

  describe('security headers and assets', () => {
    it('sends a strict content security policy and no framework fingerprint', async () => {
      const res = await t.request().get('/login').expect(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).to.include("script-src 'self'");
      expect(csp).to.include("base-uri 'none'");
      expect(csp).to.include("frame-ancestors 'none'");
      expect(csp).not.to.include('upgrade-insecure-requests');
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
      expect(res.headers['x-powered-by']).to.equal(undefined);
    });

    it('serves fingerprinted assets with a long immutable cache', async () => {
      const page = await t.request().get('/login');
      const href = /href="(\/assets\/css\/app\.[0-9a-f]{12}\.css)"/.exec(page.text)?.[1];
      expect(href).to.be.a('string');
      const css = await t.request().get(href!).expect(200).expect('Content-Type', /css/);
      expect(css.headers['cache-control']).to.include('immutable').and.include('max-age=31536000');
      const stale = await t.request().get('/assets/css/app.000000000000.css').expect(200);
      expect(stale.headers['cache-control']).to.equal('public, max-age=0');
      await t.request().get('/assets/../package.json').expect(404);
    });

    it('keeps the session cookie httpOnly and same-site', async () => {
      const res = await t.request().get('/login');
      const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      const sid = cookies.find((c) => c.startsWith('pp.sid='));
      expect(sid)
        .to.match(/HttpOnly/i)
        .and.match(/SameSite=Lax/i);
    });
  });
});
