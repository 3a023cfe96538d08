import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Headless SVG rendering in Node: Vega-Lite -> Vega (vega-lite `compile`) -> a Vega View with the 'none' renderer
 * -> `toSVG()`. SVG needs no fonts and no canvas (text widths are estimated).
 *
 * Loading: vega and vega-lite 6 are ES modules only, and they cannot be bundled into this project's CommonJS
 * bundles as things stand: vega-lite imports from 'vega', and vega pulls in vega-canvas, whose Node build uses a
 * top-level `await import('canvas')` that esbuild refuses in CJS output. So both are loaded at run time with a
 * native `import()` whose specifier esbuild cannot see (a function parameter), resolved from node_modules.
 * To bundle them instead, resolve 'vega-canvas' to its browser build (build/vega-canvas.browser.js, no TLA;
 * it only returns null canvases in Node, which SVG output does not need) with an esbuild onResolve plugin in
 * scripts/esbuild-common.mjs, and switch `load()` below to static imports.
 */

const importEsm = (specifier: string): Promise<unknown> => import(specifier);

let loaded: Promise<{ vega: typeof Vega; vl: typeof VegaLite }> | undefined;

/** vega-node.mjs next to the running bundle: both packages in one ES module (scripts/build-renderer.mjs). */
export const BUNDLED_VEGA = 'vega-node.mjs';

/**
 * vega and vega-lite, loaded once: from node_modules, else from dist/vega-node.mjs (a packaged extension ships
 * dist/ without node_modules).
 */
export function loadVega(): Promise<{ vega: typeof Vega; vl: typeof VegaLite }> {
  loaded ??= Promise.all([importEsm('vega'), importEsm('vega-lite')])
    .catch(async (e: unknown) => {
      const bundled = path.join(__dirname, BUNDLED_VEGA);
      if (!fs.existsSync(bundled)) throw e;
      const m = (await importEsm(pathToFileURL(bundled).href)) as { vega: unknown; vl: unknown };
      return [m.vega, m.vl];
    })
    .then(([vega, vl]) => ({ vega: vega as typeof Vega, vl: vl as typeof VegaLite }));
  return loaded;
}

export interface CompiledSpec {
  vega: Vega.Spec;
  /** Warnings from the Vega-Lite compiler (a correct builder produces none). */
  warnings: string[];
}

/** Vega-Lite -> Vega, collecting the compiler's warnings instead of printing them. */
export async function compileSpec(spec: TopLevelSpec): Promise<CompiledSpec> {
  const { vl } = await loadVega();
  const warnings: string[] = [];
  let level = 2;
  const logger: Vega.LoggerInterface = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: unknown[]) {
      throw new Error(args.map(String).join(' '));
    },
    warn(...args: unknown[]) {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  const out = vl.compile(spec, { logger });
  return { vega: out.spec, warnings };
}

/** Render a Vega-Lite spec to an SVG document string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { vega } = await loadVega();
  const { vega: vgSpec } = await compileSpec(spec);
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
