import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The command that runs `unit ...` and `merge ...` in another process: this Node binary and the package's bin
 * script, found by walking up from the running bundle (dist/, or out/ in tests) to the folder holding
 * bin/datadiet.js; in the installed extension, which ships no CLI, the engine bundle next to this code (it takes the
 * same two commands). On a cluster both paths must exist on the compute nodes too (a shared filesystem).
 */
export function datadietCommand(): { readonly node: string; readonly script: string } {
  const fromEnv = process.env.DATADIET_CLI;
  if (fromEnv) return { node: process.execPath, script: path.resolve(fromEnv) };
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const script = path.join(dir, 'bin', 'datadiet.js');
    if (fs.existsSync(script) && fs.existsSync(path.join(dir, 'dist', 'cli.js'))) return { node: process.execPath, script };
    if (path.dirname(dir) === dir) break;
  }
  const engine = path.join(__dirname, 'engine.js');
  if (fs.existsSync(engine)) return { node: process.execPath, script: engine };
  throw new Error(`cannot find bin/datadiet.js with a built dist/cli.js above ${__dirname}: run npm run build, or set DATADIET_CLI to the datadiet script`);
}
