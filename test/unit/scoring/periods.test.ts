import { expect } from 'chai';
import {
  dayKey,
  isoWeek,
  isPeriodKey,
  lastWeeks,
  periodKey,
  periodKeys,
} from '../../../server/scoring/periods.ts';
import { DEFAULT_RULES, levelFor, rulesSchema } from '../../../server/scoring/scoring.rules.ts';
import { diffRules } from '../../../server/scoring/scoring.settings.ts';

const ROME = 'Europe/Rome';

describe('score periods', () => {
  it('follows ISO 8601 weeks across year ends', () => {
    expect(isoWeek({ year: 2026, month: 12, day: 31 })).to.deep.equal({ year: 2026, week: 53 });
    expect(isoWeek({ year: 2027, month: 1, day: 3 })).to.deep.equal({ year: 2026, week: 53 });
    expect(isoWeek({ year: 2027, month: 1, day: 4 })).to.deep.equal({ year: 2027, week: 1 });
    expect(isoWeek({ year: 2024, month: 12, day: 30 })).to.deep.equal({ year: 2025, week: 1 });
    expect(isoWeek({ year: 2021, month: 1, day: 1 })).to.deep.equal({ year: 2020, week: 53 });
    expect(isoWeek({ year: 2026, month: 11, day: 23 })).to.deep.equal({ year: 2026, week: 48 });
  });

  it('reads periods on the organisation clock: 00:30 in Rome on 1 January is the new year', () => {
    const at = new Date('2026-12-31T23:30:00Z');
    expect(periodKeys(at, ROME)).to.deep.equal(['2026-W53', '2027-01', '2027-Q1', '2027', 'all']);
    expect(periodKeys(at, 'UTC')).to.deep.equal(['2026-W53', '2026-12', '2026-Q4', '2026', 'all']);
    expect(dayKey(at, ROME)).to.equal('2027-01-01');
    expect(dayKey(at, 'UTC')).to.equal('2026-12-31');
  });

  it('puts months in their quarter and follows summer time', () => {
    expect(periodKey('quarter', new Date('2026-03-31T21:59:00Z'), ROME)).to.equal('2026-Q1');
    expect(periodKey('quarter', new Date('2026-03-31T22:00:00Z'), ROME), 'midnight CEST').to.equal('2026-Q2');
    expect(periodKey('month', new Date('2026-10-31T22:59:00Z'), ROME)).to.equal('2026-10');
    expect(periodKey('month', new Date('2026-10-31T23:00:00Z'), ROME), 'midnight CET').to.equal('2026-11');
  });

  it('lists the last weeks oldest first, and validates keys', () => {
    expect(lastWeeks(new Date('2027-01-06T12:00:00Z'), 3, ROME)).to.deep.equal([
      '2026-W52',
      '2026-W53',
      '2027-W01',
    ]);
    expect(isPeriodKey('week', '2026-W53')).to.equal(true);
    expect(isPeriodKey('week', '2026-W54')).to.equal(false);
    expect(isPeriodKey('quarter', '2026-Q5')).to.equal(false);
    expect(isPeriodKey('month', '2026-13')).to.equal(false);
    expect(isPeriodKey('year', '2026')).to.equal(true);
    expect(isPeriodKey('all', 'all')).to.equal(true);
  });
});

describe('scoring rules', () => {
  it('grants levels by the thresholds of DESIGN.md', () => {
    const level = (points: number, accepted: number, promoted: number, nominatedCoach = false) =>
      levelFor(DEFAULT_RULES, { points, accepted, promoted, nominatedCoach });
    expect(level(99, 5, 5)).to.equal('candidate');
    expect(level(100, 0, 0), 'no accepted or promoted item').to.equal('candidate');
    expect(level(100, 1, 0)).to.equal('contributor');
    expect(level(100, 0, 1)).to.equal('contributor');
    expect(level(500, 1, 2)).to.equal('contributor');
    expect(level(500, 0, 3)).to.equal('publisher');
    expect(level(1500, 0, 3)).to.equal('publisher');
    expect(level(1499, 0, 3, true)).to.equal('publisher');
    expect(level(1500, 0, 3, true)).to.equal('coach');
  });

  it("validates an admin's rules: whole numbers in range, levels in order", () => {
    const form = (change: (r: Record<string, unknown>) => void) => {
      const r = structuredClone(DEFAULT_RULES) as unknown as Record<string, unknown>;
      change(r);
      return rulesSchema.safeParse(r);
    };
    expect(form(() => {}).success).to.equal(true);
    const paths = (result: ReturnType<typeof form>) =>
      (result.error?.issues ?? []).map((i) => i.path.join('.'));
    expect(paths(form((r) => ((r.points as Record<string, unknown>).voteCast = '1.5')))).to.deep.equal([
      'points.voteCast',
    ]);
    expect(paths(form((r) => ((r.points as Record<string, unknown>).voteCast = '')))).to.deep.equal([
      'points.voteCast',
    ]);
    expect(paths(form((r) => ((r.caps as Record<string, unknown>).votesCastPerDay = -1)))).to.deep.equal([
      'caps.votesCastPerDay',
    ]);
    expect(
      paths(form((r) => ((r.levels as { publisher: { points: number } }).publisher.points = 50))),
    ).to.deep.equal(['levels.publisher.points']);
    expect(paths(form((r) => (r.halfLifeDays = 0)))).to.deep.equal(['halfLifeDays']);
  });

  it('lists what an edit changed', () => {
    const after = structuredClone(DEFAULT_RULES);
    after.points.voteCast = 2;
    after.levels.coach.points = 2000;
    expect(diffRules(DEFAULT_RULES, after)).to.deep.equal([
      'points.voteCast: 1 → 2',
      'levels.coach.points: 1500 → 2000',
    ]);
  });
});
