/**
 * The README's settings tables, generated from each app's settings spec (the one place a variable is
 * defined): `node dist/tools/docs/settings-table.js` prints them; settings-table.spec.ts fails when
 * the README has drifted from the code.
 */
import { describeSettings, type SettingsSpec } from '@dualwatch/config';
import { engineSettingsSpec } from '../../apps/risk-engine/src/settings';
import { notifierSettingsSpec } from '../../apps/notifier/src/settings';
import { apiSettingsSpec } from '../../apps/api/src/settings';
import { projectorSettingsSpec } from '../../apps/projector/src/settings';

export const APP_SETTINGS: Record<string, SettingsSpec> = {
  'risk-engine': engineSettingsSpec,
  notifier: notifierSettingsSpec,
  api: apiSettingsSpec,
  projector: projectorSettingsSpec,
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function settingsTable(spec: SettingsSpec): string {
  const rows = describeSettings(spec).map(
    (r) => `| \`${r.env}\` | ${cell(r.default === '' ? '(empty)' : r.default)} | ${cell(r.expects)} | ${cell(r.description)} |`,
  );
  return ['| variable | default | expects | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export function settingsSection(): string {
  return Object.entries(APP_SETTINGS)
    .map(([app, spec]) => `### ${app}\n\n${settingsTable(spec)}\n`)
    .join('\n');
}

if (require.main === module) process.stdout.write(settingsSection());
