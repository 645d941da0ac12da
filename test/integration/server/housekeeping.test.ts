import { expect } from 'chai';
import { Lease } from '../../../models/lease.ts';
import { RateLimitCounter } from '../../../models/rate-limit-counter.ts';
import { Leases } from '../../../server/db/leases.ts';
import { HOUSEKEEPING_LEASE, Housekeeping } from '../../../server/housekeeping.ts';
import { useTestApp } from '../../helpers/app.ts';
import { testLogger } from '../../helpers/engine.ts';

describe('scheduled work across instances (the housekeeping lease)', () => {
  const t = useTestApp();
  const interval = 15 * 60_000;
  const instances = (n: number) =>
    Array.from(
      { length: n },
      (_, i) =>
        new Housekeeping({
          services: t.services,
          leases: new Leases(),
          logger: testLogger,
          intervalMs: interval,
          holder: `instance-${i}`,
        }),
    );

  beforeEach(async () => {
    await Lease.deleteMany({});
  });

  it('lets exactly one of several instances asking at the same moment do a round, and that round does the work', async () => {
    const spent = new Date(Date.now() - 60_000);
    await RateLimitCounter.create({ _id: 'login-ip:spent:1', hits: 3, resetAt: spent });
    const all = instances(8);
    const now = new Date();
    const outcomes = await Promise.all(all.map((h) => h.runOnce(now)));
    expect(outcomes.filter((o) => o === 'ran')).to.have.length(1);
    expect(outcomes.filter((o) => o === 'skipped')).to.have.length(7);
    const holder = all[outcomes.indexOf('ran')]!.holder;
    expect(await new Leases().holderOf(HOUSEKEEPING_LEASE, now)).to.equal(holder);
    expect(
      await RateLimitCounter.findById('login-ip:spent:1').lean(),
      'the spent window was removed',
    ).to.equal(null);
  });

  it('keeps the work with its holder round after round, and hands it over when the holder dies or stops', async () => {
    const [a, b] = instances(2) as [Housekeeping, Housekeeping];
    const start = new Date();
    expect(await a.runOnce(start)).to.equal('ran');
    expect(await b.runOnce(new Date(start.getTime() + 5 * 60_000)), 'b, five minutes later').to.equal(
      'skipped',
    );
    const next = new Date(start.getTime() + interval);
    expect(await a.runOnce(next), 'a, its next round').to.equal('ran');
    expect(await b.runOnce(new Date(next.getTime() + 5 * 60_000))).to.equal('skipped');

    // a dies without giving the lease back: b takes over once it has expired, and a does not get it back.
    const afterExpiry = new Date(next.getTime() + interval);
    expect(await b.runOnce(afterExpiry), 'b, after a died').to.equal('ran');
    expect(await a.runOnce(new Date(afterExpiry.getTime() + 1000)), 'a, back too late').to.equal('skipped');

    // b stops cleanly: it gives the lease back, and a takes it at once.
    await b.stop();
    expect(await a.runOnce(new Date(afterExpiry.getTime() + 2000)), 'a, right after b stopped').to.equal(
      'ran',
    );
  });
});
