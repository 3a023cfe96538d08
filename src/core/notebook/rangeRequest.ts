import { galleryPayload, type GalleryInput } from './galleryPayload';
import type { RangeGalleryMessage, RequestRangeMessage } from './mime';

/**
 * The extension's answer to a renderer's `requestRange` (a brushed histogram): the gallery of every class in the
 * brushed score range, from the run's full score table rather than the histogram's embedded sample. Pure: the caller
 * loads the score table and images of `req.runId` / `req.score` and posts the result back to the renderer.
 */
export const DEFAULT_RANGE_ITEMS = 2000;

export function answerRangeRequest(req: RequestRangeMessage, input: Omit<GalleryInput, 'selection' | 'score' | 'source'>): RangeGalleryMessage {
  try {
    const gallery = galleryPayload({
      maxItems: DEFAULT_RANGE_ITEMS,
      ...input,
      score: req.score,
      selection: { mode: 'range', lo: req.lo, hi: req.hi, ...(req.perClass !== undefined ? { perClass: req.perClass } : {}) },
      source: { runId: req.runId, score: req.score },
    });
    return { type: 'rangeGallery', requestId: req.requestId, gallery };
  } catch (e) {
    return { type: 'rangeGallery', requestId: req.requestId, error: (e as Error).message ?? String(e) };
  }
}
