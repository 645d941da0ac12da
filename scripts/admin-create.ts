/**
 * `npm run admin:create -- --email you@company.example --name "Your Name" [--promote]`
 *
 * Creates an administrator account in the configured database (MONGODB_URI or
 * the embedded engine). The password is read from ADMIN_PASSWORD, else asked
 * twice on the terminal (or read as two lines from standard input).
 * With --promote, an existing account gets the admin role instead.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import '../models/index.ts';
import { User } from '../models/user.ts';
import { AuditService } from '../server/audit/audit.service.ts';
import { checkPassword } from '../server/auth/password-policy.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { createLogger } from '../server/core/logger.ts';
import { disconnectDatabase } from '../server/db/connection.ts';
import { EngineUnavailableError } from '../server/db/ferretdb-build.ts';
import { openDatabase } from '../server/index.ts';

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    promote: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  const lines: string[] = [];
  if (!process.stdin.isTTY) {
    for await (const line of rl) {
      lines.push(line);
      if (lines.length === 2) break;
    }
  } else {
    lines.push(await rl.question('Password (at least 12 characters): '));
    lines.push(await rl.question('Repeat the password: '));
  }
  rl.close();
  if (lines[0] !== lines[1]) fail('The two passwords do not match.');
  return lines[0] ?? '';
}

const email = values.email?.trim().toLowerCase();
if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
  fail('Give the account email: --email you@company.example');

try {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const engine = await openDatabase(config, logger);
  const audit = new AuditService(logger);
  try {
    const existing = await User.findOne({ email });
    if (existing) {
      if (!values.promote) fail(`An account with ${email} exists. Use --promote to give it the admin role.`);
      if (!existing.roles.includes('admin')) existing.roles.push('admin');
      existing.active = true;
      await existing.save();
      await audit.record({
        action: 'users.update',
        target: { type: 'user', id: String(existing._id), label: email },
        details: { roles: existing.roles.join(','), source: 'admin:create' },
      });
      process.stdout.write(`${email} is now an administrator.\n`);
    } else {
      const name = values.name?.trim() || fail('Give the person name: --name "Your Name"');
      const password = await readPassword();
      const problem = checkPassword(password, { email, displayName: name });
      if (problem)
        fail(
          `The password is not acceptable (${problem.key.replace('validation.', '')}): use at least 12 characters, not a common password, not your name.`,
        );
      const user = new User({ email, displayName: name, roles: ['admin'] });
      await user.setPassword(password);
      await user.save();
      await audit.record({
        action: 'users.create',
        target: { type: 'user', id: String(user._id), label: email },
        details: { roles: ['admin'], source: 'admin:create' },
      });
      process.stdout.write(`Administrator ${name} <${email}> created.\n`);
    }
  } finally {
    await disconnectDatabase();
    await engine?.stop();
  }
} catch (err) {
  if (err instanceof ConfigError || err instanceof EngineUnavailableError) fail(err.message);
  throw err;
}
