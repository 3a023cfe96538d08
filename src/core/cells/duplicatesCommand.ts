/** The `duplicates` cell command (part of the command table, commands.ts); executed by duplicatesCell.ts. */
import { DUPLICATE_THRESHOLDS } from '../../contract/jobDefaults';
import { KNN_METHODS } from '../../contract/choices';
import type { CommandSpec } from './commands';

export const DUPLICATES_COMMAND: CommandSpec = {
  name: 'duplicates',
  summary: 'Exact and near duplicates of a dataset, train and test alike, as a gallery: train/test leakage and label conflicts first.',
  doc:
    'With `run` naming a duplicates run, shows it. With `dataset=`, compares perceptual thumbnails of every image (resized and re-encoded copies stay similar); with `run` naming a score run, compares its embeddings (the rows it scored) on its dataset. A finished duplicates run with the same settings is shown; otherwise one is made as an engine job (`datadiet duplicates`). Each group shows its copies with their similarity to its first image, split, row and file.',
  example: 'duplicates dataset=folder:photos image-size=64',
  positional: [],
  long: true,
  args: [
    { name: 'dataset', kind: { type: 'text' }, doc: 'Dataset spec: `mnist`, `cifar10:<dir>`, `folder:<dir>`, `csv:<file>` or a path.' },
    { name: 'image-size', kind: { type: 'int', min: 4, max: 1024 }, doc: 'Bring every image to this many pixels square (needed when image sizes differ).' },
    { name: 'resize', kind: { type: 'enum', values: ['crop', 'pad'] }, doc: 'With image-size: crop (centre, as torchvision Resize + CenterCrop) or pad (whole image, black borders).', default: 'crop' },
    { name: 'run', kind: { type: 'run', kinds: ['duplicates', 'score'] }, doc: 'A duplicates run (shown), or a score run whose embeddings are compared.' },
    { name: 'threshold', kind: { type: 'number', min: 0, max: 1 }, doc: `Lowest cosine similarity of near duplicates (default ${DUPLICATE_THRESHOLDS.thumbnails} for thumbnails, ${DUPLICATE_THRESHOLDS.embeddings} for embeddings; 1 = exact copies only).` },
    { name: 'knn', kind: { type: 'enum', values: KNN_METHODS }, doc: 'Nearest-neighbour search: exact, hnsw (approximate index), or auto (by size).', default: 'auto' },
    { name: 'groups', kind: { type: 'int', min: 1, max: 100000 }, doc: 'At most this many groups shown (most urgent first).', default: '200' },
    { name: 'fresh', kind: { type: 'bool' }, default: 'false', doc: 'Search again even when a matching duplicates run exists.' },
  ],
};
