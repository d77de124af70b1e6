import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bundledDataDir,
  canonicalJson,
  loadBundledRefData,
  loadRefDataFromDir,
  readRefDataFiles,
  REFDATA_FILES,
  RefDataError,
  refDataFromObject,
  refDataVersion,
  type RefDataFiles,
} from './loader';

const bundledFiles = readRefDataFiles(bundledDataDir());

/** A deep copy of the bundled files, changed by `edit`. */
function variant(edit: (files: Record<string, any>) => void): RefDataFiles {
  const files = JSON.parse(JSON.stringify(bundledFiles)) as Record<string, any>;
  edit(files);
  return files as RefDataFiles;
}

/** The messages of the RefDataError that `files` raise (fails if they load). */
function errorsOf(files: RefDataFiles): string[] {
  try {
    refDataFromObject(files);
  } catch (err) {
    expect(err).toBeInstanceOf(RefDataError);
    return (err as Error).message.split('\n').slice(1);
  }
  throw new Error('expected the reference data to be rejected');
}

const indexOf = (list: { id?: string; code?: string }[], id: string) => list.findIndex((x) => x.id === id || x.code === id);

describe('loading the bundled reference data', () => {
  it('accepts the bundled files and labels the version with the manifest label and a content hash', () => {
    const rd = loadBundledRefData();
    expect(rd.label).toBe('2026-12-r2');
    expect(rd.version).toMatch(/^2026-12-r2\+[0-9a-f]{12}$/);
    expect(rd.announcements.length).toBeGreaterThan(10);
    expect(rd.itemFamilies.length).toBeGreaterThan(10);
    expect(rd.parties.length).toBeGreaterThan(100);
    expect(rd.countries.length).toBe(249);
    expect(rd.legalForms.ja).toContain('株式会社');
    expect(rd.sourceKinds.hosts['mofcom.gov.cn']).toBe('official');
  });

  it('finds libs/refdata/data from the sources and from a build directory', () => {
    const fromSrc = bundledDataDir(__dirname);
    expect(fromSrc.endsWith(join('libs', 'refdata', 'data'))).toBe(true);
    const fromDist = bundledDataDir(join(__dirname, '..', '..', '..', 'dist', 'libs', 'refdata', 'src'));
    expect(fromDist).toBe(fromSrc);
  });

  it('loads a copy of the files from another directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'refdata-'));
    try {
      for (const f of REFDATA_FILES) writeFileSync(join(dir, f), JSON.stringify(bundledFiles[f], null, 2));
      expect(loadRefDataFromDir(dir).version).toBe(loadBundledRefData().version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rejecting broken reference data, naming file, entry and field', () => {
  it('a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'refdata-'));
    try {
      for (const f of REFDATA_FILES) writeFileSync(join(dir, f), JSON.stringify(bundledFiles[f]));
      writeFileSync(join(dir, 'countries.json'), '[{"code": "JP",');
      expect(() => loadRefDataFromDir(dir)).toThrow(/countries\.json: \/: is not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'refdata-'));
    try {
      mkdirSync(dir, { recursive: true });
      for (const f of REFDATA_FILES) if (f !== 'red-flags.json') writeFileSync(join(dir, f), JSON.stringify(bundledFiles[f]));
      expect(() => loadRefDataFromDir(dir)).toThrow(/red-flags\.json: \/: cannot be read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a value that breaks a pattern (a 10-digit HS code with 9 digits)', () => {
    const errors = errorsOf(variant((f) => (f['item-families.json'][0].hsCodes10[2] = '811292901')));
    expect(errors).toContain('item-families.json: entry "gallium" (index 0): /hsCodes10/2: must match pattern ^[0-9]{10}$');
  });

  it('a required field that is missing', () => {
    const i = indexOf(bundledFiles['parties.json'] as any[], 'WL-12-12');
    const errors = errorsOf(variant((f) => delete f['parties.json'][i].listedOn));
    expect(errors).toContain(`parties.json: entry "WL-12-12" (index ${i}): /listedOn: is required`);
  });

  it('a field the model does not have (a misspelling)', () => {
    const errors = errorsOf(variant((f) => (f['announcements.json'][0].legalbasis = 'x')));
    expect(errors.some((e) => /^announcements\.json: entry "PRC-ECL-2020" \(index 0\): \/legalbasis: is not a field/.test(e))).toBe(true);
  });

  it('a value outside an enumeration', () => {
    const errors = errorsOf(variant((f) => (f['parties.json'][0].list = 'black_list')));
    expect(errors.some((e) => e.startsWith('parties.json: entry "CL-11-01" (index 0): /list: must be one of "control_list"'))).toBe(true);
  });

  it('an English keyword that is not lower case', () => {
    const errors = errorsOf(variant((f) => (f['item-families.json'][0].keywords.en[0] = 'Gallium')));
    expect(errors).toContain('item-families.json: entry "gallium" (index 0): /keywords/en/0: must match pattern ^[^A-Z]+$');
  });

  it('an announcement id that announcements.json does not have', () => {
    const errors = errorsOf(variant((f) => (f['item-families.json'][0].announcement = 'MOFCOM-2023-99')));
    expect(errors).toContain(
      'item-families.json: entry "gallium" (index 0): /announcement: announcement "MOFCOM-2023-99" is not in announcements.json',
    );
  });

  it('an unknown announcement in a suspension', () => {
    const i = indexOf(bundledFiles['item-families.json'] as any[], 'rare-earths-oct-2025');
    const errors = errorsOf(variant((f) => (f['item-families.json'][i].suspensions[0].announcement = 'MOFCOM-2025-99')));
    expect(errors).toContain(
      `item-families.json: entry "rare-earths-oct-2025" (index ${i}): /suspensions/0/announcement: announcement "MOFCOM-2025-99" is not in announcements.json`,
    );
  });

  it('two parties with one id', () => {
    const errors = errorsOf(variant((f) => (f['parties.json'][1].id = 'CL-11-01')));
    expect(errors).toContain('parties.json: entry "CL-11-01" (index 1): /id: duplicate id "CL-11-01" (first at index 0)');
  });

  it('a related id that does not exist', () => {
    const i = indexOf(bundledFiles['parties.json'] as any[], 'DN-MHI');
    const errors = errorsOf(variant((f) => (f['parties.json'][i].related[0].id = 'CL-11-99')));
    expect(errors).toContain(`parties.json: entry "DN-MHI" (index ${i}): /related/0/id: party "CL-11-99" is not in parties.json`);
  });

  it('a date that is not on the calendar', () => {
    const errors = errorsOf(variant((f) => (f['parties.json'][0].effectiveFrom = f['parties.json'][0].listedOn = '2026-02-30')));
    expect(errors).toContain('parties.json: entry "CL-11-01" (index 0): /effectiveFrom: "2026-02-30" is not a calendar date');
  });

  it('a suspension that ends before it starts', () => {
    const i = indexOf(bundledFiles['item-families.json'] as any[], 'rare-earths-oct-2025');
    const errors = errorsOf(variant((f) => (f['item-families.json'][i].suspensions[0].until = '2025-11-01')));
    expect(errors).toContain(
      `item-families.json: entry "rare-earths-oct-2025" (index ${i}): /suspensions/0: from (2025-11-07) must be before until (2025-11-01)`,
    );
  });

  it('a listed entity in force before its listing date', () => {
    const errors = errorsOf(variant((f) => (f['parties.json'][0].effectiveFrom = '2026-01-06')));
    expect(errors).toContain(
      'parties.json: entry "CL-11-01" (index 0): /effectiveFrom: a listed entity is in force from its listing date (2026-02-24)',
    );
  });

  it('a corporate number whose check digit is wrong', () => {
    const errors = errorsOf(variant((f) => (f['parties.json'][0].jpCorporateNumber = '1234567890123')));
    expect(errors).toContain(
      'parties.json: entry "CL-11-01" (index 0): /jpCorporateNumber: "1234567890123" fails the corporate-number check digit',
    );
  });

  it("an unverified name that is not one of the entry's names", () => {
    const errors = errorsOf(variant((f) => (f['parties.json'][0].unverifiedNames = ['Mitsubishi Shipyard'])));
    expect(errors).toContain(
      'parties.json: entry "CL-11-01" (index 0): /unverifiedNames/0: "Mitsubishi Shipyard" is not one of the entry\'s names or aliases',
    );
  });

  it('a party in a country that countries.json does not have', () => {
    const errors = errorsOf(variant((f) => (f['parties.json'][0].country = 'XX')));
    expect(errors).toContain('parties.json: entry "CL-11-01" (index 0): /country: "XX" is not in countries.json');
  });

  it('a manifest that does not list a file', () => {
    const errors = errorsOf(
      variant((f) => (f['manifest.json'].files = f['manifest.json'].files.filter((x: string) => x !== 'parties.json'))),
    );
    expect(errors).toContain('manifest.json: /files: does not list parties.json');
  });

  it('a source URL that source-kinds.json does not classify', () => {
    const i = indexOf(bundledFiles['parties.json'] as any[], 'WL-12-12');
    const errors = errorsOf(variant((f) => f['parties.json'][i].sources.push('https://unknown-blog.example/tdk')));
    expect(errors).toContain(
      `parties.json: entry "WL-12-12" (index ${i}): /sources/${(bundledFiles['parties.json'] as any[])[i].sources.length}: source "https://unknown-blog.example/tdk" has no kind in source-kinds.json (add its host or the URL)`,
    );
    // a per-URL override or a host rule makes it known
    expect(() =>
      refDataFromObject(
        variant((f) => {
          f['parties.json'][i].sources.push('https://unknown-blog.example/tdk');
          f['source-kinds.json'].urls['https://unknown-blog.example/tdk'] = 'forum';
        }),
      ),
    ).not.toThrow();
  });

  it('a source kind that is not one of the seven', () => {
    const errors = errorsOf(variant((f) => (f['source-kinds.json'].hosts['mofcom.gov.cn'] = 'government')));
    expect(errors.some((e) => e.startsWith('source-kinds.json: /hosts/mofcom.gov.cn: must be one of "official"'))).toBe(true);
  });

  it('a 6-digit heading both strong and weak', () => {
    const i = indexOf(bundledFiles['item-families.json'] as any[], 'rare-earths-medium-heavy');
    const errors = errorsOf(variant((f) => f['item-families.json'][i].hs6.push('280530')));
    expect(errors).toContain(
      `item-families.json: entry "rare-earths-medium-heavy" (index ${i}): /hs6/${(bundledFiles['item-families.json'] as any[])[i].hs6.length}: "280530" is also in hs6Weak: a heading is either as strong as the control or broader, not both`,
    );
  });

  it('a defence nexus that starts on or after the listing, or without a reason', () => {
    const i = indexOf(bundledFiles['parties.json'] as any[], 'WL-12-01');
    expect(errorsOf(variant((f) => (f['parties.json'][i].defenceNexusFrom = '2026-02-24')))).toContain(
      `parties.json: entry "WL-12-01" (index ${i}): /defenceNexusFrom: must be before the entry's listing (effectiveFrom 2026-02-24)`,
    );
    expect(
      errorsOf(
        variant((f) => {
          delete f['parties.json'][i].contracts;
          delete f['parties.json'][i].related;
        }),
      ),
    ).toContain(`parties.json: entry "WL-12-01" (index ${i}): /defenceNexusFrom: needs a reason in data: contracts or related`);
  });

  it('an ownership share on a tie that is not parent or subsidiary, and a share over 100', () => {
    const i = indexOf(bundledFiles['parties.json'] as any[], 'DN-MHI');
    const k = (bundledFiles['parties.json'] as any[])[i].related.findIndex((r: any) => r.relation === 'contractor');
    expect(errorsOf(variant((f) => (f['parties.json'][i].related[k].ownershipPct = 50)))).toContain(
      `parties.json: entry "DN-MHI" (index ${i}): /related/${k}/ownershipPct: is only for parent or subsidiary ties, not contractor`,
    );
    expect(
      errorsOf(variant((f) => (f['parties.json'][i].related[0].ownershipPct = 120))).some((e) =>
        e.startsWith(`parties.json: entry "DN-MHI" (index ${i}): /related/0/ownershipPct:`),
      ),
    ).toBe(true);
  });

  it('an object file with a wrong field (military-end-use.json)', () => {
    const errors = errorsOf(variant((f) => (f['military-end-use.json'].terms.en = 'missile')));
    expect(errors).toContain('military-end-use.json: /terms/en: must be an array');
  });
});

describe('the reference-data version', () => {
  const base = refDataFromObject(bundledFiles).version;

  it('does not change when the files are only re-formatted or their keys re-ordered', () => {
    const reordered = variant((f) => {
      const p = f['parties.json'][0];
      f['parties.json'][0] = Object.fromEntries(Object.entries(p).reverse());
    });
    expect(refDataFromObject(reordered).version).toBe(base);
    expect(refDataVersion('2026-12-r2', JSON.parse(canonicalJson(bundledFiles)) as RefDataFiles)).toBe(base);
  });

  it.each(REFDATA_FILES.map((f) => [f]))('changes when %s changes', (file) => {
    const changed = variant((f) => {
      switch (file) {
        case 'manifest.json':
          f[file].compiledFrom += ' (rev)';
          break;
        case 'military-end-use.json':
          f[file].terms.en.push('cruise missile');
          break;
        case 'legal-forms.json':
          f[file].en.push('Pty. Ltd.');
          break;
        case 'source-kinds.json':
          f[file].hosts['example.org'] = 'forum';
          break;
        default:
          f[file][0].sources = [...(f[file][0].sources ?? []), 'https://www.mofcom.gov.cn/changed'];
      }
    });
    const v = refDataFromObject(changed).version;
    expect(v).not.toBe(base);
    expect(v.startsWith('2026-12-r2+')).toBe(true);
  });

  it('carries the manifest label', () => {
    expect(refDataFromObject(variant((f) => (f['manifest.json'].label = '2026-12-r2'))).version).toMatch(/^2026-12-r2\+[0-9a-f]{12}$/);
  });
});
