// Which score runs have recorded predictions, and which one belongs to a label manifest (the suspects themselves are
// read in the workers: the review queue's and the manifest editor's).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { predictionsDir } from '../../core/annotations/predictions';
import { findScoreRunForManifest } from '../../core/annotations/manifestReview';

export class SuspectCache {
  hasPredictions(runDir: string): boolean {
    return fs.existsSync(path.join(predictionsDir(runDir), 'softmax.parquet'));
  }

  runForManifest(root: string, manifest: string): string | undefined {
    return findScoreRunForManifest(root, manifest, (d) => this.hasPredictions(d));
  }
}
