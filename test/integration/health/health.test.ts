import { expect } from 'chai';
import { useTestApp } from '../../helpers/app.ts';

describe('health endpoints', () => {
  const t = useTestApp();

  it('/healthz answers while the process is up', async () => {
    const res = await t.request().get('/healthz').expect(200).expect('Content-Type', /json/);
    expect(res.body.status).to.equal('ok');
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.headers['set-cookie'], 'probes create no sessions').to.equal(undefined);
  });

  it('/readyz reports the database', async () => {
    const res = await t.request().get('/readyz').expect(200);
    expect(res.body).to.deep.equal({ status: 'ready', checks: { database: 'up' } });
  });
});
