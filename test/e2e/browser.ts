import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium (a test tool's own browser download cannot be fetched here). */
export const CHROMIUM = process.env.DW_CHROMIUM ?? '/usr/bin/chromium';

/** A headless Chromium with a fresh profile (a laptop-sized window); `close()` also removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install chromium (scripts/setup.sh does)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const SCREENSHOTS = path.resolve(__dirname, '../../docs/screenshots');
