/**
 * How a run's dataset is named in listings. Built-in datasets by name; anything read from disk by its kind, the last
 * two parts of its path, and the first 8 hex digits of its content fingerprint: two folders both called `data`
 * (or one folder whose images changed) never read the same.
 */
import type { RunManifest } from '../contract/runManifest';

const BUILT_IN = /^(mnist|fashion-mnist)$/i;

/** `folder:/home/me/shoes/data` -> `folder:shoes/data`; a bare path keeps no kind. */
export function shortSpec(spec: string): string {
  const m = /^([A-Za-z0-9-]{2,}):(.*)$/s.exec(spec);
  const [kind, p] = m ? [`${m[1]}:`, m[2]] : ['', spec];
  const parts = p.split(/[\\/]+/).filter(Boolean);
  return `${kind}${parts.length > 2 ? parts.slice(-2).join('/') : p}`;
}

export function datasetLabel(m: Pick<RunManifest, 'dataset' | 'config'>): string {
  const spec = m.dataset?.spec ?? (typeof m.config.dataset === 'string' ? m.config.dataset : '');
  if (BUILT_IN.test(spec.trim())) return spec.trim().toLowerCase();
  const fp = m.dataset?.fingerprint ? ` #${m.dataset.fingerprint.slice(0, 8)}` : '';
  return `${shortSpec(spec.replace(/[\\/]+$/, ''))}${fp}`;
}
