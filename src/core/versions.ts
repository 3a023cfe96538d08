import * as tf from '@tensorflow/tfjs-core';

// Filled in by esbuild (define) in bundles; tests run from sources and read package.json instead.
declare const __DATADIET_VERSION__: string | undefined;

export function datadietVersion(): string {
  if (typeof __DATADIET_VERSION__ === 'string') return __DATADIET_VERSION__;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function versions(): Record<string, string> {
  return {
    datadiet: datadietVersion(),
    tfjs: tf.version_core,
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
  };
}
