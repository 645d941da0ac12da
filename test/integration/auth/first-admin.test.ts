import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { User } from '../../../models/user.ts';
import { projectRoot } from '../../../server/config.ts';
import { useTestApp } from '../../helpers/app.ts';
import { testStorageAdapter } from '../../helpers/engine.ts';
import { signIn } from '../../helpers/users.ts';

function runCli(
  args: string[],
  env: Record<string, string>,
  input: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/admin-create.ts', ...args], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stdin.end(input);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('the first administrator', function () {
  this.timeout(60_000);
  const t = useTestApp();

  it('comes from ADMIN_EMAIL / ADMIN_PASSWORD, once', async () => {
    const admin = {
      email: 'first.admin@aurora.example',
      password: 'violet harbour quietly sings',
      name: 'First Admin',
    };
    expect(await t.services.auth.ensureAdmin(admin)).to.equal('created');
    expect(await t.services.auth.ensureAdmin({ ...admin, password: 'something else entirely' })).to.equal(
      'exists',
    );
    const user = await User.findOne({ email: admin.email }).lean();
    expect(user?.roles).to.deep.equal(['admin']);
    await signIn(t.agent(), admin.email, admin.password);
  });

  it('refuses a weak ADMIN_PASSWORD', async () => {
    let failed = false;
    try {
      await t.services.auth.ensureAdmin({
        email: 'weak.admin@aurora.example',
        password: 'password1234',
        name: 'Weak',
      });
    } catch (err) {
      failed = true;
      expect((err as Error).message).to.include('ADMIN_PASSWORD');
    }
    expect(failed).to.equal(true);
  });

  it('can be created with npm run admin:create, reading the password twice', async () => {
    const env = { MONGODB_URI: t.databaseUri, STORAGE_ADAPTER: testStorageAdapter() };
    const created = await runCli(
      ['--email', 'cli.admin@aurora.example', '--name', 'Cli Admin'],
      env,
      'granite river morning tea\ngranite river morning tea\n',
    );
    expect(created.out).to.include('Administrator Cli Admin <cli.admin@aurora.example> created.');
    expect(created.code).to.equal(0);
    await signIn(t.agent(), 'cli.admin@aurora.example', 'granite river morning tea');
    expect(
      await AuditEntry.exists({ action: 'users.create', 'target.label': 'cli.admin@aurora.example' }),
    ).to.not.equal(null);

    const mismatch = await runCli(
      ['--email', 'other@aurora.example', '--name', 'Other'],
      env,
      'one passphrase here\nanother one here\n',
    );
    expect(mismatch.code).to.equal(1);
    expect(mismatch.out).to.include('do not match');

    const exists = await runCli(['--email', 'cli.admin@aurora.example', '--name', 'Again'], env, '');
    expect(exists.code).to.equal(1);
    expect(exists.out).to.include('--promote');
  });
});
