import type { Party } from '@dualwatch/contracts';
import { PartyMatcher, type PartyMatch, type RefData } from '@dualwatch/refdata';
import type { Policy } from './policy';

/**
 * What the scorer needs to know about the world. The risk-engine supplies a view whose screenParty
 * answers from a pre-fetched cache (and says when it fell back to the bundled snapshot); the CLI and
 * the tests use createLocalView over a RefData in memory.
 */
export interface ReferenceView {
  readonly refdata: RefData;
  /** Candidate list entries for one party, best first (scores 0..1). Must be pure for a given party. */
  screenParty(party: Party): PartyMatch[];
  /** true where the reference data came from a fallback (recorded on the assessment). */
  readonly degraded?: boolean;
}

const MAX_MEMO = 100_000;

/** The screening key of a party: what the matcher looks at. */
export function screeningKey(party: Pick<Party, 'name' | 'country' | 'identifiers'>): string {
  return `${party.name}\u0000${party.country}\u0000${party.identifiers?.jpCorporateNumber ?? ''}`;
}

/**
 * A view over reference data in memory: one PartyMatcher, answers memoised per (name, country,
 * corporate number). Candidates down to the policy's "possible" threshold are returned.
 */
export function createLocalView(refdata: RefData, policy: Pick<Policy, 'partyMatch'>, opts: { degraded?: boolean } = {}): ReferenceView {
  const matcher = new PartyMatcher(refdata.parties, refdata.legalForms, { minScore: policy.partyMatch.possible });
  const memo = new Map<string, PartyMatch[]>();
  return {
    refdata,
    degraded: opts.degraded,
    screenParty(party: Party): PartyMatch[] {
      const key = screeningKey(party);
      let matches = memo.get(key);
      if (!matches) {
        matches = matcher.match({ name: party.name, country: party.country, jpCorporateNumber: party.identifiers?.jpCorporateNumber });
        if (memo.size >= MAX_MEMO) memo.clear();
        memo.set(key, matches);
      }
      return matches;
    },
  };
}
