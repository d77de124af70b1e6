import { loadBundledRefData } from './loader';
import { hasStrongSource, rankSources, sourceKind, sourceKindRank } from './source-kinds';
import { DEFAULT_MATCH_THRESHOLDS, PartyMatcher } from './matcher';
import type { ItemFamily, ListedParty } from './model';

/** What the project's examples and rules rely on in the bundled data. */
const rd = loadBundledRefData();
const family = (id: string): ItemFamily => rd.itemFamilies.find((f) => f.id === id)!;
const party = (id: string): ListedParty => rd.parties.find((p) => p.id === id)!;
const familiesWithHs6 = (hs6: string) => rd.itemFamilies.filter((f) => f.hs6.includes(hs6)).map((f) => f.id);
const familiesWithHs6Weak = (hs6: string) => rd.itemFamilies.filter((f) => (f.hs6Weak ?? []).includes(hs6)).map((f) => f.id);
const familiesWithHs10 = (hs10: string) =>
  rd.itemFamilies.filter((f) => f.hsCodes10.includes(hs10) || f.controlCodes.some((c) => c.hsCodes?.includes(hs10))).map((f) => f.id);
const matcher = new PartyMatcher(rd.parties, rd.legalForms);
const top = (name: string, country = 'JP') => matcher.match({ name, country })[0];

