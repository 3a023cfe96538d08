// Suspects of score runs and the review state of label manifests, cached per run (reading a run's predictions
// parses a parquet table; a manifest edit only re-joins rows).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRunSuspects, type RunSuspects } from '../../core/annotations/runSuspects';
import { scorePercentiles } from '../../core/annotations/suspects';
import { predictionsDir } from '../../core/annotations/predictions';
import { findScoreRunForManifest } from '../../core/annotations/manifestReview';
import { readRun } from '../../core/store/runStore';

export interface CachedRun {
  readonly suspects: RunSuspects;
  readonly percentiles?: Float32Array;
  readonly classNames?: readonly string[];
  readonly datasetSpec: string;
}

export class SuspectCache {
  private readonly runs = new Map<string, { key: string; value: CachedRun }>();

  hasPredictions(runDir: string): boolean {
    return fs.existsSync(path.join(predictionsDir(runDir), 'softmax.parquet'));
  }

  /** The run's suspects at `threshold`; re-read when its predictions file changes. */
  run(runDir: string, threshold: number): CachedRun {
    const file = path.join(predictionsDir(runDir), 'softmax.parquet');
    const key = `${fs.statSync(file).mtimeMs}:${threshold}`;
    const hit = this.runs.get(runDir);
    if (hit?.key === key) return hit.value;
    const m = readRun(runDir).manifest;
    const suspects = loadRunSuspects(runDir, { threshold });
    const value: CachedRun = {
      suspects,
      percentiles: suspects.score ? scorePercentiles(suspects.score.score) : undefined,
      classNames: m?.dataset?.classNames,
      datasetSpec: m?.dataset?.spec ?? String(m?.config.dataset ?? ''),
    };
    this.runs.set(runDir, { key, value });
    return value;
  }

  runForManifest(root: string, manifest: string): string | undefined {
    return findScoreRunForManifest(root, manifest, (d) => this.hasPredictions(d));
  }
}
