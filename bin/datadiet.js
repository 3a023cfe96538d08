#!/usr/bin/env node
'use strict';
// The CLI is bundled by esbuild into dist/cli.js (npm run build; npm install builds it too).
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(`datadiet: the CLI is not built yet (${cli} is missing): run "npm run build" in ${path.dirname(__dirname)}\n`);
  process.exit(1);
}
require(cli).main(process.argv);
