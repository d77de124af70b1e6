#!/usr/bin/env node
'use strict';
// The `dualwatch` command: a shim over the compiled CLI (dist/apps/cli/src/main.js).
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write(
    `dualwatch: the CLI is not built (${path.relative(process.cwd(), main) || main} is missing).\nRun \`npm run build\` in ${path.resolve(__dirname, '..')} first.\n`,
  );
  process.exit(2);
}
require(main)
  .run(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
