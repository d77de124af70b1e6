import type { ListedParty, RefData } from '@dualwatch/refdata';
import type { PositiveVariant, VariantKind } from './corpus';
import { mulberry32, pick, type Rng } from './prng';

/**
 * Positive variants: every name (en, ja, zh) and alias of every control-list, watch-list and
 * military-user entry, written the way companies and agencies write it (exposure-rules.md: "A name as
 * companies and agencies write it is still the entity", "Wherever it sits", "Parties screened").
 * Each variant is labelled with the entry it was made from; no matcher is consulted.
 */

type Script = 'latin' | 'ja' | 'zh';
const POSITIVE_LISTS = ['control_list', 'watch_list', 'military_user'] as const;

const KANA = /[\u3040-\u30ff]/;
const CJK = /[\u3400-\u9fff\u3040-\u30ff]/;
/** Simplified-only characters that mark a name as Chinese (a few common ones in the data). */
const SIMPLIFIED = /[发动机与涡轮增压器统门务卫电气网络传感联产航们运输泰拉无钢东细丰仓装备舰试验场创学术医驻厅头达俪济]/;

function scriptOf(text: string, field: 'en' | 'ja' | 'zh' | 'alias'): Script {
  if (!CJK.test(text)) return 'latin';
  if (field === 'ja' || KANA.test(text)) return 'ja';
  if (field === 'zh') return 'zh';
  return SIMPLIFIED.test(text) ? 'zh' : 'ja';
}

const LATIN_FORMS = [/,?\s*Co\.,?\s*Ltd\.?$/i, /,?\s*Ltd\.?$/i, /,?\s*Limited$/i, /,?\s*Inc\.?$/i, /\s+Corporation$/i, /,?\s*Co\.?$/i];
const CJK_FORMS = [/^株式会社\s*/, /\s*株式会社$/, /\s*股份有限公司$/, /\s*有限公司$/];

/** The name without its legal form, and whether it had one. */
export function stripLegalForm(text: string, script: Script): { core: string; had: boolean } {
  let core = text.trim();
  let had = false;
  for (const re of script === 'latin' ? LATIN_FORMS : CJK_FORMS) {
    if (re.test(core)) {
      core = core.replace(re, '').trim();
      had = true;
    }
  }
  return { core, had };
}

function isCompany(e: ListedParty): boolean {
  if (e.list === 'military_user') return false;
  const all = [e.names.en, e.names.ja ?? '', e.names.zh ?? '', ...e.aliases].join(' ');
  return /\b(Co\.|Ltd|Limited|Inc\.|Corporation)\b|株式会社/.test(all);
}

function isMilitary(e: ListedParty): boolean {
  return e.list === 'military_user' || /Defense|Research Center|Test Center/.test(e.names.en);
}

function isAcademic(e: ListedParty): boolean {
  return /Academy|Institute|College|University|大学/.test(e.names.en + (e.names.ja ?? ''));
}

/** ASCII to full-width (NFKC folds it back). */
export function toFullWidth(text: string): string {
  return Array.from(text)
    .map((c) => {
      const code = c.charCodeAt(0);
      if (code === 0x20) return '\u3000';
      if (code > 0x20 && code < 0x7f) return String.fromCharCode(code + 0xfee0);
      return c;
    })
    .join('');
}

const PLACES_EN = [
  'Nagoya',
  'Kobe',
  'Gifu',
  'Akashi',
  'Yokohama',
  'Osaka',
  'Sagamihara',
  'Komaki',
  'Kure',
  'Hiroshima',
  'Utsunomiya',
  'Mizuho',
  'Aioi',
  'Tsukuba',
  'Sendai',
  'Fukuoka',
];
const PLACES_JA = [
  '名古屋',
  '神戸',
  '岐阜',
  '明石',
  '横浜',
  '大阪',
  '相模原',
  '小牧',
  '呉',
  '広島',
  '宇都宮',
  '瑞穂',
  '相生',
  'つくば',
  '仙台',
  '福岡',
];
const PLACES_ZH = [
  '名古屋',
  '神户',
  '岐阜',
  '明石',
  '横滨',
  '大阪',
  '相模原',
  '小牧',
  '吴',
  '广岛',
  '宇都宫',
  '瑞穗',
  '相生',
  '筑波',
  '仙台',
  '福冈',
];
const MIL_PLACES_EN = [
  'Yokosuka',
  'Sasebo',
  'Maizuru',
  'Ominato',
  'Misawa',
  'Hamamatsu',
  'Naha',
  'Chitose',
  'Asaka',
  'Ichigaya',
  'Iruma',
  'Kumagaya',
];
const MIL_PLACES_JA = ['横須賀', '佐世保', '舞鶴', '大湊', '三沢', '浜松', '那覇', '千歳', '朝霞', '市ヶ谷', '入間', '熊谷'];
const MIL_PLACES_ZH = ['横须贺', '佐世保', '舞鹤', '大凑', '三泽', '滨松', '那霸', '千岁', '朝霞', '市谷', '入间', '熊谷'];

