import type { ScoreCardDoc } from './scores.repo.ts';

/** What the team dashboard reads of a card: all-time competence per topic and in all (`g`), weekly participation, level inputs. */
export type DashboardCard = {
  t: {
    competence: Record<string, { all: number }>;
    participation: { g: Record<string, number> };
  };
  accepted: Record<string, number>;
  promoted: Record<string, number>;
  coach: Record<string, unknown>;
};

function slim(card: ScoreCardDoc | undefined): DashboardCard {
  const t = (card?.t ?? {}) as Record<string, Record<string, Record<string, number>> | undefined>;
  const competence: Record<string, { all: number }> = {};
  for (const [scope, periods] of Object.entries(t.competence ?? {}))
    if (scope.startsWith('tp') || scope === 'g') competence[scope] = { all: periods?.all ?? 0 };
  return {
    t: { competence, participation: { g: { ...(t.participation?.g ?? {}) } } },
    accepted: { ...((card?.accepted as Record<string, number> | undefined) ?? {}) },
    promoted: { ...((card?.promoted as Record<string, number> | undefined) ?? {}) },
    coach: { ...((card?.coach as Record<string, unknown> | undefined) ?? {}) },
  };
}

interface Entry {
  at: number;
  cards: Map<string, DashboardCard>;
  stale: Set<string>;
  /** Being read now: a change meanwhile makes them stale too. */
  pending: Set<string>;
}

/**
 * The cards of a team's members as its dashboard reads them, kept between
 * requests: a team of thousands is read once, then only the people whose card
 * changed since (this process's ledger says who) or who joined. Kept at most
 * `maxAgeMs` (writes of other app instances), for the `maxTeams` teams asked
 * for last; requests for a team being read wait for that read.
 */
export class TeamCards {
  readonly #read: (users: readonly string[]) => Promise<Map<string, ScoreCardDoc>>;
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  readonly #maxTeams: number;
  readonly #entries = new Map<string, Entry>();
  readonly #reading = new Map<string, Promise<void>>();

  constructor(
    read: (users: readonly string[]) => Promise<Map<string, ScoreCardDoc>>,
    options: { now?: () => number; maxAgeMs?: number; maxTeams?: number } = {},
  ) {
    this.#read = read;
    this.#now = options.now ?? Date.now;
    this.#maxAgeMs = options.maxAgeMs ?? 60_000;
    this.#maxTeams = options.maxTeams ?? 8;
  }

  /** A person's card changed: read it again next time. */
  changed(user: string): void {
    for (const entry of this.#entries.values())
      if (entry.cards.has(user) || entry.pending.has(user)) entry.stale.add(user);
  }

  /** Every card may have changed (a rebuild). */
  clear(): void {
    this.#entries.clear();
  }

  /** The cards of these members of `team` (a member without a card gets an empty one). */
  async of(team: string, members: readonly string[]): Promise<Map<string, DashboardCard>> {
    for (;;) {
      const reading = this.#reading.get(team);
      if (!reading) break;
      await reading;
    }
    let entry = this.#entries.get(team);
    if (!entry || this.#now() - entry.at > this.#maxAgeMs) {
      entry = { at: this.#now(), cards: new Map(), stale: new Set(), pending: new Set() };
    }
    this.#entries.delete(team);
    this.#entries.set(team, entry);
    while (this.#entries.size > this.#maxTeams) this.#entries.delete(this.#entries.keys().next().value!);
    const known = entry;
    const wanted = members.filter((m) => !known.cards.has(m) || known.stale.has(m));
    if (wanted.length > 0) {
      const read = (async () => {
        for (const m of wanted) {
          known.stale.delete(m);
          known.pending.add(m);
        }
        try {
          const found = await this.#read(wanted);
          for (const m of wanted) known.cards.set(m, slim(found.get(m)));
        } finally {
          for (const m of wanted) known.pending.delete(m);
        }
      })();
      this.#reading.set(team, read);
      try {
        await read;
      } finally {
        this.#reading.delete(team);
      }
    }
    return new Map(members.map((m) => [m, known.cards.get(m) ?? slim(undefined)]));
  }
}
