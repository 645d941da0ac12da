import { expect } from 'chai';
import { User } from '../../../models/user.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createUser } from '../../helpers/users.ts';

describe('users repository (contract, both adapters)', () => {
  const t = useTestApp();

  it('finds an account by email, whatever its case, and follows email changes', async () => {
    const { users } = t.runtime.repos;
    const anna = await createUser({ email: 'anna.verdi@rubrica.example' });
    await t.runtime.repos.ready();
    expect(await users.idByEmail('anna.verdi@rubrica.example')).to.equal(anna.id);
    expect(await users.idByEmail('  Anna.Verdi@Rubrica.example ')).to.equal(anna.id);
    expect(await users.idByEmail('nessuno@rubrica.example')).to.equal(null);

    await User.updateOne({ _id: anna.id }, { $set: { email: 'anna.neri@rubrica.example' } });
    expect(await users.idByEmail('anna.verdi@rubrica.example'), 'the old email is free').to.equal(null);
    expect(await users.idByEmail('anna.neri@rubrica.example')).to.equal(anna.id);
    expect(
      await users.takenEmails(['anna.neri@rubrica.example', 'ANNA.VERDI@rubrica.example', 'x@y.example']),
    ).to.deep.equal(new Set(['anna.neri@rubrica.example']));
    expect(await users.takenEmails([])).to.deep.equal(new Set());
  });

  it('finds active people by handle, case-insensitively; inactive ones and other handles are left out', async () => {
    const { users } = t.runtime.repos;
    const luca = await createUser({ email: 'luca.blu@handles.example', displayName: 'Luca Blu' });
    await createUser({ email: 'sara.rosa@handles.example', active: false });
    await createUser({ email: 'luca.bluette@handles.example' });
    await t.runtime.repos.ready();
    const found = await users.activeByHandles(['Luca.Blu', 'sara.rosa', 'luca.b', 'nessuno', 'luca.blu']);
    expect(found).to.deep.equal([
      { id: luca.id, email: 'luca.blu@handles.example', displayName: 'Luca Blu' },
    ]);
    expect(await users.activeByHandles([])).to.deep.equal([]);
    expect(await users.activeByHandles(['.*', '(', 'luca.blu@handles'])).to.deep.equal([]);
  });
});
