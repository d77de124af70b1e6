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
  // name → its answers, one per (country, corporate number) in a short chain: one Map lookup and no key
  // string built per screening (a name nearly always comes with one country)
  const memo = new Map<string, MemoEntry>();
  let size = 0;
  return {
    refdata,
    degraded: opts.degraded,
    screenParty(party: Party): readonly ScreeningMatch[] {
      const corp = party.identifiers?.jpCorporateNumber;
      const first = memo.get(party.name);
      for (let e = first; e !== undefined; e = e.next) if (e.country === party.country && e.corp === corp) return e.matches;
      const matches = matcher.match({ name: party.name, country: party.country, jpCorporateNumber: corp });
      if (size >= MAX_MEMO) {
        memo.clear();
        size = 0;
        memo.set(party.name, { country: party.country, corp, matches, next: undefined });
      } else memo.set(party.name, { country: party.country, corp, matches, next: first });
      size++;
      return matches;
    },
  };
}

interface MemoEntry {
  country: string;
  corp: string | undefined;
  matches: readonly ScreeningMatch[];
  next: MemoEntry | undefined;
}