describe('bundled item families', () => {
  it('map the 6-digit family 850511 (every permanent magnet) to the magnet family, as a weak heading only', () => {
    expect(familiesWithHs6('850511')).toEqual([]);
    expect(familiesWithHs6Weak('850511')).toEqual(['rare-earth-magnets']);
  });

  it('keep headings broader than the control out of the strong hs6 list', () => {
    // 811292/811299 also cover Ge, In, Nb, Re, Tl; 280530/284690 every rare earth incl. La, Ce, Pr, Nd; 850511 every magnet
    for (const hs of ['811292', '811299', '280530', '284690', '850511', '810194', '810199', '280450', '380110', '841111'])
      expect(familiesWithHs6(hs)).toEqual([]);
    expect(familiesWithHs6Weak('280530')).toEqual(expect.arrayContaining(['rare-earths-medium-heavy', 'rare-earths-oct-2025']));
    expect(familiesWithHs6Weak('811292')).toEqual(expect.arrayContaining(['gallium', 'germanium', 'indium']));
    for (const f of rd.itemFamilies) for (const hs of f.hs6) expect(f.hs6Weak ?? []).not.toContain(hs);
    expect(family('rare-earths-medium-heavy').inferredCodes).toEqual(
      expect.arrayContaining(['1C905.a', '1C908.c', '2805301300', '2805301200', '2805301800', '2805301700']),
    );
  });

  it('make generic class words weak keywords of their families', () => {
    expect(family('rare-earths-medium-heavy').keywords).toMatchObject({
      en: expect.arrayContaining(['rare earth', 'rare-earth', 'ree']),
      zh: expect.arrayContaining(['稀土']),
      ja: expect.arrayContaining(['レアアース', '希土類']),
    });
    expect(family('rare-earth-magnets').keywords).toMatchObject({
      en: expect.arrayContaining(['magnet', 'magnets', 'permanent magnet']),
      zh: expect.arrayContaining(['磁铁']),
      ja: expect.arrayContaining(['磁石', 'マグネット', '永久磁石']),
    });
    expect(family('tungsten').keywords.en).toEqual(expect.arrayContaining(['tungsten alloy', 'tungsten powder']));
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

  it('suspend the Oct-2025 families until 2026-11-10 as written (Ann. 70/2025), with the reported extension from the day after to 2027-01-10 marked uncertain', () => {
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
      expect(s[1]).toMatchObject({ from: '2026-11-11', until: '2027-01-10', uncertain: true });
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

  it('carry a corporate number only with a source for it', () => {
    for (const p of rd.parties.filter((x) => x.jpCorporateNumber))
      expect(p.sources.some((u) => /houjin-bangou\.nta\.go\.jp|nta\.go\.jp/.test(u))).toBe(true);
  });

  it('carry only 13-digit corporate numbers with a valid check digit, on at least 5 parties', () => {
    // NTA rule, computed here independently of the loader: first digit = 9 - (Σ digit × (1 or 2) mod 9) over the
    // other twelve, counted from the right, weight 1 for odd positions and 2 for even ones
    const checkDigit = (base12: string) =>
      9 - ([...base12].reverse().reduce((sum, d, i) => sum + Number(d) * (i % 2 === 0 ? 1 : 2), 0) % 9);
    expect(checkDigit('010401050387')).toBe(8); // Mitsubishi Heavy Industries, 8010401050387
    const numbered = rd.parties.filter((p) => p.jpCorporateNumber !== undefined);
    expect(numbered.length).toBeGreaterThanOrEqual(5);
    for (const p of numbered) {
      const n = p.jpCorporateNumber!;
      expect([p.id, n]).toEqual([p.id, expect.stringMatching(/^[0-9]{13}$/)]);
      expect([p.id, Number(n[0])]).toEqual([p.id, checkDigit(n.slice(1))]);
    }
  });

  it('link defence-nexus parents to their listed subsidiaries, with the ownership where known', () => {
    expect(party('DN-MHI').related).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'CL-11-01', relation: 'parent', ownershipPct: 100 }),
        expect.objectContaining({ id: 'CL-11-02', relation: 'parent' }),
      ]),
    );
    expect(party('DN-KOMATSU').related).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'WL-28-09', relation: 'parent' })]));
    expect(party('DN-MITSUI-CO').related).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'WL-12-13', relation: 'parent' })]),
    );
    expect(party('DN-ITOCHU').related).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'WL-12-05', relation: 'parent' })]));
    // siblings name the listed sibling and the common parent
    const sibling = party('DN-MHI-THERMAL');
    expect(sibling.related).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'DN-MHI', relation: 'subsidiary' }),
        expect.objectContaining({ id: 'CL-11-02', relation: 'sibling' }),
      ]),
    );
    // relations point both ways between a parent and its listed subsidiary
    for (const p of rd.parties)
      for (const r of p.related ?? [])
        if (r.relation === 'parent' && !r.id.startsWith('MU-'))
          expect(party(r.id).related ?? []).toEqual(
            expect.arrayContaining([expect.objectContaining({ id: p.id, relation: 'subsidiary' })]),
          );
  });

  it('carry the MoD/ATLA top-contractor years of research 4.2, each with a source', () => {
    expect(party('DN-MHI').contracts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ fiscalYear: 2013, agency: 'MOD', rank: 1, valueJpyBn: 316.5 }),
        expect.objectContaining({ fiscalYear: 2021, agency: 'ATLA', rank: 1, valueJpyBn: 459.1 }),
      ]),
    );
    expect(party('DN-NEC').contracts).toEqual(expect.arrayContaining([expect.objectContaining({ fiscalYear: 2024, valueJpyBn: 311.7 })]));
    expect(party('WL-12-03').contracts!.map((c) => c.fiscalYear)).toEqual([2013, 2018, 2021]);
    expect(party('CL-11-12').contracts).toEqual([expect.objectContaining({ fiscalYear: 2018, rank: 15 })]);
    for (const p of rd.parties) for (const c of p.contracts ?? []) expect(c.sources.length).toBeGreaterThan(0);
  });

  it('make known contractors and defence-group members defence-nexus parties from 2026-01-06 until their listing', () => {
    for (const id of [
      'CL-11-12',
      'WL-12-03',
      'WL-12-05',
      'WL-12-01',
      'WL-28-01',
      'CL-11-17',
      'CL-11-18',
      'WL-28-18',
      'WL-28-19',
      'WL-28-11',
      'WL-28-09',
      'WL-28-10',
      'CL-27-e',
      'CL-27-h',
      'CL-27-i',
      'CL-27-j',
      'CL-11-02',
      'CL-11-08',
      'CL-11-15',
    ])
      expect(party(id)).toMatchObject({ defenceNexusFrom: '2026-01-06' });
    for (const p of rd.parties.filter((x) => x.defenceNexusFrom)) {
      expect(p.defenceNexusFrom! < p.effectiveFrom || p.list === 'defence_nexus').toBe(true);
      expect((p.contracts?.length ?? 0) + (p.related?.length ?? 0)).toBeGreaterThan(0);
    }
    // civil or unexplained entries carry none
    for (const id of ['CL-11-20', 'WL-12-12', 'WL-28-03', 'WL-12-06']) expect(party(id).defenceNexusFrom).toBeUndefined();
  });

  it('know units and commands of the services without the service name, in three languages', () => {
    expect(top('Self Defense Fleet')!.entry.id).toBe('MU-JMSDF-SDF');
    expect(top('自衛艦隊')!.entry.id).toBe('MU-JMSDF-SDF');
    expect(top('横須賀地方総監部')!.entry.id).toBe('MU-JMSDF-YOKOSUKA');
    expect(top('Western Army')!.entry.id).toBe('MU-JGSDF-WA');
    expect(top('水陸機動団')!.entry.id).toBe('MU-JGSDF-ARDB');
    expect(top('関東補給処')!.entry.id).toBe('MU-JGSDF-KANTO-DEPOT');
    expect(top('航空総隊')!.entry.id).toBe('MU-JASDF-ADC');
    expect(top('Air Development and Test Command')!.entry.id).toBe('MU-JASDF-ADTC');
    expect(top('宇宙作戦群')!.entry.id).toBe('MU-JASDF-SPACE');
    for (const p of rd.parties.filter((x) => /^MU-J[GMA]SDF-/.test(x.id)))
      expect(p.related).toEqual(expect.arrayContaining([expect.objectContaining({ relation: 'subsidiary' })]));
  });

  it('know the Ministry of Defense by its other English, Chinese and romanised names, but not by the bare British form', () => {
    for (const name of [
      'Japan Defense Ministry',
      'Japanese Defence Ministry',
      'Defense Ministry of Japan',
      '日本防卫省',
      '日本国防省',
      'Boeisho',
    ])
      expect(top(name)!.entry.id).toBe('MU-MOD');
    expect(party('MU-MOD').aliases).not.toContain('Ministry of Defence');
    expect(top('Boei Sobicho')!.entry.id).toBe('MU-ATLA');
    expect(top('Nippon Denki')!.entry.id).toBe('DN-NEC');
    expect(top('Sumitomo Jukikai Kogyo')!.entry.id).toBe('WL-12-11');
  });

  it('rank the control-list entry first where an entity is also a military user', () => {
    expect(top('National Defense Academy')!.entry.id).toBe('CL-11-19');
    expect(matcher.match({ name: '防衛大学校' }).map((m) => m.entry.id)).toEqual(['CL-11-19', 'MU-NDA']);
    expect(top('NIDS')!.score).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLDS.match);
  });
});

