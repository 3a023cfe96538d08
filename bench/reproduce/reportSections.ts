/**
 * The report's sections for one dataset, in the order of the papers' claims. Each section reads its steps' runs
 * (studyReads.ts), writes its figures and tables, and adds its rows to the verdict table.
 */
import type { StepState } from './studyDriver';
import type { DatasetStudy, StudyConfig } from './studyConfig';
import type { ReportFiles } from './reportFiles';
import { scoresSection } from './sections/scoresSection';
import { pruningSection } from './sections/pruningSection';
import { windowSection } from './sections/windowSection';
import { dynamicsSection } from './sections/dynamicsSection';
import { transferSection } from './sections/transferSection';
import { gradientImportanceSection } from './sections/gradientImportanceSection';
import type { Verdict } from './verdicts';

export interface SectionContext {
  readonly d: DatasetStudy;
  readonly cfg: StudyConfig;
  /** The state of this dataset's step by name (STEP.*). */
  readonly step: (name: string) => StepState | undefined;
  readonly files: ReportFiles;
  /** Adds a row to the verdict table. */
  readonly verdict: (v: Omit<Verdict, 'dataset'>) => void;
}

export async function datasetSections(d: DatasetStudy, cfg: StudyConfig, states: readonly StepState[], files: ReportFiles, verdicts: Verdict[]): Promise<string[]> {
  const ctx: SectionContext = {
    d,
    cfg,
    step: (name) => states.find((s) => s.step.id === `${d.name}/${name}`),
    files,
    verdict: (v) => verdicts.push({ dataset: d.name, ...v }),
  };
  const lines = [`## ${d.dataset}`, ''];
  for (const section of [scoresSection, pruningSection, windowSection, dynamicsSection, transferSection, gradientImportanceSection]) lines.push(...(await section(ctx)));
  return lines;
}
