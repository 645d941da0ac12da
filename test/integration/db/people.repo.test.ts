import { expect } from 'chai';
import { Types } from 'mongoose';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import { createRepositories, type Repositories } from '../../../server/db/repositories.ts';
import type { DirectorySpec } from '../../../server/people/people.repo.ts';
import { useTestApp } from '../../helpers/app.ts';
import { testStorageAdapter } from '../../helpers/engine.ts';

describe('people repository (contract)', () => {
  useTestApp();
  let repos: Repositories;
  const teamA = new Types.ObjectId();
  const teamB = new Types.ObjectId();
  const topic = new Types.ObjectId();
  const ids = new Map<string, string>();
  let serial = 0;

  async function person(label: string, displayName: string, fields: Record<string, unknown> = {}) {
    const user = await User.create({
      email: `person${serial++}-${Date.now()}@example.test`,
      displayName,
      ...fields,
    });
    ids.set(label, String(user._id));
    return user;
  }

  const names = async (spec: Partial<DirectorySpec>) => {
    const page = await repos.people.directory({ offset: 0, limit: 100, ...spec });
    const labelOf = new Map([...ids].map(([label, id]) => [id, label]));
    return { labels: page.people.map((p) => labelOf.get(String(p._id)) ?? '?'), total: page.total };
  };

  before(async () => {
    repos = createRepositories(testStorageAdapter());
    await Team.create({ _id: teamA, name: 'Tecnico', slug: 'tecnico' });
    await Team.create({ _id: teamB, name: 'Fatturazione', slug: 'fatturazione' });
    // Three with the same name (ties by id, in creation order), accents folded for the order.
    await person('rossi1', 'Maria Rossi', { team: teamA });
    await person('rossi2', 'Maria Rossi', { team: teamB, topics: [topic] });
    await person('rossi3', 'Maria Rossi', { team: teamA, topics: [topic] });
    await person('elia', 'Élia Bianchi', { team: teamA });
    await person('zeno', 'Zeno Verdi', { topics: [topic] });
    await person('dot', 'Anna M. Neri', { team: teamB });
    await person('gone', 'Aaron Inattivo', { team: teamA, topics: [topic], active: false });
  });

  it('lists active people by folded name, ties by id, the same across pages', async () => {
    const expected = ['dot', 'elia', 'rossi1', 'rossi2', 'rossi3', 'zeno'];
    expect(await names({})).to.deep.equal({ labels: expected, total: 6 });
    const paged: string[] = [];
    for (let offset = 0; offset < 8; offset += 2) {
      const page = await names({ offset, limit: 2 });
      expect(page.total).to.equal(6);
      paged.push(...page.labels);
    }
    expect(paged).to.deep.equal(expected);
    expect(await names({ offset: 100, limit: 10 })).to.deep.equal({ labels: [], total: 6 });
  });

  it('filters by part of the folded name (taken literally), team and topic', async () => {
    expect(await names({ nameContains: 'rossi' })).to.deep.equal({
      labels: ['rossi1', 'rossi2', 'rossi3'],
      total: 3,
    });
    expect((await names({ nameContains: 'elia' })).labels).to.deep.equal(['elia']);
    expect((await names({ nameContains: 'm. n' })).labels).to.deep.equal(['dot']);
    expect((await names({ nameContains: 'a.' })).labels).to.deep.equal([]);
    expect(await names({ team: String(teamA) })).to.deep.equal({
      labels: ['elia', 'rossi1', 'rossi3'],
      total: 3,
    });
    expect((await names({ topic: String(topic) })).labels).to.deep.equal(['rossi2', 'rossi3', 'zeno']);
    expect((await names({ topic: String(topic), team: String(teamA) })).labels).to.deep.equal(['rossi3']);
    expect(
      (await names({ topic: String(topic), team: String(teamA), nameContains: 'zeno' })).labels,
    ).to.deep.equal([]);
    expect(await names({ team: String(new Types.ObjectId()) })).to.deep.equal({ labels: [], total: 0 });
    expect(await names({ team: 'nope' })).to.deep.equal({ labels: [], total: 0 });
  });

  it('follows writes: a new name, a deactivation, a new team', async () => {
    await User.updateOne(
      { _id: ids.get('zeno') },
      { $set: { displayName: 'Abele Verdi', nameKey: 'abele verdi' } },
    );
    await User.updateOne({ _id: ids.get('dot') }, { $set: { active: false } });
    await User.updateOne({ _id: ids.get('rossi2') }, { $set: { team: teamA } });
    expect((await names({})).labels).to.deep.equal(['zeno', 'elia', 'rossi1', 'rossi2', 'rossi3']);
    expect((await names({ team: String(teamA) })).labels).to.deep.equal([
      'elia',
      'rossi1',
      'rossi2',
      'rossi3',
    ]);
    expect((await names({ team: String(teamB) })).labels).to.deep.equal([]);
  });

  it('reads a profile without credentials; unknown and malformed ids have none', async () => {
    const profile = await repos.people.profile(ids.get('rossi3')!);
    expect(profile?.displayName).to.equal('Maria Rossi');
    expect(String(profile?.team)).to.equal(String(teamA));
    expect(profile?.topics.map(String)).to.deep.equal([String(topic)]);
    expect(profile).to.include.keys('email', 'bio', 'languages', 'createdAt', 'roles', 'active');
    expect(profile).to.not.have.any.keys('passwordHash', 'followedPeople', 'nameKey');
    expect((await repos.people.profile(ids.get('gone')!))?.active).to.equal(false);
    expect(await repos.people.profile(String(new Types.ObjectId()))).to.equal(null);
    expect(await repos.people.profile('not-an-id')).to.equal(null);
  });

  it('lists every team by name', async () => {
    const teams = await repos.people.teams();
    expect(teams.map((t) => t.name)).to.deep.equal(['Fatturazione', 'Tecnico']);
  });
});