const Q_COMPANY_EN = [
  'Plant',
  'Works',
  'Office',
  'Branch',
  'Division',
  'Internal Company',
  'Laboratory',
  'Center',
  'Centre',
  'Sales Office',
  'Head Office',
];
const Q_MILITARY_EN = ['Command', 'Unit', 'Base', 'Depot', 'Bureau', 'School', 'Center', 'Centre', 'Laboratory', 'Office', 'Branch'];
const Q_ACADEMIC_EN = ['School', 'Graduate School', 'Laboratory', 'Center', 'Office', 'Bureau'];
const Q_COMPANY_JA = ['工場', '製作所', '事業所', '支店', '営業所', '事業部', '本部', '研究所', 'センター'];
const Q_MILITARY_JA = ['本部', '研究所', 'センター', '基地', '駐屯地', '補給処', '学校', '事業所'];
const Q_ACADEMIC_JA = ['研究所', 'センター', '本部', '学校'];
const Q_COMPANY_ZH = ['分公司', '办事处', '工厂', '事业部', '研究所', '中心'];
const Q_MILITARY_ZH = ['基地', '研究所', '中心', '办事处', '部队'];

function qualifiers(e: ListedParty, script: Script): string[] {
  const mil = isMilitary(e);
  const acad = isAcademic(e);
  if (script === 'latin') return mil ? Q_MILITARY_EN : acad ? Q_ACADEMIC_EN : Q_COMPANY_EN;
  if (script === 'ja') return mil ? Q_MILITARY_JA : acad ? Q_ACADEMIC_JA : Q_COMPANY_JA;
  return mil ? Q_MILITARY_ZH : Q_COMPANY_ZH;
}

function places(e: ListedParty, script: Script): string[] {
  const mil = isMilitary(e);
  if (script === 'latin') return mil ? MIL_PLACES_EN : PLACES_EN;
  if (script === 'ja') return mil ? MIL_PLACES_JA : PLACES_JA;
  return mil ? MIL_PLACES_ZH : PLACES_ZH;
}

interface Draft {
  text: string;
  country: string;
  kinds: VariantKind[];
}

