// One realistic payload of every kind, made by the builders (shared by the schema and fallback tests).
import { entropyPayload, heatmapPayload, overlapPayload, scatterPayload } from '../../../../src/core/notebook/analysisPayloads';
import { galleryPayload } from '../../../../src/core/notebook/galleryPayload';
import { duplicatesGallery } from '../../../../src/core/notebook/duplicatesPayload';
import { thumbnailDataUri } from '../../../../src/core/notebook/thumbnail';
import { histogramPayload } from '../../../../src/core/notebook/histogramPayload';
import type { PayloadByKind, PayloadKind } from '../../../../src/core/notebook/mime';
import { pruningCurvePayload, windowSweepPayload } from '../../../../src/core/notebook/sweepPayloads';
import { PRUNE_RESULTS, table, WINDOW_RESULTS } from './fixtures';
import { mapCasePayload } from './mapFixture';

export type Case = { [K in PayloadKind]: { kind: K; name: string; payload: PayloadByKind[K] } }[PayloadKind];

export function payloadCases(): Case[] {
  const t = table(1000);
  const source = { runId: '2026-12-01-score-abc', score: 'el2n' };
  const twice = Float32Array.from(t.values, (v, i) => v + (i % 7) * 0.01);
  return [
    { kind: 'histogram', name: 'histogram', payload: histogramPayload({ score: 'EL2N', values: t.values, labels: t.labels }) },
    { kind: 'histogram', name: 'histogram by noise, with examples', payload: histogramPayload({ score: 'EL2N', values: t.values, labels: t.labels, index: t.index, split: { name: 'corrupted', member: t.corrupted, rest: 'clean' }, source, examples: { thumbs: t.images, perBin: 4, predicted: t.predicted, corrupted: t.corrupted } }) },
    { kind: 'histogram', name: 'histogram by class, normalized', payload: histogramPayload({ score: 'EL2N', values: t.values, labels: t.labels, split: 'class', normalize: true, bins: 25 }) },
    { kind: 'pruningCurve', name: 'pruning curve', payload: pruningCurvePayload(PRUNE_RESULTS, { source: { runId: 'prune-1' } }) },
    { kind: 'windowSweep', name: 'window sweep', payload: windowSweepPayload(WINDOW_RESULTS) },
    { kind: 'heatmap', name: 'heatmap', payload: heatmapPayload({ examples: [5, 9, 12], epochs: [0, 1, 2, 3], values: [[1, 0.5, 0.2, NaN], [2, 1.5, 1.2, 1], [0.3, 0.2, 0.1, 0.05]], logColor: true }) },
    { kind: 'scatter', name: 'scatter', payload: scatterPayload({ x: { name: 'EL2N', values: t.values }, y: { name: 'GraNd', values: twice }, index: t.index, groups: { name: 'corrupted', member: t.corrupted, rest: 'clean' }, maxPoints: 300 }) },
    { kind: 'curves', name: 'entropy curves', payload: entropyPayload([{ name: 'EL2N', values: t.values }, { name: 'GraNd', values: twice }], t.labels, [10, 50, 100, 500, 1000]) },
    { kind: 'curves', name: 'overlap curves', payload: overlapPayload([{ a: { name: 'EL2N', values: t.values }, b: { name: 'GraNd', values: twice } }], [10, 50, 100, 500]) },
    { kind: 'trainingCurves', name: 'training curves', payload: { version: 1, source: { runId: 'train-1' }, epochs: [1, 2, 3, 4].map((epoch) => ({ epoch, train: { loss: 1 / epoch, accuracy: 0.9 + 0.01 * epoch }, validation: { loss: 1.1 / epoch, accuracy: 0.91 + 0.004 * epoch }, test: { loss: 1.2 / epoch, accuracy: 0.915 + 0.002 * epoch } })) } },
    { kind: 'confusionMatrix', name: 'confusion matrix', payload: { version: 1, split: 'test', labels: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'], matrix: Array.from({ length: 10 }, (_, t) => Array.from({ length: 10 }, (_, p) => (t === p ? 900 + 7 * t : (t * 3 + p) % 11))) } },
    { kind: 'map', name: 'map', payload: mapCasePayload(400, { thumbs: 40 }) },
    { kind: 'gallery', name: 'gallery lowest', payload: galleryPayload({ score: 'el2n', values: t.values, labels: t.labels, index: t.index, predicted: t.predicted, corrupted: t.corrupted, thumbs: t.images, selection: { mode: 'lowest', perClass: 6 }, source }) },
    {
      kind: 'gallery',
      name: 'gallery of duplicates',
      payload: duplicatesGallery({
        groups: [
          { kind: 'near', leakage: true, labelConflict: true, members: [{ row: 3, split: 'train', index: 3, label: 1, source: '/data/train/1/a.png', similarity: 1 }, { row: 1003, split: 'test', index: 3, label: 7, source: '/data/test/7/a-q70.jpg', similarity: 0.9931 }] },
          { kind: 'exact', leakage: false, labelConflict: false, members: [5, 9, 12].map((row) => ({ row, split: 'train' as const, index: row, label: t.labels[row], similarity: 1 })) },
        ],
        thumb: (row) => thumbnailDataUri(t.images, row % 1000),
        classNames: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
        maxGroups: 10,
        maxMembers: 10,
      }),
    },
    { kind: 'gallery', name: 'gallery percentile', payload: galleryPayload({ score: 'el2n', values: t.values, labels: t.labels, thumbs: t.images, selection: { mode: 'percentile', lo: 95, hi: 100 }, classNames: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] }) },
  ];
}
