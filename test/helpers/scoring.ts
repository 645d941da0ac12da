import { DEFAULT_RULES, type ScoringRules } from '../../server/scoring/scoring.rules.ts';

/** The default rules with some values changed (what an admin's edit saves). */
export function rulesWith(change: (rules: ScoringRules) => void): ScoringRules {
  const rules = structuredClone(DEFAULT_RULES);
  change(rules);
  return rules;
}
