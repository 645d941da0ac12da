/**
 * The protected mode's rule for aggregates: a figure about a group of fewer
 * than the minimum group size names its members as surely as their own scores
 * would ("1 person · 40 points" is that person). Every place that shows team
 * totals asks here.
 */

/** The minimum group size an organisation starts with, and the range an admin may choose from. */
export const MINIMUM_GROUP_SIZE = { default: 5, min: 2, max: 50 } as const;

/** May a figure about this many people be shown? */
export function isLargeEnough(people: number, minimumGroupSize: number): boolean {
  return people >= minimumGroupSize;
}

/** What `protectGroups` leaves: the groups shown as they were, and the merged rest. */
export interface ProtectedGroups<G> {
  /** The groups large enough, in the order given. */
  groups: G[];
  /**
   * The groups too small, merged into one "other teams" line; null when there
   * were none, or when even together they are too few to show.
   */
  others: { people: number; points: number } | null;
  /** How many people are in no line at all (their groups too small even merged). */
  withheld: number;
}

/**
 * Keeps the groups of at least `minimumGroupSize` people and merges the
 * smaller ones into one line, which is itself dropped when it is still below
 * the minimum.
 */
export function protectGroups<G extends { people: number; points: number }>(
  groups: readonly G[],
  minimumGroupSize: number,
): ProtectedGroups<G> {
  const kept: G[] = [];
  let people = 0;
  let points = 0;
  for (const group of groups) {
    if (isLargeEnough(group.people, minimumGroupSize)) kept.push(group);
    else {
      people += group.people;
      points += group.points;
    }
  }
  if (people === 0) return { groups: kept, others: null, withheld: 0 };
  if (!isLargeEnough(people, minimumGroupSize)) return { groups: kept, others: null, withheld: people };
  return { groups: kept, others: { people, points }, withheld: 0 };
}

/**
 * A team's dashboard for a viewer: member by member when the viewer may see
 * individual scores (open mode, or a lead of the team or an admin), otherwise
 * only the team's own figures, and those only when the team is large enough.
 */
export function dashboardFigures(
  seesIndividuals: boolean,
  members: number,
  minimumGroupSize: number,
): 'individuals' | 'team' | 'withheld' {
  if (seesIndividuals) return 'individuals';
  return isLargeEnough(members, minimumGroupSize) ? 'team' : 'withheld';
}
