import { loadBundledRefData } from '../loader';
import type { ListedParty } from '../model';
import { jpCorporateNumberCheckDigit } from './corporate-number';
import { DEFAULT_MATCH_THRESHOLDS, matchBand, PartyMatcher } from './party-matcher';
import { foldLatinLookalikes } from './normalize';

const rd = loadBundledRefData();
const matcher = new PartyMatcher(rd.parties, rd.legalForms);
const top = (name: string, country?: string) => matcher.match({ name, country })[0];
const cn = (base12: string) => `${jpCorporateNumberCheckDigit(base12)}${base12}`;

function entry(id: string, en: string, extra: Partial<ListedParty> = {}): ListedParty {
  return {
    id,
    list: 'watch_list',
    names: { en },
    aliases: [],
    country: 'JP',
    listedOn: '2026-02-24',
    effectiveFrom: '2026-02-24',
    announcement: 'MOFCOM-2026-12',
    sources: ['https://example.org'],
    ...extra,
  };
}

describe('PartyMatcher: exact matches survive normalisation', () => {
  it.each([
    ['case and punctuation', 'MITSUBISHI HEAVY INDUSTRIES AERO ENGINES, LTD.', 'CL-11-02'],
    ['legal form in English', 'Nitto Denko K.K.', 'WL-12-18'],
    ['legal form in Japanese', '日東電工株式会社', 'WL-12-18'],
    ['legal form in Chinese', '日东电工有限公司', 'WL-12-18'],
    ['full-width characters', 'ＴＤＫ株式会社', 'WL-12-12'],
    ['half-width katakana', 'ｺﾏﾂ', 'DN-KOMATSU'],
    ['word order', 'NTC Komatsu', 'WL-28-10'],
    ['& for and', 'MHI Engine and Turbocharger', 'CL-11-04'],
    ['British spelling', 'Fujitsu Defence & National Security', 'CL-11-08'],
    ['spaces inside a name', 'TerraDrone', 'WL-28-03'],
    ['traditional Chinese', '富士通防衛與國家安全', 'CL-11-08'],
    ['Japanese kanji for a Chinese name', '防衛研究所', 'CL-27-a'],
    ['Chinese for a Japanese name', '防卫装备厅', 'MU-ATLA'],
  ])('%s: "%s"', (_, name, id) => {
    const m = top(name)!;
    expect(m.entry.id).toBe(id);
    expect(m.score).toBe(1);
    expect(['exact', 'alias']).toContain(m.method);
    expect(m.why).toMatch(/equals/);
  });

  it('says whether a name or an alias matched', () => {
    expect(top('Acquisition, Technology & Logistics Agency')).toMatchObject({
      method: 'exact',
      matchedName: 'Acquisition, Technology & Logistics Agency',
    });
    expect(top('ATLA')).toMatchObject({ method: 'alias', matchedName: 'ATLA' });
  });
});

describe('PartyMatcher: fuzzy matches', () => {
  it('pairs typos', () => {
    const m = top('Mitsubishi Heavy Industires Aero Engines')!;
    expect(m).toMatchObject({ method: 'fuzzy', entry: { id: 'CL-11-02' } });
    expect(m.score).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLDS.match);
    expect(m.why).toMatch(/industire~industry/);
  });

  it('matches a unit of a military user by containment', () => {
    for (const [name, id] of [
      ['陸上自衛隊第1師団', 'MU-JGSDF'],
      ['Japan Ground Self-Defense Force 1st Division', 'MU-JGSDF'],
      ['Japan Aerospace Exploration Agency (JAXA)', 'CL-11-20'],
    ] as const) {
      const m = top(name)!;
      expect({ name, id: m.entry.id }).toEqual({ name, id });
      expect(m.score).toBeGreaterThanOrEqual(0.95);
      expect(m.score).toBeLessThan(1);
    }
  });

  it('makes a longer name that contains a listed one a possible, not a certain, match', () => {
    const m = top('Mitsubishi Materials Trading Corporation')!;
    expect(m.entry.id).toBe('WL-12-08');
    expect(matchBand(m.score)).toBe('possible');
  });

  it('keeps the near misses of the exposure rules below the possible threshold', () => {
    for (const name of [
      'Kawasaki Kisen Kaisha',
      'Nitto Kohki',
      'Mitsubishi UFJ Bank',
      'Toshiba Tec',
      'Nissin Corporation',
      'Mitsui Bussan',
      'Tokyo University of Science',
      '日本電気硝子',
    ])
      expect(matcher.match({ name })).toEqual([]);
  });

  it('returns candidates best first, down to minScore, at most maxResults', () => {
    const loose = new PartyMatcher(rd.parties, rd.legalForms, { minScore: 0.3, maxResults: 3 });
    const ms = loose.match({ name: 'Mitsubishi Heavy Industries Marine' });
    expect(ms.length).toBeLessThanOrEqual(3);
    expect(ms.length).toBeGreaterThan(1);
    for (let i = 1; i < ms.length; i++) expect(ms[i - 1]!.score).toBeGreaterThanOrEqual(ms[i]!.score);
    for (const m of ms) expect(m.score).toBeGreaterThanOrEqual(0.3);
    expect(ms.every((m) => m.why.length > 0)).toBe(true);
  });

  it('returns nothing for an empty name or a bare legal form', () => {
    expect(matcher.match({ name: '' })).toEqual([]);
    expect(matcher.match({ name: 'Co., Ltd.' })).toEqual([]);
    expect(matcher.match({ name: '株式会社' })).toEqual([]);
  });
});

