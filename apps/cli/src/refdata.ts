import { loadBundledRefData, loadRefDataFromDir, type RefData } from '@dualwatch/refdata';

/** The reference data the CLI scores with: a directory given with --refdata, else the bundled set. */
export function loadRefData(dir?: string): RefData {
  return dir ? loadRefDataFromDir(dir) : loadBundledRefData();
}
