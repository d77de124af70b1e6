import { loadBundledRefData } from '../loader';
import { foldCjkVariants } from './cjk-fold';
import { nameFeatures, normalizeName } from './normalize';

const { legalForms } = loadBundledRefData();
const norm = (s: string) => normalizeName(s, legalForms);
const key = (s: string) => nameFeatures(s, legalForms).key;

describe('normalizeName', () => {
  it('turns full-width letters and half-width katakana into their usual forms (NFKC)', () => {
    expect(norm('ＴＤＫ株式会社')).toBe('tdk');
    expect(norm('ＭＩＴＳＵＩ　Ｅ＆Ｓ')).toBe('mitsui e s');
    expect(norm('ｺﾏﾂ')).toBe('コマツ');
  });

  it('folds case and drops Latin diacritics', () => {
    expect(norm('MITSUBISHI Heavy INDUSTRIES')).toBe('mitsubishi heavy industries');
    expect(norm('Tōkyō Keiki')).toBe('tokyo keiki');
  });

  it('removes punctuation; dots inside abbreviations vanish', () => {
    expect(norm('Mitsubishi Heavy Industries Aero Engines, Ltd.')).toBe('mitsubishi heavy industries aero engines');
    expect(norm('Japan Ground Self-Defense Force')).toBe('japan ground self defense force');
    expect(norm('N.E.C. Corporation')).toBe('nec');
  });

  it('treats "&" and "and" alike', () => {
    expect(norm('MHI Engine & Turbocharger')).toBe(norm('MHI Engine and Turbocharger'));
    expect(norm('三菱重工エンジン＆ターボチャージャ')).toBe('三菱重工エンジンターボチャージャ');
  });

  it('removes legal forms in English, Japanese and Chinese wherever they stand', () => {
    expect(norm('Kabushiki Kaisha Toshiba')).toBe('toshiba');
    expect(norm('Toshiba K.K.')).toBe('toshiba');
    expect(norm('株式会社東芝')).toBe(norm('東芝株式会社'));
    expect(norm('㈱東芝')).toBe('东芝');
    expect(norm('(株)日立製作所')).toBe('日立制作所');
    expect(norm('国立研究開発法人宇宙航空研究開発機構')).toBe(norm('宇宙航空研究開発機構'));
    expect(norm('三菱重工航空发动机有限公司')).toBe('三菱重工航空发动机');
    expect(norm('Mitsui & Co., Ltd.')).toBe('mitsui');
  });

  it('removes legal forms only as whole words', () => {
    expect(norm('Cosmo Oil Marketing Co., Ltd.')).toBe('cosmo oil marketing');
    expect(norm('Coca-Cola Bottlers Japan Inc.')).toBe('coca cola bottlers japan');
  });

  it('keeps Holdings, Group and 集团: they are not legal forms (a holding company is another entity)', () => {
    expect(norm('Leda Group Holdings Co., Ltd.')).toBe('leda group holdings');
    expect(norm('俪达集团控股股份有限公司')).toBe('俪达集团控股');
  });

  it('keeps Japanese and Chinese as characters, without spaces inside a run, and folds character variants', () => {
    expect(norm('ジャパン マリンユナイテッド')).toBe('ジャパンマリンユナイテッド');
    expect(norm('富士通防衛與國家安全株式會社')).toBe('富士通防卫与国家安全');
    expect(norm('IHI原動機')).toBe('ihi 原动机');
  });

  it('reads 第 before a number as "No."', () => {
    expect(norm('陸上自衛隊第1師団')).toBe('陆上自卫队 1 师团');
  });
});

describe('nameFeatures', () => {
  it('gives the same key whatever the word order', () => {
    expect(key('Komatsu NTC Ltd.')).toBe(key('NTC Komatsu'));
    expect(key('Ministry of Defence, Japan')).toBe(key('Japan Ministry of Defense'));
  });

  it('maps British spellings and abbreviations, drops stop words and plural s', () => {
    expect(key('National Institute of Defence Studies')).toBe(key('National Institute for Defense Study'));
    expect(key('Mitsubishi Heavy Ind. Aero Engines')).toBe(key('Mitsubishi Heavy Industries Aero Engine'));
  });

  it('marks weak and unit words', () => {
    const f = nameFeatures('Japan Ground Self-Defense Force 1st Division', legalForms).features;
    expect(f.find((x) => x.text === 'japan')!.weak).toBe(true);
    expect(f.find((x) => x.text === 'division')!.ignorable).toBe(true);
    expect(f.find((x) => x.text === '1st')!.ignorable).toBe(true);
    expect(f.find((x) => x.text === 'ground')!.weak).toBe(false);
  });

  it('splits CJK runs into character bigrams', () => {
    expect(nameFeatures('防衛省', legalForms).features.map((x) => x.key)).toEqual(['g:防卫', 'g:卫省']);
  });
});

describe('foldCjkVariants', () => {
  it('folds Japanese shinjitai and traditional forms to simplified', () => {
    expect(foldCjkVariants('沖電気')).toBe('冲电气');
    expect(foldCjkVariants('電氣')).toBe('电气');
    expect(foldCjkVariants('豊和工業')).toBe('丰和工业');
    expect(foldCjkVariants('カタカナ and latin')).toBe('カタカナ and latin');
  });
});
