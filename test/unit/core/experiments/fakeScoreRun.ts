import { createRun } from '../../../../src/core/store/runStore';
import { scoresDir, writeScoreTable } from '../../../../src/core/store/scoreFiles';

/** A finished score run with the given tables (score = mean of the per-run columns), as the score job writes it. */
export function fakeScoreRun(root: string, tables: { name: string; index: Int32Array; label: Int32Array; perRun: Float32Array[]; extra?: Record<string, Float32Array> }[], numClasses = 10, config: Record<string, unknown> = {}): string {
  const run = createRun(root, { kind: 'score', config: { scores: tables.map((t) => t.name), ...config }, seeds: {}, versions: {} });
  for (const t of tables) {
    const score = Float32Array.from(t.index, (_, i) => t.perRun.reduce((s, r) => s + r[i], 0) / t.perRun.length);
    writeScoreTable(scoresDir(run.dir), t.name, { name: t.name, index: t.index, label: t.label, score, perRun: t.perRun, extra: t.extra });
  }
  run.finish('done', { dataset: { spec: 'x', name: 'x', fingerprint: 'a'.repeat(64), shape: [1, 1, 1], numClasses, trainSize: tables[0].index.length, valSize: 0, testSize: 0 } });
  return run.id;
}
