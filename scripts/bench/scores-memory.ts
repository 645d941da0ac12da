/**
 * What the embedded scores repository holds in memory, measured:
 * `node --expose-gc scripts/bench/scores-memory.ts [--people 10000 --lines 1000000 --boards 10]`.
 *
 * Feeds a ledger of generated lines (rules, topics and times as a real one has
 * them) to the repository through the mirror, as the app's writes do, and
 * builds global leaderboards of everyone; prints the bytes held per line and
 * per board entry. No database: the repository is only told about writes.
 */
import { parseArgs } from 'node:util';
import { Types } from 'mongoose';
import '../../models/index.ts';
import { Mirror } from '../../server/db/embedded/mirror.ts';
import { RankedBoard } from '../../server/db/embedded/score-indexes.ts';
import { EmbeddedScoresRepo, MAX_HELD_BOARD_ENTRIES } from '../../server/db/embedded/scores.ts';
import { RULE_IDS, RULES } from '../../server/scoring/scoring.rules.ts';
import { createRandom } from '../../server/seed/random.ts';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '10000' },
    lines: { type: 'string', default: '1000000' },
    boards: { type: 'string', default: '10' },
  },
});
const peopleCount = Number(values.people);
const lineCount = Number(values.lines);
const boardCount = Number(values.boards);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const used = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const random = createRandom(5);
const people = Array.from({ length: peopleCount }, () => new Types.ObjectId().toHexString());
const topics = Array.from({ length: 40 }, () => new Types.ObjectId());
const now = Date.now();

const before = used();
const mirror = new Mirror('memory-script');
const repo = new EmbeddedScoresRepo(mirror);
const ledger = mirror.collection('score_events')!;
// Started on an empty ledger: every line written from here on is heard and held.
await ledger.start!({ findOne: async () => null });
ledger.loaded = true;
const rules = RULE_IDS.filter((r) => r !== 'promoted');
const started = Date.now();
const seq = new Map<string, number>();
for (let i = 0; i < lineCount; i++) {
  const user = people[random.int(0, people.length - 1)]!;
  const n = (seq.get(user) ?? 0) + 1;
  seq.set(user, n);
  const rule = rules[random.int(0, rules.length - 1)]!;
  const id = `${user}:${n}`;
  ledger.apply(
    id,
    ledger.pick({
      _id: id,
      user: new Types.ObjectId(user),
      dimension: RULES[rule],
      rule,
      topics: random.sample(topics, random.int(1, 2)),
      at: new Date(now - random.int(0, 2 * 365 * 86_400_000)),
      points: 1,
      source: { type: 'bench', id: String(i), post: null },
    }),
  );
}
const heardMs = Date.now() - started;
const afterLines = used();
const held = repo.heldLines;
process.stdout.write(
  `"why" index: ${held.lines} lines of ${held.people} people heard in ${heardMs} ms; ` +
    `typed arrays ${mb(held.bytes)} (${(held.bytes / held.lines).toFixed(1)} bytes a line, capacity included); ` +
    `heap + array buffers grew ${mb(afterLines - before)} (${((afterLines - before) / held.lines).toFixed(1)} bytes a line)\n`,
);

// Global boards of everyone (the all-time and current boards of both dimensions hold everyone with points).
const boards: RankedBoard[] = [];
const boardsBefore = used();
for (let b = 0; b < boardCount; b++)
  boards.push(
    RankedBoard.from(people.map((user, i) => [user, random.int(1, 5000), i % 7 ? `team${i % 20}` : null])),
  );
const boardBytes = used() - boardsBefore;
const entries = boards.reduce((sum, b) => sum + b.size, 0);
process.stdout.write(
  `leaderboards: ${boardCount} boards of ${peopleCount} people: ${mb(boardBytes)} ` +
    `(${(boardBytes / entries).toFixed(0)} bytes a person on a board; at most ` +
    `${mb((boardBytes / entries) * MAX_HELD_BOARD_ENTRIES)} for the ${MAX_HELD_BOARD_ENTRIES} entries held at most)\n`,
);
// Moves on a held board: one person's score changes.
const moveStarted = process.hrtime.bigint();
for (let i = 0; i < 100_000; i++)
  boards[0]!.add(people[random.int(0, people.length - 1)]!, random.int(-20, 20), null);
const moveNs = Number(process.hrtime.bigint() - moveStarted) / 100_000;
process.stdout.write(`a change of score on a board of ${peopleCount}: ${(moveNs / 1000).toFixed(1)} µs\n`);
