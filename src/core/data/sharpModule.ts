/**
 * sharp (libvips, prebuilt per platform) loaded on first use, so a process that never decodes an image never maps
 * libvips. Its native library must be loaded by a process's main thread before any worker thread uses it (a worker
 * that exits would otherwise unload it under the others): hosts that start workers call `preloadSharp` first.
 */
import { createRequire } from 'node:module';
import type sharpFunction from 'sharp';
import { InputError } from '../inputError';

export type Sharp = typeof sharpFunction;

let loaded: Sharp | undefined;
let failure: string | undefined;

/** How many images a decoder keeps in flight: libvips runs each on one thread of libuv's pool. */
export const DECODE_CONCURRENCY = 8;

export function sharpModule(): Sharp {
  if (loaded) return loaded;
  if (failure === undefined) {
    try {
      const mod = createRequire(__filename)('sharp') as Sharp & { default?: Sharp };
      loaded = mod.default ?? mod;
      // One libvips thread per image: many small images in flight use the cores better than one split up.
      loaded.concurrency(1);
      loaded.cache(false);
      return loaded;
    } catch (e) {
      failure = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    }
  }
  throw new InputError(
    `the image decoder (sharp) cannot load on this platform (${process.platform}-${process.arch}): ${failure}; ` +
      'reinstall Data Diet (npm ci) so that the prebuilt decoder for this platform is installed',
  );
}

/** Loads sharp on the calling (main) thread if it can; never throws. */
export function preloadSharp(): void {
  try {
    sharpModule();
  } catch {
    /* the first decode reports it */
  }
}
