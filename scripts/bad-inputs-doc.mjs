// Rewrites docs/bad-inputs.md from the bad-input corpus (test/unit/reliability/badInputs.ts): each case is built
// and run through the real loader, and the table records the exact message. The corpus test fails when it is stale.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { common } from './esbuild-common.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const outfile = path.join(root, 'out', 'scripts', 'badInputsDoc.js');
await esbuild.build({ ...common, absWorkingDir: root, entryPoints: [path.join(root, 'test/unit/reliability/badInputsDoc.ts')], outfile, sourcemap: 'inline' });
const { generateDoc, DOC_FILE } = createRequire(import.meta.url)(outfile);
const text = await generateDoc();
const check = process.argv.includes('--check');
const old = fs.existsSync(DOC_FILE) ? fs.readFileSync(DOC_FILE, 'utf8') : '';
if (check) {
  if (old !== text) {
    console.error(`${DOC_FILE} is stale: run node scripts/bad-inputs-doc.mjs`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(DOC_FILE, text);
  console.log(`wrote ${path.relative(root, DOC_FILE)} (${text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Area') && !l.startsWith('| ---')).length} cases)`);
}
