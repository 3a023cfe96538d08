/**
 * The results notebook a user gets for a run: an nbformat 4 .ipynb whose code cells are Data Diet cells. The
 * notebook's language is `datadiet`, so VS Code's built-in ipynb support gives its cells our language (completions,
 * hovers, diagnostics) and offers the Data Diet kernel first.
 */
import type { RunInfo } from './runRef';

export const CELL_LANGUAGE = 'datadiet';

export interface NotebookCellSource {
  readonly kind: 'markdown' | 'code';
  readonly source: string;
}

/** nbformat wants source as lines, each but the last ending in a newline. */
function lines(text: string): string[] {
  const ls = text.split('\n');
  return ls.map((l, i) => (i < ls.length - 1 ? l + '\n' : l)).filter((l) => l !== '');
}

/** An .ipynb (nbformat 4.5) with the given cells and no outputs, as pretty JSON text. */
export function notebookJson(cells: readonly NotebookCellSource[]): string {
  const nb = {
    cells: cells.map((c, i) =>
      c.kind === 'markdown'
        ? { cell_type: 'markdown', id: `cell-${i}`, metadata: {}, source: lines(c.source) }
        : { cell_type: 'code', id: `cell-${i}`, execution_count: null, metadata: {}, outputs: [], source: lines(c.source) },
    ),
    metadata: {
      kernelspec: { name: 'datadiet', display_name: 'Data Diet', language: CELL_LANGUAGE },
      language_info: { name: CELL_LANGUAGE },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + '\n';
}

/** Starter cells for a run: what is worth looking at first for its kind. */
/** Run kinds whose results notebook shows more than the runs table (charts, galleries). */
export const RESULTS_KINDS: readonly string[] = ['train', 'score', 'audit', 'prune', 'window', 'duplicates'];

export function hasResultsNotebook(kind: string | undefined): boolean {
  return kind !== undefined && RESULTS_KINDS.includes(kind);
}

export function starterCells(run: RunInfo): NotebookCellSource[] {
  const head: NotebookCellSource = {
    kind: 'markdown',
    source: `# Data Diet: ${run.kind} run \`${run.id}\`\n\nCells are Data Diet commands (one per line, \`key=value\` arguments, \`#\` comments). Run them with the **Data Diet** kernel; hover a word for its docs, and press Ctrl+Space for completions.`,
  };
  if (run.kind === 'prune' || run.kind === 'window') {
    return [head, { kind: 'code', source: `${run.kind} run=${run.id}` }, { kind: 'code', source: 'runs' }];
  }
  if (run.kind === 'train') {
    return [head, { kind: 'code', source: `training run=${run.id}` }, { kind: 'code', source: `confusion run=${run.id}` }, { kind: 'code', source: 'runs kind=train' }];
  }
  if (run.kind === 'duplicates') return [head, { kind: 'code', source: `duplicates run=${run.id}` }, { kind: 'code', source: 'runs kind=duplicates' }];
  if (run.kind === 'audit') return [head, ...auditCells(run)];
  if (run.kind !== 'score') return [head, { kind: 'code', source: 'runs' }];
  if (run.scores?.length === 0 && run.config?.imported) {
    // Imported predictions: no score tables to draw; their suspects are read in the review queue, and mapped.
    const review = `Imported predictions: their suspected label issues are in the review queue (**Data Diet: Open Review Queue**, or \`datadiet suspects --run ${run.id}\`). Import scores to draw histograms and galleries: \`import-scores dataset=... scores=name=file.npy\`.`;
    const map = `# a 2-D map of the examples (their embeddings, else the predicted probabilities), suspects ringed\nmap umap color=suspicion run=${run.id}`;
    return [head, { kind: 'markdown', source: review }, { kind: 'code', source: map }, { kind: 'code', source: 'runs kind=score' }];
  }
  const scores = run.scores?.length ? run.scores : ['el2n'];
  const s = scores[0];
  const noisy = run.config?.labelNoise !== undefined && Number(run.config.labelNoise) > 0;
  const cells: NotebookCellSource[] = [
    head,
    { kind: 'code', source: `histogram ${s} run=${run.id} by=${noisy ? 'noise' : 'class'}` },
    { kind: 'code', source: `# the hardest (possibly mislabeled) examples of each class\ngallery ${s} highest per-class=8 run=${run.id}` },
    { kind: 'code', source: `# the easiest: candidates to prune\ngallery ${s} lowest per-class=8 run=${run.id}` },
  ];
  if (scores.length > 1) cells.push({ kind: 'code', source: `compare ${scores[0]} ${scores[1]} run=${run.id}` });
  cells.push({ kind: 'code', source: `# a 2-D map of the examples (UMAP, half a minute): a mislabeled one sits in another class's cluster;\n# drag a rectangle to see its images\nmap umap color=suspicion run=${run.id}` });
  if (run.results?.embeddings) cells.push({ kind: 'code', source: `# near copies among these examples by the run's embeddings; exact copies across train and test\nduplicates run=${run.id}` });
  cells.push({ kind: 'code', source: `# trains models: takes a while; interrupt to stop (finished trainings are kept)\nprune run=${run.id} score=${s} fractions=0.3,0.5,0.7 strategy=keep-top,random seeds=2` });
  return cells;
}

/** An audit: its issues by label quality, the quality's distribution, and the map with the flagged rows ringed. */
function auditCells(run: RunInfo): NotebookCellSource[] {
  const noisy = run.config?.labelNoise !== undefined && Number(run.config.labelNoise) > 0;
  const review = `Confident learning flagged the rows below from out-of-fold probabilities; walk them in the review queue (**Data Diet: Open Review Queue**, or \`datadiet suspects --run ${run.id}\`) and your decisions go to the dataset's annotations.jsonl.`;
  return [
    { kind: 'markdown', source: review },
    { kind: 'code', source: `# the least self-confident rows of each class: the likeliest label errors\ngallery label-quality lowest per-class=8 run=${run.id}` },
    { kind: 'code', source: `histogram label-quality run=${run.id} by=${noisy ? 'noise' : 'class'}` },
    { kind: 'code', source: `# a 2-D map of the rows (their out-of-fold probabilities, or embeddings), issues ringed; drag a rectangle to see them\nmap umap color=suspicion run=${run.id}` },
    { kind: 'code', source: 'runs kind=audit' },
  ];
}
