import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { AUDIT_ACTIONS, auditSentenceKey } from '../../../server/audit/audit-actions.ts';
import { projectRoot } from '../../../server/config.ts';

const catalog = (lang: string) =>
  JSON.parse(readFileSync(path.join(projectRoot, 'server/locales', lang, 'admin.json'), 'utf8')) as Record<
    string,
    unknown
  >;

function lookup(tree: unknown, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

/** Every literal action the server records (`action: 'x.y'`, and the templated ones' known values). */
function recordedActions(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (file.endsWith('.ts'))
        for (const m of readFileSync(file, 'utf8').matchAll(
          /action: (?:[a-z]+ \? )?'([a-z]+\.[A-Za-z.]+)'(?: : '([a-z]+\.[A-Za-z.]+)')?/g,
        )) {
          found.add(m[1]!);
          if (m[2]) found.add(m[2]);
        }
    }
  };
  walk(path.join(projectRoot, 'server'));
  return [...found].sort();
}

describe('audit log sentences', () => {
  it('has a sentence in Italian and English for every action it knows', () => {
    for (const lang of ['it', 'en']) {
      for (const action of AUDIT_ACTIONS) {
        const text = lookup(catalog(lang), auditSentenceKey(action)!);
        expect(text, `${lang}: ${action}`).to.be.a('string').and.include('{{');
      }
    }
  });

  it('knows every action the server records', () => {
    const known = new Set<string>(AUDIT_ACTIONS);
    expect(recordedActions().filter((a) => !known.has(a))).to.deep.equal([]);
  });
});
