// Worker thread of the manifest editor features (dist/manifestWorker.js): parses a label manifest as the user types
// and joins it with its score run's suspects (a parquet table read once per run and threshold), away from the
// extension host. Requests carry an id; answers echo it.
import type { SuspectMethod } from '../contract/choices';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { reviewManifestText, type ManifestReview } from '../core/annotations/manifestReview';
import { predictionsDir } from '../core/annotations/predictions';
import { loadRunSuspects, type RunSuspects } from '../core/annotations/runSuspects';
import { scorePercentiles } from '../core/annotations/suspects';
import { readRun } from '../core/store/runStore';

export interface ManifestRequest {
  readonly id: number;
  readonly manifestFile: string;
  readonly text: string;
  readonly runDir: string;
  readonly threshold: number;
  readonly method?: SuspectMethod;
}

export type ManifestReply = { readonly id: number; readonly review?: ManifestReview } | { readonly id: number; readonly error: string };

interface CachedRun {
  readonly key: string;
  readonly suspects: RunSuspects;
  readonly percentiles?: Float32Array;
  readonly classNames?: readonly string[];
}

const port = parentPort;
if (port) {
  const runs = new Map<string, CachedRun>();
  const runOf = (runDir: string, threshold: number, method?: SuspectMethod): CachedRun => {
    const key = `${fs.statSync(path.join(predictionsDir(runDir), 'softmax.parquet')).mtimeMs}:${threshold}:${method ?? ''}`;
    const hit = runs.get(runDir);
    if (hit?.key === key) return hit;
    const suspects = loadRunSuspects(runDir, { threshold, ...(method ? { method } : {}) });
    const value: CachedRun = { key, suspects, percentiles: suspects.score ? scorePercentiles(suspects.score.score) : undefined, classNames: readRun(runDir).manifest?.dataset?.classNames };
    runs.set(runDir, value);
    return value;
  };
  port.on('message', (m: ManifestRequest) => {
    try {
      const run = runOf(m.runDir, m.threshold, m.method);
      const review = reviewManifestText(m.manifestFile, m.text, run.suspects, run.classNames, run.percentiles);
      port.postMessage({ id: m.id, ...(review ? { review } : {}) } satisfies ManifestReply);
    } catch (e) {
      port.postMessage({ id: m.id, error: (e as Error).message } satisfies ManifestReply);
    }
  });
}
