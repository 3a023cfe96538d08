// Bundles the notebook renderer (renderers/renderer.ts) for the notebook webview: a browser ES module with vega,
// vega-lite, vega-embed and vega-interpreter inside (VS Code loads `contributes.notebookRenderer[].entrypoint`
// with a dynamic import). Refuses a bundle that contains eval or new Function: the webview must work without
// 'unsafe-eval', and vega-interpreter is what makes that possible.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Code that evaluates strings (a call of eval, or of Function with or without new); none may remain in the bundle. */
export const EVAL_PATTERNS = [/(^|[^\w$.])Function\s*\(/, /(^|[^\w$.])eval\s*\((?![^()]*\)\s*\{)/];

/**
 * Two dependencies still contain code generation that this renderer never runs, and it is cut out at bundle time
 * so that the bundle holds no string evaluation at all:
 * - vega-runtime's default expression code generator (`Function(...)`): the View gets vega-interpreter instead
 *   (ast: true, expr: expressionInterpreter), and with it field accessors and comparators take vega-util's
 *   closure path (the interpreter has no `codegen`). Any call left would throw a clear error.
 * - d3-dsv's objectConverter (`new Function` to build CSV row objects): replaced by an equivalent closure.
 */
const noCodegen = {
  name: 'no-codegen',
  setup(build) {
    build.onLoad({ filter: /[\\/]vega-runtime[\\/]build[\\/]vega-runtime\.js$/ }, async (args) => {
      const src = await fs.promises.readFile(args.path, 'utf8');
      const stub = 'const __noCodegen = () => { throw new Error("Data Diet renderer: Vega code generation is disabled (no eval); use the expression interpreter"); };\n';
      return { contents: stub + src.replace(/(^|[^\w$.])Function\s*\(/g, '$1__noCodegen('), loader: 'js' };
    });
    build.onLoad({ filter: /[\\/]d3-dsv[\\/]dist[\\/]d3-dsv\.mjs$/ }, async (args) => {
      const src = await fs.promises.readFile(args.path, 'utf8');
      const from = /function objectConverter\(columns\) \{[\s\S]*?\n\}\n/;
      if (!from.test(src)) throw new Error(`${args.path}: objectConverter not found; update scripts/build-renderer.mjs`);
      const to = 'function objectConverter(columns) {\n  return function(d) { var o = {}; columns.forEach(function(name, i) { o[name] = d[i] || ""; }); return o; };\n}\n';
      return { contents: src.replace(from, to), loader: 'js' };
    });
  },
};

export async function buildRenderer(root, { minify = true } = {}) {
  const outfile = path.join(root, 'dist', 'renderer.js');
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['renderers/renderer.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: 'linked',
    logLevel: 'warning',
    loader: { '.css': 'text' },
    legalComments: 'none',
    plugins: [noCodegen],
  });
  const code = fs.readFileSync(outfile, 'utf8');
  const bad = EVAL_PATTERNS.map((re) => re.exec(code)).find(Boolean);
  if (bad) {
    throw new Error(`dist/renderer.js contains "${code.slice(Math.max(0, bad.index - 60), bad.index + 60)}": the notebook renderer must not evaluate strings (use vega-interpreter)`);
  }
  return outfile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
  for (const out of [await buildRenderer(root), await buildVegaNode(root)]) console.log(`${path.relative(root, out)}: ${(fs.statSync(out).size / 1024).toFixed(0)} KiB`);
}

/**
 * vega and vega-lite as one ES module for Node (dist/vega-node.mjs): charts/render.ts falls back to it where they
 * cannot be imported from node_modules, as in a packaged extension (.vscodeignore ships dist/ only), so notebook
 * outputs keep their SVG fallbacks there. ESM output allows vega-canvas's top-level await; the optional native
 * 'canvas' package stays external (SVG rendering needs no canvas).
 */
export async function buildVegaNode(root) {
  const outfile = path.join(root, 'dist', 'vega-node.mjs');
  await esbuild.build({
    absWorkingDir: root,
    stdin: { contents: "export * as vega from 'vega';\nexport * as vl from 'vega-lite';\n", resolveDir: root, loader: 'js', sourcefile: 'vega-node.mjs' },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    external: ['canvas'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}