describe('bundled sources and their kinds', () => {
  const entries: { what: string; sources: string[]; uncertain?: boolean }[] = [
    ...rd.parties.map((p) => ({ what: `party ${p.id}`, sources: p.sources, uncertain: p.uncertain })),
    ...rd.itemFamilies.map((f) => ({ what: `family ${f.id}`, sources: f.sources, uncertain: f.uncertain })),
    ...rd.itemFamilies.flatMap((f) =>
      (f.suspensions ?? []).map((s, i) => ({ what: `suspension ${f.id}/${i}`, sources: s.sources, uncertain: s.uncertain })),
    ),
    ...rd.announcements.map((a) => ({ what: `announcement ${a.id}`, sources: a.sources, uncertain: a.uncertain })),
  ];

  it('classify every source URL, and rank official first and forum last', () => {
    expect(sourceKind('https://www.mofcom.gov.cn/zwgk/zcfb/art/2026/x.html')).toBe('official');
    expect(sourceKind('http://exportcontrol.mofcom.gov.cn/article/1209.html')).toBe('official');
    expect(sourceKind('https://www.mod.go.jp/atla/x.html')).toBe('official');
    expect(sourceKind('https://www.gvw.com/en/news/x')).toBe('law_firm');
    expect(sourceKind('https://tw.news.yahoo.com/x')).toBe('press');
    expect(sourceKind('https://github.com/weiqi-kids/agent.cross-border-trade')).toBe('registry');
    expect(sourceKind('https://osencmagnet.com/x')).toBe('vendor');
    expect(sourceKind('https://hi7664taku.blogspot.com/2026/02/x.html')).toBe('forum');
    expect(sourceKind('https://unknown.example/x')).toBeUndefined();
    expect(rankSources(['http://bbs.jying.cn/t', 'https://udn.com/x', 'https://www.mofcom.gov.cn/y']).map((r) => r.kind)).toEqual([
      'official',
      'press',
      'forum',
    ]);
    for (const e of entries) for (const u of e.sources) expect([e.what, u, sourceKind(u, rd.sourceKinds)]).not.toContain(undefined);
  });

  it('rest no party, item family, suspension or announcement on vendor or forum sources alone, unless marked uncertain', () => {
    const weakOnly = entries.filter((e) => !e.uncertain && !hasStrongSource(e.sources, rd.sourceKinds)).map((e) => e.what);
    expect(weakOnly).toEqual([]);
  });

  it('order every sources list strongest first', () => {
    const ranks = (urls: string[]) => urls.map((u) => sourceKindRank(sourceKind(u, rd.sourceKinds)));
    for (const e of entries) {
      const r = ranks(e.sources);
      expect([e.what, r]).toEqual([e.what, [...r].sort((a, b) => a - b)]);
    }
  });

  it("list each announcement's official MOFCOM/GACC URL first where the research gives one", () => {
    const ann = (id: string) => rd.announcements.find((a) => a.id === id)!;
    for (const id of [
      'MOFCOM-2026-11',
      'MOFCOM-2026-12',
      'MOFCOM-2026-27',
      'MOFCOM-2026-28',
      'MOFCOM-GACC-2025-10',
      'MOFCOM-2025-58',
      'MOFCOM-READOUT-2026-09-28',
    ])
      expect(sourceKind(ann(id).sources[0]!)).toBe('official');
    expect(ann('MOFCOM-2026-11').sources).toContain(
      'https://www.mofcom.gov.cn/zwgk/zcfb/art/2026/art_b5159a773124428a9813884015d1b8b3.html',
    );
    expect(ann('MOFCOM-2026-12').sources).toContain(
      'https://www.mofcom.gov.cn/zwgk/zcfb/art/2026/art_bac18400512d408a8d4c2f964e36ac11.html',
    );
    for (const a of rd.announcements)
      if (a.sources.some((u) => sourceKind(u) === 'official')) expect(sourceKind(a.sources[0]!)).toBe('official');
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
    for (const civil of ['radar', 'defence', 'defense', 'military', 'fighter', 'rocket']) expect(en).not.toContain(civil);
    // policy v2: the generic service words count, except inside a civil collocation
    expect(en).toEqual(expect.arrayContaining(['army', 'navy', 'naval', 'submarine']));
    expect(rd.militaryEndUse.civilPhrases?.en).toEqual(
      expect.arrayContaining(['submarine cable', 'swiss army', 'navy blue', 'military-grade']),
    );
    expect(en).toEqual(expect.arrayContaining(['air force', 'sdf', 'defense ministry', 'escort ship', 'for submarines', 'submarine hull']));
    expect(zh).toEqual(expect.arrayContaining(['防务', '潜艇', '军方', '海军', '陆军', '空军', '国防', '自卫队', '驱逐舰']));
    expect(ja).toEqual(expect.arrayContaining(['潜水艦', '戦闘機', 'ミサイル', '弾薬']));
  });
});