describe('PartyMatcher: country and corporate number', () => {
  it('matches a listed company wherever the party sits (an office or branch abroad is the same entity)', () => {
    const m = top('TDK Corporation', 'US')!;
    expect(m.score).toBe(1);
    expect(m.why).toMatch(/party is in US.*counts the same/);
    expect(top('TDK Corporation', 'jp')!.score).toBe(1);
    expect(top('Ministry of Defense of Japan', 'US')).toMatchObject({ entry: { id: 'MU-MOD' }, score: 1 });
  });

  it('reads a listed name with a qualifier, a country prefix or an office abroad as a certain match', () => {
    for (const [name, country, id] of [
      ['IHI Aerospace Co., Ltd. Tomioka Plant', 'JP', 'CL-11-12'],
      ['Japan Marine United Corporation Yokohama Shipyard', 'JP', 'CL-11-17'],
      ['NEC Aerospace Systems, Ltd. Singapore Branch', 'SG', 'CL-11-16'],
      ['Japan TDK Corporation', 'JP', 'WL-12-12'],
      ['日本国 防衛省', 'JP', 'MU-MOD'],
      ['株式会社SUBARU 群馬製作所', 'JP', 'WL-12-01'],
    ] as const) {
      const m = top(name, country)!;
      expect({ name, id: m.entry.id, certain: m.score >= 0.9 }).toEqual({ name, id, certain: true });
    }
  });

  it('holds a generic government name abroad at a possible match, and a Japan-marked one certain', () => {
    const gb = top('Ministry of Defence', 'GB')!;
    expect(gb).toMatchObject({ entry: { id: 'MU-MOD' }, score: 0.85 });
    expect(gb.why).toMatch(/may be another country's body/);
    expect(top('Ministry of Defense', 'JP')).toMatchObject({ entry: { id: 'MU-MOD' }, score: 1 });
    expect(top('JMSDF Washington Liaison Office', 'US')!.score).toBeGreaterThanOrEqual(0.9);
  });

  it('does not read a short name glued inside another word, or a shared one-word name plus other words, as certain', () => {
    expect(matcher.match({ name: '消防大学校', country: 'JP' }).filter((m) => m.score >= 0.9)).toEqual([]);
    expect(matcher.match({ name: 'Mitsui Memorial Hospital', country: 'JP' }).filter((m) => m.score >= 0.9)).toEqual([]);
    expect(top('SUBARU Gunma Works', 'JP')).toMatchObject({ entry: { id: 'WL-12-01' } });
    expect(top('SUBARU Gunma Works', 'JP')!.score).toBeGreaterThanOrEqual(0.9);
  });

  it('reads names written without spaces, with their legal form or their "and"', () => {
    expect(top('KawasakiHeavyIndustriesAerospaceSystemsCompany')).toMatchObject({ entry: { id: 'CL-11-06' }, score: 1 });
    expect(top('NECNetworkandSensorSystems')).toMatchObject({ entry: { id: 'CL-11-15' }, score: 1 });
    expect(top('Japan MOD School')!.entry.id).toBe('MU-MOD');
  });

  const withNumbers = [
    entry('T-1', 'Example Defence Works', { jpCorporateNumber: cn('111122223333') }),
    entry('T-2', 'Other Holdings', { jpCorporateNumber: cn('444455556666') }),
  ];
  const small = new PartyMatcher(withNumbers, rd.legalForms);

  it('matches an exact corporate number with score 1, whatever the name', () => {
    const ms = small.match({ name: 'Some Trading Name', jpCorporateNumber: cn('111122223333') });
    expect(ms).toHaveLength(1);
    expect(ms[0]).toMatchObject({ method: 'corporate_number', score: 1, entry: { id: 'T-1' } });
    expect(ms[0]!.why).toContain(cn('111122223333'));
  });

  it('ignores a number with a wrong check digit', () => {
    const bad = `${(jpCorporateNumberCheckDigit('111122223333') + 1) % 10}111122223333`;
    expect(small.match({ name: 'Some Trading Name', jpCorporateNumber: bad })).toEqual([]);
  });

  it('caps a name match at possible when the corporate numbers differ', () => {
    const m = small.match({ name: 'Example Defence Works', jpCorporateNumber: cn('444455556666') });
    expect(m.map((x) => [x.entry.id, x.method])).toEqual([
      ['T-2', 'corporate_number'],
      ['T-1', 'exact'],
    ]);
    expect(m[1]!.score).toBe(0.85);
    expect(m[1]!.why).toMatch(/differs/);
  });
});

describe('PartyMatcher: the index', () => {
  // 5,000 synthetic Japanese-looking company names besides the bundled lists
  const syllables = [
    'ka',
    'ki',
    'ku',
    'ko',
    'sa',
    'shi',
    'su',
    'ta',
    'to',
    'na',
    'ni',
    'no',
    'ha',
    'hi',
    'ma',
    'mi',
    'ya',
    'yo',
    'ra',
    'ri',
    'wa',
    'da',
    'go',
    'be',
  ];
  const common = [
    'Industries',
    'Trading',
    'Electric',
    'Japan',
    'Systems',
    'Engineering',
    'Chemical',
    'Logistics',
    'Holdings',
    'Machinery',
    'Precision',
    'Works',
  ];
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const word = () => Array.from({ length: 2 + rand(3) }, () => syllables[rand(syllables.length)]).join('');
  const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);
  const synthetic = Array.from({ length: 5000 }, (_, i) =>
    entry(`S-${i}`, `${cap(word())} ${rand(2) ? cap(word()) + ' ' : ''}${common[rand(common.length)]} Co., Ltd.`, {
      list: 'defence_nexus',
    }),
  );
  const big = new PartyMatcher([...rd.parties, ...synthetic], rd.legalForms);

  it.each([
    'Mitsubishi Heavy Industries Aero Engines',
    'Japan Ministry of Defense',
    'Sumitomo Heavy Industries Precision Works',
    'Kawasaki Kisen Kaisha',
    '陸上自衛隊第1師団',
    'Nitto Denko Corporation',
  ])('reaches and scores only a small fraction of the entries for "%s"', (name) => {
    big.match({ name });
    expect(big.size).toBe(rd.parties.length + 5000);
    // measured: at most 21 entries reached through the index and 5 fully scored
    expect(big.stats.last.entriesReached).toBeLessThan(big.size * 0.01);
    expect(big.stats.last.entriesScored).toBeLessThan(big.size * 0.005);
  });

  it('still finds the bundled entries among them', () => {
    expect(big.match({ name: 'Mitsubishi Heavy Industries Aero Engines' })[0]!.entry.id).toBe('CL-11-02');
    expect(big.match({ name: 'TDK Corporation' })[0]!.entry.id).toBe('WL-12-12');
  });

  it('counts lookups and postings', () => {
    const before = big.stats.lookups;
    big.match({ name: 'NEC Aerospace Systems' });
    expect(big.stats.lookups).toBe(before + 1);
    expect(big.stats.postingsVisited).toBeGreaterThan(0);
  });
});

