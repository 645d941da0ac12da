import { expect } from 'chai';
import type supertest from 'supertest';
import type { Role } from '../../models/user.ts';
import { User } from '../../models/user.ts';
import { csrfToken, type TestApp } from './app.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

let counter = 0;

export interface TestUser {
  id: string;
  email: string;
  password: string;
  displayName: string;
  roles: Role[];
}

/** Creates an account directly in the database (with a real argon2id hash). */
export async function createUser(
  options: {
    roles?: Role[];
    email?: string;
    displayName?: string;
    password?: string;
    team?: unknown;
    active?: boolean;
    locale?: 'it' | 'en';
  } = {},
): Promise<TestUser> {
  counter++;
  const roles = options.roles ?? ['operator'];
  const displayName = options.displayName ?? `Test ${roles.join(' ')} ${counter}`;
  const email = options.email ?? `user${counter}.${Date.now().toString(36)}@test.example`;
  const password = options.password ?? TEST_PASSWORD;
  const user = new User({
    email,
    displayName,
    roles,
    team: options.team ?? null,
    active: options.active ?? true,
    locale: options.locale ?? null,
  });
  await user.setPassword(password);
  await user.save();
  return { id: String(user._id), email, password, displayName, roles };
}

/** Signs an agent in through the real form (CSRF token, POST /login). */
export async function signIn(agent: supertest.Agent, email: string, password: string): Promise<void> {
  const token = await csrfToken(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, email, password });
  expect(res.status, `sign-in of ${email}: ${res.text.slice(0, 300)}`).to.equal(303);
}

/** A new account with these roles and a browser-like agent signed in as it. */
export async function signedIn(
  t: TestApp,
  roles: Role[] = ['operator'],
  options: Parameters<typeof createUser>[0] = {},
) {
  const user = await createUser({ ...options, roles });
  const agent = t.agent();
  await signIn(agent, user.email, user.password);
  return { agent, user };
}
