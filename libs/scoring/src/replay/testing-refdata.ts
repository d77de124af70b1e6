import { bundledDataDir, readRefDataFiles, refDataFromObject, type ListedParty, type RefData, type RefDataFiles } from '@dualwatch/refdata';

/** The bundled reference data with one more watch-list entry (a new version, as an admin would load). */
export function withWatchListEntry(entry: Partial<ListedParty> & { names: ListedParty['names'] }): RefData {
  return refDataFromObject(filesWithWatchListEntry(entry));
}

/** The same, as the files of a reference-data directory (to write to disk or post to the api). */
export function filesWithWatchListEntry(entry: Partial<ListedParty> & { names: ListedParty['names'] }): RefDataFiles {
  const files = structuredClone(readRefDataFiles(bundledDataDir()));
  (files['manifest.json'] as { label: string }).label = '2026-12-r1';
  const parties = files['parties.json'] as ListedParty[];
  const template = parties.find((p) => p.id === 'WL-12-01')!;
  const { unverifiedNames: _u, note: _n, jpCorporateNumber: _c, ...base } = template;
  parties.push({ ...base, id: 'WL-99-01', aliases: [], annexEntry: 99, listedOn: '2026-12-01', effectiveFrom: '2026-12-01', ...entry });
  return files;
}