function latinVariants(e: ListedParty, base: string, rng: Rng, parents: string[]): Draft[] {
  const out: Draft[] = [];
  const JP = e.country;
  const { core } = stripLegalForm(base, 'latin');
  const add = (text: string, kinds: VariantKind[], country = JP) => out.push({ text, country, kinds });
  add(base, ['as_written']);
  if (isCompany(e)) {
    const forms = ['Co., Ltd.', 'K.K.', 'Corporation', 'Kabushiki Kaisha', 'Ltd.', 'Inc.', 'Co.,Ltd', 'KK'];
    for (const f of [forms[0], forms[1], pick(rng, forms.slice(2))])
      add(`${core}${f.startsWith('Co') || f === 'Inc.' ? ', ' : ' '}${f}`.replace(', Co', ' Co'), ['legal_form']);
  }
  const qs = qualifiers(e, 'latin').filter((q) => !base.toLowerCase().includes(q.toLowerCase()));
  const ps = places(e, 'latin');
  const q1 = pick(rng, qs);
  const q2 = pick(
    rng,
    qs.filter((q) => q !== q1),
  );
  add(`${base} ${q1}`, ['qualifier']);
  add(`${core} ${pick(rng, ps)} ${q2}`, ['qualifier', 'qualifier_place']);
  add(`${pick(rng, ps)} ${pick(rng, qs)}, ${base}`, ['qualifier', 'qualifier_place']);
  if (!/^(Japan|Japanese|The Japan)\b/i.test(base)) {
    add(`Japan ${core.replace(/^The /, '')}`, ['country_prefix']);
    add(`Japanese ${base.replace(/^The /, '')}`, ['country_prefix']);
  }
  for (const p of parents) add(`${p} ${core}`, ['parent_prefix']);
  if (isMilitary(e)) {
    add(`${core} Djibouti Base`, ['overseas', 'qualifier', 'qualifier_place'], 'DJ');
    add(`${core} Washington Office`, ['overseas', 'qualifier', 'qualifier_place'], 'US');
  } else {
    add(`${core} Singapore Branch`, ['overseas', 'qualifier', 'qualifier_place'], 'SG');
    add(`${core} (Thailand) Co., Ltd.`, ['overseas', 'legal_form'], 'TH');
    add(`${base} Shanghai Representative Office`, ['overseas', 'qualifier', 'qualifier_place'], 'CN');
  }
  if (core.includes(' ')) {
    add(core.replace(/\s+/g, ''), ['spacing']);
    add(base.replace(/\s+/g, '  '), ['spacing']);
  }
  add(toFullWidth(base), ['fullwidth']);
  add(toFullWidth(`${core} ${pick(rng, qs)}`), ['fullwidth', 'qualifier']);
  add(base.toUpperCase(), ['case']);
  add(base.toLowerCase(), ['case']);
  const words = core.split(/\s+/);
  if (words.length > 1) {
    add(words.join('-') + '.', ['punctuation']);
    add(`"${words[0]}, ${words.slice(1).join(' ')}"`, ['punctuation']);
  } else {
    add(`${core}.`, ['punctuation']);
    add(`(${core})`, ['punctuation']);
  }
  if (isCompany(e))
    add(`${core.toUpperCase()} CO.,LTD. - ${pick(rng, ps).toUpperCase()} ${q1.toUpperCase()}`, [
      'case',
      'punctuation',
      'legal_form',
      'qualifier',
      'qualifier_place',
    ]);
  else
    add(`${core.toUpperCase()} - ${pick(rng, ps).toUpperCase()} ${q1.toUpperCase()}`, [
      'case',
      'punctuation',
      'qualifier',
      'qualifier_place',
    ]);
  return out;
}

function cjkVariants(e: ListedParty, base: string, script: 'ja' | 'zh', rng: Rng, parents: string[]): Draft[] {
  const out: Draft[] = [];
  const JP = e.country;
  const { core } = stripLegalForm(base, script);
  const add = (text: string, kinds: VariantKind[], country = JP) => out.push({ text, country, kinds });
  add(base, ['as_written']);
  if (isCompany(e)) {
    if (script === 'ja') {
      add(`株式会社${core}`, ['legal_form']);
      add(`${core}株式会社`, ['legal_form']);
      add(`(株)${core}`, ['legal_form']);
      add(`${core}㈱`, ['legal_form']);
      add(`${core}（株）`, ['legal_form']);
    } else {
      add(`${core}有限公司`, ['legal_form']);
      add(`${core}股份有限公司`, ['legal_form']);
      add(`${core}株式会社`, ['legal_form']);
    }
  }
  const qs = qualifiers(e, script).filter((q) => !base.includes(q) && !(q === '学校' && base.endsWith('校')));
  const ps = places(e, script);
  const q1 = pick(rng, qs);
  add(`${base}${q1}`, ['qualifier']);
  add(`${base} ${pick(rng, ps)}${pick(rng, qs)}`, ['qualifier', 'qualifier_place']);
  add(`${core}${pick(rng, ps)}${pick(rng, qs)}`, ['qualifier', 'qualifier_place']);
  if (!base.startsWith('日本')) {
    add(`日本${base}`, ['country_prefix']);
    if (script === 'ja') add(`日本国 ${base}`, ['country_prefix']);
  }
  for (const p of parents) add(`${p}${script === 'ja' ? ' ' : ''}${core}`, ['parent_prefix']);
  if (isMilitary(e)) {
    add(`${core}${script === 'ja' ? 'ジブチ基地' : '吉布提基地'}`, ['overseas', 'qualifier', 'qualifier_place'], 'DJ');
  } else if (script === 'ja') {
    add(`${core}シンガポール支店`, ['overseas', 'qualifier', 'qualifier_place'], 'SG');
    add(`${core}上海事務所`, ['overseas', 'qualifier', 'qualifier_place'], 'CN');
  } else {
    add(`${core}上海办事处`, ['overseas', 'qualifier', 'qualifier_place'], 'CN');
    add(`${core}（泰国）有限公司`, ['overseas', 'legal_form'], 'TH');
  }
  // spacing: a space between CJK and Latin runs, or between the first characters
  if (/[A-Za-z]/.test(core))
    add(
      base
        .replace(/([A-Za-z&]+)/g, ' $1 ')
        .replace(/\s+/g, ' ')
        .trim(),
      ['spacing'],
    );
  else if (core.length >= 4) add(`${core.slice(0, 2)} ${core.slice(2)}`, ['spacing']);
  if (/[ 　・]/.test(base)) add(base.replace(/[ 　・]/g, ''), ['spacing', 'punctuation']);
  if (/[A-Za-z0-9&]/.test(base)) add(toFullWidth(base), ['fullwidth']);
  else add(`${toFullWidth('(')}${base}${toFullWidth(')')}`, ['fullwidth', 'punctuation']);
  if (/[A-Za-z]/.test(base))
    add(
      base.replace(/[A-Za-z]+/g, (w) => (w === w.toUpperCase() ? w.toLowerCase() : w.toUpperCase())),
      ['case'],
    );
  add(`「${base}」`, ['punctuation']);
  add(`${base}。`, ['punctuation']);
  return out;
}

