/**
 * vega-lite 6 publishes its types only through package.json "exports", which this project's
 * `moduleResolution: "node"` does not read. Point the bare name at the real declarations so that
 * `import type { TopLevelSpec } from 'vega-lite'` type-checks. (vega ships a root index.d.ts and needs no shim.)
 * Remove this file if the project moves to `moduleResolution: "bundler"` / "node16".
 */
declare module 'vega-lite' {
  export * from 'vega-lite/build/index';
}
