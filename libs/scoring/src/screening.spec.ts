import type { PartyRole } from '@dualwatch/contracts';
import { jp, orderEvent } from './testing/events';
import { explain, score } from './testing/harness';

/**
 * Party screening as the scorer uses it: every screened role, names in three languages, and near-miss
 * names of unrelated companies that must not land on a list.
 */

const LIST_CODES = ['PARTY_ON_CONTROL_LIST', 'PARTY_MILITARY_USER', 'PARTY_ON_WATCH_LIST', 'DEFENCE_NEXUS_PARTY', 'POSSIBLE_LIST_MATCH'];
const listReasons = (a: ReturnType<typeof score>, role: PartyRole = 'buyer') =>
  a.reasons.filter((r) => LIST_CODES.includes(r.code) && r.partyRole === role);

describe('near-miss names of unrelated companies are not on a list', () => {
  it.each([
    ['Kawasaki Kisen Kaisha, Ltd.', 'a shipping line, not Kawasaki Heavy Industries'],
    ['Nitto Kohki Co., Ltd.', 'a tool maker, not Nitto Denko'],
    ['川崎汽船株式会社', 'Kawasaki Kisen in Japanese'],
  ])('%s (%s): no list reason, clear', (name) => {
    const a = score(orderEvent({ order: { buyer: jp(name) } }));
    expect(listReasons(a)).toEqual([]);
    expect(a.verdict).toBe('clear');
  });

  it('the real Nitto Denko is on the watch list, in English or Japanese', () => {
    expect(score(orderEvent({ order: { buyer: jp('Nitto Denko Corporation') } })).verdict).toBe('license_required');
    expect(score(orderEvent({ order: { buyer: jp('日東電工株式会社') } })).verdict).toBe('license_required');
  });
});

describe('every screened role is screened', () => {
  it.each(['seller', 'buyer', 'consignee', 'endUser', 'freightForwarder'] as const)('a control-list entity as %s is found', (role) => {
    const order =
      role === 'seller'
        ? { seller: jp('IHI Aerospace Co., Ltd.'), shipFrom: 'JP' }
        : role === 'buyer'
          ? { buyer: jp('IHI Aerospace Co., Ltd.') }
          : { [role]: jp('IHI Aerospace Co., Ltd.') };
    const e = orderEvent({ order, line: role === 'seller' ? { originCountry: 'CN' } : {} });
    const parties = explain(e).parties;
    expect(parties.find((p) => p.role === role)!.candidates.some((c) => c.entry.id === 'CL-11-12' && c.band === 'match')).toBe(true);
    expect(score(e).reasons.find((r) => r.code === 'PARTY_ON_CONTROL_LIST')!.partyRole).toBe(role);
  });
});

describe('matching survives the way orders write names', () => {
  it.each([
    ['IHI AEROSPACE CO LTD', 'upper case, no punctuation'],
    ['ＩＨＩ　Ａｅｒｏｓｐａｃｅ　Ｃｏ．，Ｌｔｄ．', 'full-width characters'],
    ['株式会社ＩＨＩエアロスペース', 'Japanese with the legal form in front'],
  ])('%s (%s) is the control-list entity', (name) => {
    const a = score(orderEvent({ order: { buyer: jp(name) } }));
    expect(a.verdict).toBe('prohibited');
  });
});
