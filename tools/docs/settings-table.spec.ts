import * as fs from 'node:fs';
import * as path from 'node:path';
import { settingsSection } from './settings-table';

describe('the README settings tables', () => {
  it('are exactly what the apps settings specs say (regenerate with node dist/tools/docs/settings-table.js)', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const start = readme.indexOf('<!-- settings:start -->');
    const end = readme.indexOf('<!-- settings:end -->');
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start + '<!-- settings:start -->'.length, end).trim()).toBe(settingsSection().trim());
  });
});
