import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { DomUtils, parseDocument } from 'htmlparser2';
import { Team } from '../../../models/team.ts';
import { Topic } from '../../../models/topic.ts';
import { viewsDir } from '../../../server/app.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createPost, FAST_POSTING } from '../../helpers/content.ts';
import { createUser, signIn, type TestUser } from '../../helpers/users.ts';

/**
 * Names that end an inline <script> early or change how the rest is parsed: the
 * security test's finding, its variants, and the characters JSON allows but
 * JavaScript and HTML treat specially. Each carries an element with an id
 * `pp-x…` that must never appear in the page.
 */
const HOSTILE = [
  '</script><meta http-equiv=refresh content=0;url=/?x=1>',
  '</SCRIPT ><b id=pp-x1>maiuscolo</b>',
  '<!--<script> <i id=pp-x2>commento</i>',
  ']]></script><img id=pp-x3 src=x onerror=alert(1)>',
  'Riga\u2028separata\u2029paragrafo & "virgolette" \\ \'apice\'',
  '&lt;/script&gt;&amp; <p id=pp-x4>',
];

type Element = ReturnType<typeof DomUtils.getElementsByTagName>[number];

/** What the page's parser sees: every element, and the inline JSON of each data script. */
function parsePage(html: string) {
  const doc = parseDocument(html);
  const elements = DomUtils.findAll(() => true, doc.children) as Element[];
  const scripts = elements.filter((e) => e.name === 'script');
  const inlineJson = scripts
    .filter((s) => s.attribs.type === 'application/json')
    .map((s) => DomUtils.textContent(s));
  return { elements, scripts, inlineJson };
}

/** Fails on anything a hostile name could have added to the page. */
function expectNoInjectedElements(html: string, label: string) {
  const { elements, scripts } = parsePage(html);
  const injected = elements.filter((e) => /^pp-x/.test(e.attribs.id ?? ''));
  expect(
    injected.map((e) => e.name),
    `${label}: elements from hostile text`,
  ).to.deep.equal([]);
  const refresh = elements.filter((e) => e.name === 'meta' && 'http-equiv' in e.attribs);
  expect(refresh.length, `${label}: a <meta http-equiv> from hostile text`).to.equal(0);
  for (const script of scripts) {
    const ours =
      (script.attribs.type === 'module' && /^\/assets\//.test(script.attribs.src ?? '')) ||
      (script.attribs.type === 'application/json' && 'data-chart-data' in script.attribs);
    expect(ours, `${label}: unexpected script ${JSON.stringify(script.attribs)}`).to.equal(true);
  }
}

/** The inline JSON as written: none of the characters that end or change a script. */
function expectEscaped(json: string, label: string) {
  expect(json, `${label}: raw < > & U+2028 U+2029 in inline JSON`).to.not.match(/[<>&\u2028\u2029]/);
}

describe('inline JSON in pages: hostile names, topics and titles stay data', function () {
  this.timeout(120_000);
  const t = useTestApp({ env: FAST_POSTING });
  let team: string;
  let members: TestUser[];
  let lead: TestUser;

  before(async () => {
    const stamp = Date.now();
    team = String(
      (await Team.create({ name: `${HOSTILE[0]} squadra`.slice(0, 80), slug: `ostile-${stamp}` }))._id,
    );
    const topics = await Promise.all(
      HOSTILE.slice(0, 3).map(async (name, i) =>
        String(
          (
            await Topic.create({
              slug: `ostile-${i}-${stamp}`,
              names: { it: name, en: name },
              kind: 'process',
            })
          )._id,
        ),
      ),
    );
    members = [];
    for (const name of HOSTILE) members.push(await createUser({ team, displayName: name }));
    // Some activity, so that the chart has points and the pages list titles and topics.
    for (const [i, member] of members.entries())
      await createPost(t, member, i % 2 ? 'tip' : 'question', [topics[i % topics.length]!], {
        title: `${HOSTILE[i]} titolo`.slice(0, 160),
      });
    lead = await createUser({ roles: ['team_lead'], team, displayName: HOSTILE[1]! });
    await Team.updateOne({ _id: team }, { $set: { leads: [lead.id] } });
  });

  it('has checks that catch a broken script (so a pass means something)', () => {
    const broken = `<html><body><script type="application/json" data-chart-data>{"a":"${HOSTILE[0]}"}</script></body></html>`;
    expect(() => expectNoInjectedElements(broken, 'broken')).to.throw(/meta http-equiv/);
    expect(() => JSON.parse(parsePage(broken).inlineJson[0]!)).to.throw();
    expect(() => expectEscaped('{"a":"</script>"}', 'raw')).to.throw();
  });

  it("the team dashboard's chart data parses back to the members' names, and adds no element", async () => {
    const agent = t.agent();
    await signIn(agent, lead.email, lead.password);
    const res = await agent.get(`/teams/${team}/dashboard`).expect(200);
    expectNoInjectedElements(res.text, 'dashboard');
    const { inlineJson } = parsePage(res.text);
    expect(inlineJson, 'one chart on the dashboard').to.have.length(1);
    expectEscaped(inlineJson[0]!, 'dashboard');
    const data = JSON.parse(inlineJson[0]!) as { labels: string[]; series: Array<{ label: string }> };
    expect(data.labels).to.have.length(12);
    expect(data.series.map((s) => s.label).sort()).to.deep.equal(
      [...members.map((m) => m.displayName), lead.displayName].sort(),
    );
  });

  it("every person's score page keeps its chart data intact, whatever the person's name", async () => {
    const agent = t.agent();
    await signIn(agent, lead.email, lead.password);
    for (const member of members) {
      const res = await agent.get(`/people/${member.id}/scores`).expect(200);
      const label = `scores of ${JSON.stringify(member.displayName)}`;
      expectNoInjectedElements(res.text, label);
      const { inlineJson } = parsePage(res.text);
      expect(inlineJson, label).to.have.length(1);
      expectEscaped(inlineJson[0]!, label);
      const data = JSON.parse(inlineJson[0]!) as { labels: string[]; series: unknown[] };
      expect([data.labels.length, data.series.length], label).to.deep.equal([12, 2]);
    }
  });

  it('other pages showing the hostile names, topics and titles add no element either', async () => {
    const agent = t.agent();
    await signIn(agent, members[0]!.email, members[0]!.password);
    const pages = [
      '/',
      '/posts',
      '/questions',
      '/people',
      `/people/${members[2]!.id}`,
      '/leaderboards?dimension=participation&period=all',
      `/leaderboards?scope=team&team=${team}&dimension=participation&period=all`,
      '/search?q=titolo',
    ];
    for (const page of pages) {
      const res = await agent.get(page).expect(200);
      expectNoInjectedElements(res.text, page);
      for (const json of parsePage(res.text).inlineJson) {
        expectEscaped(json, page);
        JSON.parse(json);
      }
    }
  });

  it('no view writes a value unescaped into a script element (inline JSON goes through {{json}})', async () => {
    const offenders: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(file);
        else if (entry.name.endsWith('.hbs')) {
          const text = await fs.readFile(file, 'utf8');
          for (const [, body] of text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi))
            if (body && /\{\{\{|\{\{&/.test(body))
              offenders.push(`${path.relative(viewsDir, file)}: ${body}`);
        }
      }
    };
    await walk(viewsDir);
    expect(offenders).to.deep.equal([]);
  });
});
