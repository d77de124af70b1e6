import { loadBundledRefData } from './loader';
import { DEFAULT_MATCH_THRESHOLDS, PartyMatcher } from './matcher';
import type { ItemFamily, ListedParty } from './model';

/** What the project's examples and rules rely on in the bundled data. */
const rd = loadBundledRefData();
const family = (id: string): ItemFamily => rd.itemFamilies.find((f) => f.id === id)!;
const party = (id: string): ListedParty => rd.parties.find((p) => p.id === id)!;
const familiesWithHs6 = (hs6: string) => rd.itemFamilies.filter((f) => f.hs6.includes(hs6)).map((f) => f.id);
const familiesWithHs10 = (hs10: string) =>
  rd.itemFamilies.filter((f) => f.hsCodes10.includes(hs10) || f.controlCodes.some((c) => c.hsCodes?.includes(hs10))).map((f) => f.id);
const matcher = new PartyMatcher(rd.parties, rd.legalForms);
const top = (name: string, country = 'JP') => matcher.match({ name, country })[0];

describe('bundled item families', () => {
  it('map the 6-digit family 850511 (permanent magnets) to the magnet family', () => {
    expect(familiesWithHs6('850511')).toEqual(['rare-earth-magnets']);
  });

  it('map 2805301200 (dysprosium metal) to the medium/heavy rare-earth family', () => {
    expect(familiesWithHs10('2805301200')).toEqual(['rare-earths-medium-heavy']);
    expect(family('rare-earths-medium-heavy').controlCodes.map((c) => c.code)).toContain('1C905.a');
  });

  it('let copper (7409xx) match nothing, by code or keyword', () => {
    const all = JSON.stringify(rd.itemFamilies);
    expect(all).not.toMatch(/"7409\d*"/);
    for (const f of rd.itemFamilies) expect(f.keywords.en.some((k) => /copper/.test(k))).toBe(false);
  });

  it('suspend the Oct-2025 families to 2026-11-10 (Ann. 70/2025), with the reported extension to 2027-01-10 marked uncertain', () => {
    for (const id of [
      'rare-earths-oct-2025',
      'rare-earth-equipment-oct-2025',
      'lithium-battery-oct-2025',
      'superhard-materials-oct-2025',
      'rare-earth-content-rule-oct-2025',
    ]) {
      const s = family(id).suspensions!;
      expect(s[0]).toMatchObject({ until: '2026-11-10', announcement: 'MOFCOM-2025-70' });
      expect(s[0]!.uncertain).toBeUndefined();
      expect(s[1]).toMatchObject({ from: '2026-11-10', until: '2027-01-10', uncertain: true });
    }
    expect(family('rare-earth-content-rule-oct-2025').minPrcContentShare).toBe(0.001);
  });

  it('keep the families in force since their announcements, unsuspended', () => {
    expect(family('rare-earths-medium-heavy')).toMatchObject({ effectiveFrom: '2025-04-04', announcement: 'MOFCOM-GACC-2025-18' });
    expect(family('gallium')).toMatchObject({ effectiveFrom: '2023-08-01' });
    expect(family('uav-engines')).toMatchObject({ effectiveFrom: '2024-09-01' });
    for (const id of ['gallium', 'germanium', 'graphite', 'antimony', 'tungsten', 'rare-earths-medium-heavy', 'rare-earth-magnets'])
      expect(family(id).suspensions).toBeUndefined();
  });

  it('have keywords in three languages for the materials', () => {
    expect(family('rare-earths-medium-heavy').keywords).toMatchObject({
      en: expect.arrayContaining(['dysprosium']),
      zh: expect.arrayContaining(['镝']),
      ja: expect.arrayContaining(['ジスプロシウム']),
    });
    expect(family('rare-earth-magnets').keywords).toMatchObject({
      en: expect.arrayContaining(['ndfeb', 'neodymium magnet']),
      zh: expect.arrayContaining(['钕铁硼']),
      ja: expect.arrayContaining(['ネオジム磁石']),
    });
  });
});

