import { decodeText, encodingFromLabel, TextEncodingError } from './text-encoding';

/** 日本防衛装備株式会社,① as Excel on Japanese Windows saves it (CP932). */
const SJIS = Buffer.from('93fa967b96688971919594f58a948eae89ef8ed02c8740', 'hex');
const TEXT = '日本防衛装備株式会社,①';

describe('decodeText: UTF-8 (with or without BOM) and Shift-JIS / CP932, strictly', () => {
  it('detects Shift-JIS (CP932, NEC extensions included) and says so', () => {
    expect(decodeText(SJIS)).toEqual({ text: TEXT, encoding: 'shift_jis', how: 'detected' });
  });

  it('reads UTF-8 as UTF-8, and a BOM as UTF-8 without the BOM', () => {
    expect(decodeText(Buffer.from(TEXT))).toEqual({ text: TEXT, encoding: 'utf-8', how: 'detected' });
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]))).toEqual({
      text: TEXT,
      encoding: 'utf-8',
      how: 'bom',
    });
    expect(decodeText(Buffer.from('plain ascii,1'))).toMatchObject({ encoding: 'utf-8' });
  });

  it('decodes as chosen, and refuses bytes that are not of the chosen encoding, naming the offset', () => {
    expect(decodeText(SJIS, 'shift_jis')).toEqual({ text: TEXT, encoding: 'shift_jis', how: 'chosen' });
    expect(() => decodeText(SJIS, 'utf-8')).toThrow(/not UTF-8: the bytes at offset 0 \(0x93 0xfa 0x96 0x7b\)/);
  });

  it('refuses what is neither (never U+FFFD)', () => {
    const broken = Buffer.from([0x41, 0x2c, 0x81, 0x20, 0xff]);
    expect(() => decodeText(broken)).toThrow(TextEncodingError);
    expect(() => decodeText(broken)).toThrow(/neither UTF-8 nor Shift-JIS \(CP932\): the bytes at offset 2/);
  });

  it('knows the usual labels', () => {
    expect(['cp932', 'Shift_JIS', 'SJIS', 'windows-31j', 'utf8', 'UTF-8', 'auto', 'latin1'].map(encodingFromLabel)).toEqual([
      'shift_jis',
      'shift_jis',
      'shift_jis',
      'shift_jis',
      'utf-8',
      'utf-8',
      'auto',
      null,
    ]);
  });
});
