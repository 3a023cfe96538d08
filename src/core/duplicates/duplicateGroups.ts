/**
 * Exact and near duplicates of a dataset as groups (pure: the images, the rows' vectors and their neighbour lists in,
 * the groups out). Byte-identical images form exact groups; near duplicates are pairs of vectors (perceptual
 * thumbnails or a run's embeddings) at or above a cosine similarity threshold among each row's k nearest
 * neighbours, chained into groups. A group that holds train and test rows is train/test leakage; one whose members
 * carry different labels is a labelling conflict (one of them is wrong, or the classes overlap).
 */
import type { NeighbourLists } from '../similarity/neighbourLists';
import type { VectorRows } from '../similarity/vectorRows';
import type { RowImages } from './rowImages';
import { UnionFind } from './unionFind';

export interface DuplicateMember {
  /** Dataset row (train then test, or the source's own order: data/datasetRows.ts). */
  readonly row: number;
  readonly split: 'train' | 'test';
  /** Index within its split (a score run's `index` column for train rows of split datasets). */
  readonly index: number;
  readonly label: number;
  readonly source?: string;
  /** Cosine similarity of its vector to the group's first member's; 1 for a byte-identical copy of it. */
  readonly similarity: number;
}

export interface DuplicateGroup {
  /** 'exact': every member byte-identical; 'near': at least one is a resized, re-encoded or otherwise changed copy. */
  readonly kind: 'exact' | 'near';
  /** Members in train and in test: the test split is not unseen data. */
  readonly leakage: boolean;
  /** Members with different labels. */
  readonly labelConflict: boolean;
  /** Rows ascending. */
  readonly members: readonly DuplicateMember[];
}

export interface GroupingInput {
  readonly images: RowImages;
  /** Byte-identical rows (exactCopies). */
  readonly exact: readonly number[][];
  /** The searched vectors, one per searched row (unit length or zero), and which dataset row each is. */
  readonly vectors: VectorRows;
  readonly vectorRow: Int32Array;
  readonly lists: NeighbourLists;
  /** Lowest cosine similarity that makes two rows near duplicates. */
  readonly threshold: number;
}

/** The groups, most urgent first: leakage, then label conflicts, then larger groups, then by first row. */
export function duplicateGroups(input: GroupingInput): DuplicateGroup[] {
  const { images, exact, vectors, vectorRow, lists, threshold } = input;
  const uf = new UnionFind(images.count);
  const exactOf = new Int32Array(images.count).fill(-1);
  exact.forEach((g, gi) => {
    for (const r of g) {
      exactOf[r] = gi;
      uf.union(g[0], r);
    }
  });
  for (let i = 0; i < lists.count; i++) {
    for (let j = 0; j < lists.k; j++) {
      const q = lists.indices[i * lists.k + j];
      if (q < 0 || 1 - lists.distances[i * lists.k + j] < threshold) break;
      uf.union(vectorRow[i], vectorRow[q]);
    }
  }
  // A row without a vector of its own (a copy that was not searched, a row the embeddings do not cover) is compared
  // through a byte-identical copy that has one.
  const vectorOf = new Int32Array(images.count).fill(-1);
  vectorRow.forEach((r, i) => (vectorOf[r] = i));
  for (const g of exact) {
    const withVector = g.find((r) => vectorOf[r] >= 0);
    if (withVector !== undefined) for (const r of g) if (vectorOf[r] < 0) vectorOf[r] = vectorOf[withVector];
  }
  const groups = uf.groups().map((rows): DuplicateGroup => {
    const first = rows[0];
    const members = rows.map((r): DuplicateMember => {
      const source = images.source(r);
      return {
        row: r,
        split: images.split(r),
        index: images.at(r),
        label: images.label(r),
        ...(source !== undefined ? { source } : {}),
        similarity: exactOf[r] >= 0 && exactOf[r] === exactOf[first] ? 1 : cosine(vectors, vectorOf[first], vectorOf[r]),
      };
    });
    const allExact = exactOf[first] >= 0 && rows.every((r) => exactOf[r] === exactOf[first]);
    return {
      kind: allExact ? 'exact' : 'near',
      leakage: members.some((m) => m.split === 'train') && members.some((m) => m.split === 'test'),
      labelConflict: members.some((m) => m.label !== members[0].label),
      members,
    };
  });
  return groups.sort((a, b) => Number(b.leakage) - Number(a.leakage) || Number(b.labelConflict) - Number(a.labelConflict) || b.members.length - a.members.length || a.members[0].row - b.members[0].row);
}

/** Dot product of two searched (unit) vectors; 0 where either row has none. */
function cosine(v: VectorRows, a: number, b: number): number {
  if (a < 0 || b < 0) return 0;
  let s = 0;
  for (let j = 0; j < v.dim; j++) s += v.values[a * v.dim + j] * v.values[b * v.dim + j];
  return Math.min(1, s);
}
