import { expect } from 'chai';
import type { Options } from 'express-rate-limit';
import { DatabaseRateLimitStore } from '../../../server/auth/rate-limit-store.ts';
import { useTestApp } from '../../helpers/app.ts';

describe('rate limit counters in the database', () => {
  useTestApp();

  function store(prefix: string, windowMs = 60_000) {
    const s = new DatabaseRateLimitStore(prefix);
    s.init({ windowMs } as Options);
    return s;
  }

  it('lose no hit of concurrent requests within one window', async () => {
    const s = store('t-concurrent');
    const results = await Promise.all(Array.from({ length: 20 }, () => s.increment('k')));
    expect(Math.max(...results.map((r) => r.totalHits))).to.equal(20);
    expect((await s.get('k'))?.totalHits).to.equal(20);
  });

  it('start again at 1 in the next window, and never count below 0', async () => {
    const s = store('t-window', 400);
    // Start right after a window begins, so that both hits fall in it.
    await new Promise((resolve) => setTimeout(resolve, 400 - (Date.now() % 400) + 5));
    await s.increment('k');
    const second = await s.increment('k');
    expect(second.totalHits).to.equal(2);
    await new Promise((resolve) => setTimeout(resolve, second.resetTime!.getTime() - Date.now() + 20));
    expect(await s.get('k'), 'a passed window counts nothing').to.equal(undefined);
    const fresh = await s.increment('k');
    expect(fresh.totalHits).to.equal(1);
    expect(fresh.resetTime!.getTime()).to.be.greaterThan(Date.now());
    await s.decrement('k');
    await s.decrement('k');
    expect((await s.get('k'))?.totalHits).to.equal(0);
    await s.resetKey('k');
    expect(await s.get('k')).to.equal(undefined);
    expect(await DatabaseRateLimitStore.removeExpired(new Date(Date.now() + 1000))).to.be.at.least(1);
  });
});
