/**
 * Cell commands that show the analysis and training-dynamics experiments (`datadiet analyze ...`, `datadiet
 * velocity|barrier`): part of the command table (commands.ts), kept apart because they read other run kinds.
 * `entropy` and `overlap` only need a score run, so they also compute their table as an engine job; the others
 * train models of their own and are run from the CLI (the cell shows their run).
 */
import type { ArgSpec, CommandSpec } from './commands';

const run = (kinds: readonly string[], doc: string): ArgSpec => ({ name: 'run', kind: { type: 'run', kinds }, default: 'latest', doc });
const fresh: ArgSpec = { name: 'fresh', kind: { type: 'bool' }, default: 'false', doc: 'Compute a new table even when a matching one exists.' };

export const ANALYSIS_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'entropy',
    summary: 'Label entropy of the top-k examples against k, per score, with a random ranking as reference.',
    doc: 'Low entropy at small k: the highest scores crowd into a few classes (Vodrahalli et al. 2018). With an entropy run, shows it; with a score run, shows a finished entropy table of that run or computes one (`datadiet analyze entropy`). `run=latest` takes the newest entropy or score run.',
    example: 'entropy run=latest scores=el2n,grand',
    positional: [],
    long: true,
    args: [
      run(['entropy', 'score'], 'An entropy run (shown) or the score run to analyse.'),
      { name: 'scores', kind: { type: 'scoreList' }, doc: 'Score tables drawn (default: every score of the run).' },
      fresh,
    ],
  },
  {
    name: 'overlap',
    summary: 'Overlap of two top-k sets against k: the runs kept in a score run, or two of its scores; chance is k/N.',
    doc: 'How much two independent trainings (or two scores) agree on which examples score highest. With an overlap run, shows it; with a score run, shows a finished overlap table of that run or computes one (`datadiet analyze overlap`): the per-run columns of `score`, or `score` against `against`.',
    example: 'overlap run=latest score=el2n against=grand',
    positional: [],
    long: true,
    args: [
      run(['overlap', 'score'], 'An overlap run (shown) or the score run to analyse.'),
      { name: 'score', kind: { type: 'score' }, doc: "Score table (default: the run's first score)." },
      { name: 'against', kind: { type: 'score' }, doc: 'A second score table of the same run: compare the two scores instead of the runs.' },
      fresh,
    ],
  },
  {
    name: 'heatmap',
    summary: 'Gradient norm of sampled examples at initialization and after every epoch (a heatmap, log color).',
    doc: 'Shows a grad-heatmap run (`datadiet analyze heatmap`): rows are examples, largest final gradient first.',
    example: 'heatmap run=latest',
    positional: [],
    args: [run(['grad-heatmap'], 'A grad-heatmap run: `latest` or a run id.')],
  },
  {
    name: 'gradsum',
    summary: 'Norm of the summed gradients of a minibatch against the sum of their norms, per epoch (scatter).',
    doc: 'Shows a grad-sum run (`datadiet analyze gradsum`): points below the diagonal are minibatches whose gradients cancel. The last measured epoch is drawn on top of the earlier ones.',
    example: 'gradsum run=latest',
    positional: [],
    args: [run(['grad-sum'], 'A grad-sum run: `latest` or a run id.')],
  },
  {
    name: 'velocity',
    summary: 'Kernel velocity along the score-sorted data: how fast the NTK of each window of examples moves, per epoch.',
    doc: 'Shows a kernel-velocity run (`datadiet velocity`): x is where a window starts among the examples sorted by ascending score, y the cosine distance between its Gram matrices at epochs t and t + 1.',
    example: 'velocity run=latest',
    positional: [],
    args: [run(['kernel-velocity'], 'A kernel-velocity run: `latest` or a run id.')],
  },
  {
    name: 'barrier',
    summary: 'Linear-mode-connectivity error barrier against the spawn step, for the highest-, lowest-scoring and random subsets.',
    doc: 'Shows an error-barrier run (`datadiet barrier`): the mean barrier over children pairs at each spawn step, per evaluation set.',
    example: 'barrier run=latest',
    positional: [],
    args: [run(['error-barrier'], 'An error-barrier run: `latest` or a run id.')],
  },
];
