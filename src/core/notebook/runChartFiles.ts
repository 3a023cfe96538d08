import * as path from 'node:path';
import { writeFileAtomic } from '../store/atomicWrite';
import { chartSvg } from './fallbacks';
import { runChartPayloads } from './runChartPayloads';

/** File names of the per-run training charts in the run folder. */
export const TRAINING_CURVES_SVG = 'training-curves.svg';
export const CONFUSION_SVG = 'confusion.svg';

/**
 * Renders the run's training curves and confusion matrix (where their data is in the folder) to SVG files next to
 * them, the same pictures as the notebook fallbacks. Returns the files written; a chart that fails to render is
 * reported on `err` and skipped, never fatal: the run itself is done.
 */
export async function writeRunChartSvgs(runDir: string, err: NodeJS.WritableStream = process.stderr): Promise<string[]> {
  const written: string[] = [];
  let p: ReturnType<typeof runChartPayloads>;
  try {
    p = runChartPayloads(runDir);
  } catch (e) {
    err.write(`datadiet: no training charts: ${(e as Error).message}\n`);
    return written;
  }
  const jobs: [string, () => Promise<string>][] = [];
  if (p.trainingCurves) jobs.push([TRAINING_CURVES_SVG, () => chartSvg('trainingCurves', p.trainingCurves!)]);
  if (p.confusionMatrix) jobs.push([CONFUSION_SVG, () => chartSvg('confusionMatrix', p.confusionMatrix!)]);
  for (const [name, svg] of jobs) {
    const file = path.join(runDir, name);
    try {
      writeFileAtomic(file, await svg());
      written.push(file);
    } catch (e) {
      err.write(`datadiet: could not render ${name} (${(e as Error).message})\n`);
    }
  }
  return written;
}