describe('thresholds', () => {
  it('default to 0.90 (match) and 0.80 (possible), and callers may pass their own', () => {
    expect(DEFAULT_MATCH_THRESHOLDS).toEqual({ match: 0.9, possible: 0.8 });
    expect(matchBand(0.95)).toBe('match');
    expect(matchBand(0.85)).toBe('possible');
    expect(matchBand(0.79)).toBe('none');
    expect(matchBand(0.79, { match: 0.9, possible: 0.75 })).toBe('possible');
    const strict = new PartyMatcher(rd.parties, rd.legalForms, { minScore: 0.9 });
    expect(strict.match({ name: 'Mitsubishi Materials Trading Corporation' })).toEqual([]);
  });
});

describe('PartyMatcher: Latin look-alikes (Cyrillic, Greek) are screened as the Latin name', () => {
  it.each([
    ['Cyrillic Т, К, С, о, р, а in TDK', '\u0422D\u041a \u0421\u043er\u0440\u043er\u0430ti\u043en', 'WL-12-12'],
    ['one Cyrillic В in SUBARU', 'SU\u0412ARU CORPORATION', top('SUBARU CORPORATION', 'JP')!.entry.id],
    [
      'Greek Μ, Η, Ι in Mitsubishi Heavy Industries',
      '\u039citsubishi \u0397eavy \u0399ndustries',
      top('Mitsubishi Heavy Industries', 'JP')!.entry.id,
    ],
    ['a word entirely of look-alikes', '\u0422\u0405\u041a Corporation'.replace('\u0405', 'D'), 'WL-12-12'],
  ])('%s', (_what, name, id) => {
    expect(top(name, 'JP')?.entry.id).toBe(id);
    expect(top(name, 'JP')?.score).toBe(1);
  });

  it('leaves real Cyrillic and Greek words alone', () => {
    expect(foldLatinLookalikes('ООО Ромашка')).toBe('OOO Ромашка');
    expect(foldLatinLookalikes('Αθήνα Κοινωνία')).toBe('Αθήνα Κοινωνία');
    expect(foldLatinLookalikes('東京 TDK')).toBe('東京 TDK');
  });
});
