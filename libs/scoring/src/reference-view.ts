import type { Party } from '@dualwatch/contracts';
import { PartyMatcher, type ListedParty, type PartyMatch, type RefData } from '@dualwatch/refdata';

/**
 * One screening candidate: the refdata matcher's PartyMatch, or the same shape from a cache (whose
 * method is a plain string once stored).
 */
export interface ScreeningMatch {
  entry: ListedParty;
  /** 0..1 */
  score: number;
  method: PartyMatch['method'] | (string & {});
  matchedName: string;
  why: string;
}
import type { Policy } from './policy';

/**
 * What the scorer needs to know about the world. The risk-engine supplies a view whose screenParty
 * answers from a pre-fetched cache (and says when it fell back to the bundled snapshot); the CLI and
 * the tests use createLocalView over a RefData in memory.
 */
export interface ReferenceView {
  readonly refdata: RefData;
  /** Candidate list entries for one party, best first (scores 0..1). Must be pure for a given party. */
  screenParty(party: Party): readonly ScreeningMatch[];
  /** true where the reference data came from a fallback (recorded on the assessment). */
  readonly degraded?: boolean;
}

const MAX_MEMO = 100_000;

/** The party matcher the policy asks for: candidates down to its "possible" threshold. */
export function createPartyMatcher(refdata: RefData, policy: Pick<Policy, 'partyMatch'>): PartyMatcher {
  return new PartyMatcher(refdata.parties, refdata.legalForms, { minScore: policy.partyMatch.possible });
}

/**
 * A view over reference data in memory: one PartyMatcher, answers memoised per (name, country,
 * corporate number). Candidates down to the policy's "possible" threshold are returned.
 */
export function createLocalView(refdata: RefData, policy: Pick<Policy, 'partyMatch'>, opts: { degraded?: boolean } = {}): ReferenceView {
  const matcher = createPartyMatcher(refdata, policy);
  // name → "country|corporate number" → matches: no key string is built for the common lookups
  const memo = new Map<string, Map<string, readonly ScreeningMatch[]>>();
  let size = 0;
  return {
    refdata,
    degraded: opts.degraded,
    screenParty(party: Party): readonly ScreeningMatch[] {
      const corp = party.identifiers?.jpCorporateNumber;
      const sub = corp ? `${party.country}|${corp}` : party.country;
      let byName = memo.get(party.name);
      let matches = byName?.get(sub);
      if (!matches) {
        matches = matcher.match({ name: party.name, country: party.country, jpCorporateNumber: corp });
        if (size >= MAX_MEMO) {
          memo.clear();
          size = 0;
          byName = undefined;
        }
        if (!byName) memo.set(party.name, (byName = new Map()));
        byName.set(sub, matches);
        size++;
      }
      return matches;
    },
  };
}
