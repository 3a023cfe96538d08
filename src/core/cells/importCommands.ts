/**
 * Cell commands that import a user's own .npy files as a run (`datadiet import-predictions` / `import-scores`):
 * part of the command table (commands.ts). Paths are relative to the workspace folder. They run as engine jobs, so
 * they need a trusted workspace, like the cells that train.
 */
import type { ArgSpec, CommandSpec } from './commands';

const dataset: ArgSpec = { name: 'dataset', kind: { type: 'text' }, required: true, doc: 'The dataset the rows follow: `mnist`, `cifar10:<dir>`, `folder:<dir>`, `csv:<file>` or a path (relative to the workspace folder).' };
const name: ArgSpec = { name: 'name', kind: { type: 'text' }, doc: 'A label for the run in listings (e.g. the model that made the file).' };
const imageSize: ArgSpec = { name: 'image-size', kind: { type: 'int', min: 4, max: 1024 }, doc: 'Bring every image to this many pixels square (needed when image sizes differ; prune and window over the run reuse it).' };
const resize: ArgSpec = { name: 'resize', kind: { type: 'enum', values: ['crop', 'pad'] }, default: 'crop', doc: 'With image-size: crop (centre, as torchvision Resize + CenterCrop) or pad (whole image, black borders).' };

export const IMPORT_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'import-predictions',
    summary: "Imports your own model's predictions (an N x classes .npy) as a run, and says how many label issues they show.",
    doc: 'The notebook form of `datadiet import-predictions`. One row per example in the dataset\'s order: for a manifest or a flat folder every example in the source\'s order, for datasets with their own splits the training split (or the training split, then the test split). The run is read like a score run\'s predictions: suspects (confident learning, unless `in-sample=true`), the review queue and the manifest hints.',
    example: 'import-predictions dataset=data/labels.csv probs=out/probs.npy',
    positional: [],
    long: true,
    args: [
      dataset,
      { name: 'probs', kind: { type: 'text' }, required: true, doc: 'The .npy of probabilities (float32 or float64), N x classes, relative to the workspace folder.' },
      { name: 'logits', kind: { type: 'bool' }, default: 'false', doc: 'The file holds logits (scores before softmax): each row is softmaxed.' },
      { name: 'embeddings', kind: { type: 'text' }, doc: 'An N x D .npy of the same rows\' embeddings, kept with the predictions.' },
      { name: 'in-sample', kind: { type: 'bool' }, default: 'false', doc: 'The model trained on these examples: suspects then use the threshold instead of confident learning.' },
      name,
      imageSize,
      resize,
    ],
  },
  {
    name: 'import-scores',
    summary: 'Imports your own per-example scores (each an (N,) .npy) as a score run, then shows the histogram of the first.',
    doc: 'The notebook form of `datadiet import-scores`. Each score is `name=file` (relative to the workspace folder), several separated by commas. The run is a score run: `histogram`, `gallery`, `compare`, `prune` and `window` read it.',
    example: 'import-scores dataset=mnist scores=el2n=out/el2n.npy,aum=out/aum.npy',
    positional: [],
    long: true,
    args: [dataset, { name: 'scores', kind: { type: 'text' }, required: true, doc: 'Comma-separated `name=file` pairs: the name each score gets, then its .npy file.' }, name, imageSize, resize],
  },
];
