import type { GalleryPayload } from './mime';

/** Texts of a gallery shared by the renderer and the fallbacks (pure, no DOM, no Node). */

/** A score in 3 significant digits, exponent form for very large or small magnitudes. */
export function fmtScore(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(2) : v.toPrecision(3);
}

export function galleryTitle(p: GalleryPayload): string {
  if (p.title) return p.title;
  const s = p.selection;
  if (s.mode === 'lowest' || s.mode === 'highest') return `Examples with the ${s.mode} ${p.score}, ${s.perClass} per class`;
  if (s.mode === 'percentile') return `Examples with ${p.score} between the ${s.lo}th and ${s.hi}th percentile`;
  return `Examples with ${p.score} in [${fmtScore(s.lo)}, ${fmtScore(s.hi)}]`;
}

/** Thumbnails are shown only as PNG data: URIs: no remote fetches, no file URLs, no script-bearing formats. */
export const PNG_DATA_URI = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;