/** Parent names (defence-nexus entries whose `related` says they are this entry's parent). */
function parentNames(refdata: RefData, e: ListedParty): { latin: string[]; ja: string[] } {
  const latin: string[] = [];
  const ja: string[] = [];
  for (const p of refdata.parties) {
    if (!p.related?.some((r) => r.id === e.id && r.relation === 'parent')) continue;
    latin.push(stripLegalForm(p.names.en, 'latin').core);
    const shortLatin = p.aliases.find((a) => /^[A-Z]{2,5}$/.test(a));
    if (shortLatin) latin.push(shortLatin);
    if (p.names.ja) ja.push(p.names.ja);
  }
  return { latin, ja };
}

export function generatePositives(refdata: RefData, seed = 20260106): PositiveVariant[] {
  const rng = mulberry32(seed);
  const out: PositiveVariant[] = [];
  const seen = new Set<string>();
  const byBase = new Map<string, string[]>();
  for (const e of refdata.parties) {
    if (!(POSITIVE_LISTS as readonly string[]).includes(e.list)) continue;
    for (const t of [e.names.en, e.names.ja, e.names.zh, ...e.aliases]) {
      if (!t) continue;
      const ids = byBase.get(t) ?? [];
      if (!ids.includes(e.id)) ids.push(e.id);
      byBase.set(t, ids);
    }
  }
  for (const e of refdata.parties) {
    if (!(POSITIVE_LISTS as readonly string[]).includes(e.list)) continue;
    const parents = parentNames(refdata, e);
    const bases: { text: string; field: PositiveVariant['baseField'] }[] = [];
    for (const field of ['en', 'ja', 'zh'] as const) {
      const t = e.names[field];
      if (t && !bases.some((b) => b.text === t)) bases.push({ text: t, field });
    }
    for (const a of e.aliases) if (!bases.some((b) => b.text === a)) bases.push({ text: a, field: 'alias' });
    for (const b of bases) {
      const script = scriptOf(b.text, b.field);
      const drafts =
        script === 'latin'
          ? latinVariants(e, b.text, rng, parents.latin)
          : cjkVariants(e, b.text, script, rng, script === 'ja' ? parents.ja : []);
      for (const d of drafts) {
        const key = `${e.id}|${d.country}|${d.text}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const accept = byBase.get(b.text) ?? [e.id];
        out.push({
          id: `P${String(out.length + 1).padStart(5, '0')}`,
          text: d.text,
          country: d.country,
          expected: e.id,
          accept: accept.includes(e.id) ? accept : [e.id, ...accept],
          list: e.list as PositiveVariant['list'],
          base: b.text,
          baseField: b.field,
          kinds: d.kinds,
          ...(e.unverifiedNames?.includes(b.text) ? { unverified: true } : {}),
        });
      }
    }
  }
  return out;
}
