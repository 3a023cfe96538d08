/**
 * The `map` cell command (part of the command table, commands.ts): a 2-D map of a score run's examples, executed by
 * mapCell.ts.
 */
import { MAP_COLORS, MAP_METHODS } from '../../contract/notebookMime';
import type { CommandSpec } from './commands';

/** Runs a map reads: they record predictions (and embeddings) next to their score tables. */
/** Runs a map reads: a score run's (in-sample) or an audit's (out-of-sample) predictions; `latest` is the newest. */
export const MAP_RUN_KINDS: readonly string[] = ['score', 'audit'];

export const MAP_COMMAND: CommandSpec = {
  name: 'map',
  summary: "2-D map of a run's examples (UMAP or PCA of their embeddings), coloured by label, prediction, a score or suspicion; brush a region to see its images.",
  doc:
    'Projects `predictions/embeddings.npy` of a score run (the features of each scored example), or, for a run without embeddings, its predicted probabilities (the output says so). UMAP keeps neighbourhoods: look-alikes cluster, and a mislabeled example sits inside another class\'s cluster; PCA is the linear, deterministic view. Flagged suspects are ringed. Large runs are mapped on a seeded sample of `points` examples; UMAP of more than 50 features runs on their top 50 principal components. Drag a rectangle on the map to see the examples in it below, with their label, prediction and score; the colouring can be switched above the map.',
  example: 'map run=latest method=umap color=suspicion',
  positional: ['method'],
  args: [
    { name: 'run', kind: { type: 'run', kinds: MAP_RUN_KINDS }, default: 'latest', doc: 'Score run to map: `latest` or a run id.' },
    { name: 'method', kind: { type: 'enum', values: [...MAP_METHODS] }, default: 'umap', doc: 'umap (neighbourhoods, clusters; seeded) or pca (the plane of largest variance; quick and exact).' },
    { name: 'color', kind: { type: 'enum', values: [...MAP_COLORS] }, default: 'label', doc: 'What colours the points first: the recorded label, the predicted class, the `score` table, or suspicion (how much the model prefers another class than the label).' },
    { name: 'score', kind: { type: 'score' }, default: 'el2n', doc: "Score table for `color=score` and the gallery's captions (default el2n, else the run's first score)." },
    { name: 'points', kind: { type: 'int', min: 10, max: 200_000 }, default: '5000', doc: 'At most this many examples are mapped: a seeded sample of larger runs. UMAP time grows with it (in JavaScript, about half a minute for 5,000 on two cores; PCA takes a second).' },
    { name: 'neighbors', kind: { type: 'int', min: 2, max: 200 }, default: '15', doc: 'UMAP: neighbours per point (larger: more global structure).' },
    { name: 'seed', kind: { type: 'int', min: 0, max: 2 ** 31 - 1 }, default: '0', doc: 'Root seed of the sample of points and of UMAP (same seed, same map).' },
  ],
};
