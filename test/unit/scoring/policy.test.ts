import { expect } from 'chai';
import {
  dashboardFigures,
  isLargeEnough,
  MINIMUM_GROUP_SIZE,
  protectGroups,
} from '../../../server/scoring/scoring.policy.ts';
import { privacySettingsSchema } from '../../../server/scoring/scoring.settings.ts';

describe('the minimum group size of aggregates', () => {
  const teams = [
    { team: 'big', people: 7, points: 300 },
    { team: 'five', people: 5, points: 120 },
    { team: 'four', people: 4, points: 90 },
    { team: 'solo', people: 1, points: 40 },
    { team: null, people: 2, points: 8 },
  ];

  it('keeps groups of at least the minimum and merges the smaller ones into one line', () => {
    const out = protectGroups(teams, 5);
    expect(out.groups.map((g) => g.team)).to.deep.equal(['big', 'five']);
    expect(out.others).to.deep.equal({ people: 7, points: 138 });
    expect(out.withheld).to.equal(0);
  });

  it('drops the merged line when even together the small groups are too few', () => {
    const out = protectGroups(teams, 8);
    expect(out.groups.map((g) => g.team)).to.deep.equal([]);
    expect(out.others).to.deep.equal({ people: 19, points: 558 });
    const solo = protectGroups([{ team: 'solo', people: 1, points: 40 }, ...teams.slice(0, 2)], 5);
    expect(solo.groups.map((g) => g.team)).to.deep.equal(['big', 'five']);
    expect(solo.others, 'one person is not "other teams"').to.equal(null);
    expect(solo.withheld).to.equal(1);
  });

  it('leaves everything as it was when every group is large enough', () => {
    expect(protectGroups(teams, 1)).to.deep.equal({ groups: teams, others: null, withheld: 0 });
    expect(protectGroups([], 5)).to.deep.equal({ groups: [], others: null, withheld: 0 });
  });

  it('gives a team dashboard member by member only to those who may see individuals', () => {
    expect(dashboardFigures(true, 1, 5)).to.equal('individuals');
    expect(dashboardFigures(false, 5, 5)).to.equal('team');
    expect(dashboardFigures(false, 4, 5)).to.equal('withheld');
    expect(isLargeEnough(5, 5)).to.equal(true);
    expect(isLargeEnough(4, 5)).to.equal(false);
  });

  it('takes a whole number from 2 to 50 from the admin form, 5 by default', () => {
    expect(MINIMUM_GROUP_SIZE.default).to.equal(5);
    const parse = (v: unknown) => privacySettingsSchema.safeParse({ mode: 'protected', minimumGroupSize: v });
    expect(parse('7').data).to.deep.equal({ mode: 'protected', minimumGroupSize: 7 });
    for (const bad of ['1', '51', '3.5', '', 'cinque', ['5'], { $gt: 1 }])
      expect(parse(bad).success, JSON.stringify(bad)).to.equal(false);
  });
});
