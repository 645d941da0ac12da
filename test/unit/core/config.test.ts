import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, envSchema, loadConfig, projectRoot } from '../../../server/config.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('config', () => {
  it('applies documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.env).to.equal('development');
    expect(config.port).to.equal(3000);
    expect(config.host).to.equal('127.0.0.1');
    expect(config.publicUrl).to.equal('http://localhost:3000');
    expect(config.mongodbUri).to.equal(undefined);
    expect(config.embeddedEngine).to.equal('auto');
    expect(config.defaultLocale).to.equal('it');
    expect(config.cookieSecure).to.equal(false);
    expect(config.seedOnStart).to.equal(true);
    expect(config.dataDir).to.match(/\/data$/);
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('reads typed values', () => {
    const config = loadConfig({
      PORT: '8080',
      MONGODB_URI: 'mongodb://db.internal:27017/pp',
      SEED_ON_START: 'no',
      DEFAULT_LOCALE: 'en',
      PUBLIC_URL: 'https://passaparola.example/',
      TRUST_PROXY: '1',
    });
    expect(config.port).to.equal(8080);
    expect(config.mongodbUri).to.equal('mongodb://db.internal:27017/pp');
    expect(config.seedOnStart).to.equal(false);
    expect(config.defaultLocale).to.equal('en');
    expect(config.publicUrl).to.equal('https://passaparola.example');
    expect(config.cookieSecure, 'https public URL implies secure cookies').to.equal(true);
    expect(config.trustProxy).to.equal(1);
  });

  it('treats an empty MONGODB_URI as unset', () => {
    expect(loadConfig({ MONGODB_URI: '' }).mongodbUri).to.equal(undefined);
  });

  it('reports every bad variable at once, by name, with the value it got', () => {
    const problems = problemsOf({
      PORT: 'abc',
      DEFAULT_LOCALE: 'fr',
      SEED_ON_START: 'maybe',
      MONGODB_URI: 'postgres://x',
    });
    expect(problems).to.have.length(4);
    expect(problems.find((p) => p.startsWith('PORT:')))
      .to.include('whole number')
      .and.include('"abc"');
    expect(problems.find((p) => p.startsWith('DEFAULT_LOCALE:'))).to.include('"fr"');
    expect(problems.find((p) => p.startsWith('SEED_ON_START:'))).to.include('true or false');
    expect(problems.find((p) => p.startsWith('MONGODB_URI:'))).to.include('mongodb://');
  });

  it('rejects out-of-range numbers', () => {
    expect(problemsOf({ PORT: '70000' })[0]).to.match(/^PORT: expected a whole number between 0 and 65535/);
    expect(problemsOf({ SESSION_IDLE_MINUTES: '1' })[0]).to.match(/^SESSION_IDLE_MINUTES/);
  });

  it('requires a long SESSION_SECRET in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })[0]).to.match(/^SESSION_SECRET: required in production/);
    expect(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: 'short' })[0]).to.match(
      /^SESSION_SECRET: expected at least 32/,
    );
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) });
    expect(config.isProduction).to.equal(true);
  });

  it('names the problems in the error message', () => {
    try {
      loadConfig({ PORT: '-1' });
      expect.fail('should throw');
    } catch (err) {
      expect((err as Error).message).to.match(/^Invalid configuration:\n {2}- PORT:/);
    }
  });

  it('reads REDIS_URL for several instances, and refuses anything else', () => {
    expect(loadConfig({}).redisUrl).to.equal(undefined);
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).to.equal(undefined);
    expect(loadConfig({ REDIS_URL: 'redis://cache.internal:6379/0' }).redisUrl).to.equal(
      'redis://cache.internal:6379/0',
    );
    expect(loadConfig({ REDIS_URL: 'rediss://user:pw@cache.internal:6380' }).redisUrl).to.equal(
      'rediss://user:pw@cache.internal:6380',
    );
    expect(problemsOf({ REDIS_URL: 'cache.internal:6379' })).to.deep.equal([
      'REDIS_URL: expected a redis:// or rediss:// URL (got "cache.internal:6379")',
    ]);
  });

  it('bounds slow clients with headers, request and idle timeouts', () => {
    expect(loadConfig({}).http).to.deep.equal({
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 60_000,
      idleTimeoutMs: 65_000,
    });
    expect(
      loadConfig({
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
        HTTP_IDLE_TIMEOUT_MS: '500',
      }).http,
    ).to.deep.equal({ headersTimeoutMs: 1000, requestTimeoutMs: 2000, idleTimeoutMs: 500 });
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '30000', HTTP_REQUEST_TIMEOUT_MS: '10000' })).to.deep.equal([
      'HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS (10000)',
    ]);
    expect(problemsOf({ HTTP_REQUEST_TIMEOUT_MS: '0' })[0]).to.match(
      /^HTTP_REQUEST_TIMEOUT_MS: expected a whole/,
    );
  });

  it('documents every variable in .env.example and in the README', () => {
    const example = readFileSync(path.join(projectRoot, '.env.example'), 'utf8');
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    for (const name of Object.keys(envSchema.shape)) {
      if (name === 'NODE_ENV') continue;
      expect(example, `.env.example lists ${name}`).to.match(new RegExp(`^#? ?${name}=`, 'm'));
      expect(readme, `README lists ${name}`).to.include(`\`${name}\``);
    }
  });
});
