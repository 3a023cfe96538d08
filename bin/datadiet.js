#!/usr/bin/env node
'use strict';
// The CLI is bundled by esbuild into dist/cli.js (npm run build).
require('../dist/cli.js').main(process.argv);