describe('bundled parties', () => {
  it('name 20 entities on each Ann. 11 and Ann. 12 list, 20 on Ann. 28 and the known part of Ann. 27', () => {
    const count = (ann: string) => rd.parties.filter((p) => p.announcement === ann).length;
    expect(count('MOFCOM-2026-11')).toBe(20);
    expect(count('MOFCOM-2026-12')).toBe(20);
    expect(count('MOFCOM-2026-28')).toBe(20);
    expect(count('MOFCOM-2026-27')).toBe(10);
  });

  it('put TDK Corporation on the Ann. 12/2026 watch list from 2026-02-24', () => {
    expect(party('WL-12-12')).toMatchObject({ list: 'watch_list', effectiveFrom: '2026-02-24', names: { en: 'TDK Corporation' } });
    expect(top('TDK Corporation')).toMatchObject({ score: 1, entry: { id: 'WL-12-12' } });
  });

  it('make ATLA a Japanese military user from 2026-01-06 (Ann. 1/2026)', () => {
    expect(party('MU-ATLA')).toMatchObject({ list: 'military_user', effectiveFrom: '2026-01-06', announcement: 'MOFCOM-2026-1' });
    expect(top('Acquisition, Technology & Logistics Agency')).toMatchObject({ score: 1, entry: { id: 'MU-ATLA' } });
  });

  it('match no party of the example copper order', () => {
    expect(matcher.match({ name: 'Osaka Example Kitchenware K.K.', country: 'JP' })).toEqual([]);
    expect(matcher.match({ name: 'Example Copper Works', country: 'CN' })).toEqual([]);
    expect(matcher.match({ name: 'Example Magnetics Korea Co., Ltd.', country: 'KR' })).toEqual([]);
  });

  it('carry no corporate number, since the research gives none', () => {
    expect(rd.parties.filter((p) => p.jpCorporateNumber)).toEqual([]);
  });

  it('link defence-nexus parents to their listed subsidiaries', () => {
    expect(party('DN-MHI').related).toEqual(expect.arrayContaining([{ id: 'CL-11-02', relation: 'parent' }]));
    expect(party('DN-KOMATSU').related).toEqual(expect.arrayContaining([{ id: 'WL-28-09', relation: 'parent' }]));
  });

  it('rank the control-list entry first where an entity is also a military user', () => {
    expect(top('National Defense Academy')!.entry.id).toBe('CL-11-19');
    expect(matcher.match({ name: '防衛大学校' }).map((m) => m.entry.id)).toEqual(['CL-11-19', 'MU-NDA']);
    expect(top('NIDS')!.score).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLDS.match);
  });
});

describe('bundled countries', () => {
  const country = (code: string) => rd.countries.find((c) => c.code === code)!;
  it('mark HK and MO as possible PRC origin and the research 5.5 hubs as transshipment hubs', () => {
    expect(country('HK')).toMatchObject({ possiblePrcOrigin: true, transshipmentHub: true });
    expect(country('MO')).toMatchObject({ possiblePrcOrigin: true });
    for (const c of ['SG', 'AE', 'TR', 'MX', 'TH', 'BE', 'TW', 'KR', 'VN', 'MY']) expect(country(c).transshipmentHub).toBe(true);
    expect(country('KR').uncertain).toBe(true);
    expect(country('CN').transshipmentHub).toBeUndefined();
    expect(country('JP').transshipmentHub).toBeUndefined();
  });
});

describe('bundled red flags and military terms', () => {
  it('have the stable codes the scorer uses', () => {
    const codes = rd.redFlags.map((r) => r.code);
    for (const c of [
      'RED_FLAG_INTERMEDIARY_END_USER',
      'RED_FLAG_FORWARDER_AS_END_USER',
      'RED_FLAG_TRADING_HOUSE_AS_END_USER',
      'RED_FLAG_TRANSSHIPMENT_HUB',
      'RED_FLAG_FREE_TRADE_ZONE',
      'RED_FLAG_CONSIGNEE_CHANGE',
    ])
      expect(codes).toContain(c);
  });

  it('mark military end use by phrases, not by words that civil text uses', () => {
    const { en, zh, ja } = rd.militaryEndUse.terms;
    expect(en).toEqual(expect.arrayContaining(['missile', 'munition', 'warship', 'fighter jet', 'defense radar', 'self-defense forces']));
    expect(ja).toEqual(expect.arrayContaining(['自衛隊', '防衛']));
    expect(zh).toEqual(expect.arrayContaining(['军事', '导弹']));
    for (const civil of ['radar', 'defence', 'defense', 'military', 'fighter', 'submarine', 'rocket']) expect(en).not.toContain(civil);
  });
});
