import * as path from 'node:path';
import type { DuplicateGroup } from '../duplicates/duplicateGroups';
import type { GalleryGroup, GalleryPayload, PayloadSource } from './mime';

/**
 * Groups of duplicate images as a gallery (groupBy 'duplicate'): one group per group of copies, most urgent first as
 * the table orders them, its warnings (train/test leakage, label conflict) as flags, each member's similarity to the
 * group's first member as its score and its split, row and file name as its note.
 */
export interface DuplicatesGalleryInput {
  readonly groups: readonly DuplicateGroup[];
  /** PNG data: URI of a dataset row. */
  readonly thumb: (row: number) => string;
  readonly classNames: readonly string[];
  /** Groups shown (the rest are counted in the title), and members shown per group. */
  readonly maxGroups: number;
  readonly maxMembers: number;
  readonly title?: string;
  readonly source?: PayloadSource;
}

export function duplicateFlags(g: Pick<DuplicateGroup, 'leakage' | 'labelConflict'>): string[] {
  return [...(g.leakage ? ['train/test leakage'] : []), ...(g.labelConflict ? ['label conflict'] : [])];
}

export function duplicatesGallery(input: DuplicatesGalleryInput): GalleryPayload {
  const shown = input.groups.slice(0, input.maxGroups);
  const groups = shown.map((g, i): GalleryGroup => {
    const flags = duplicateFlags(g);
    return {
      label: g.members[0].label,
      className: `group ${i + 1} · ${g.kind === 'exact' ? 'exact copies' : 'near copies'}`,
      items: g.members.slice(0, input.maxMembers).map((m) => ({
        index: m.row,
        label: m.label,
        score: Number(m.similarity.toFixed(6)),
        thumb: input.thumb(m.row),
        note: `${m.split} · row ${m.row}${m.source ? ` · ${path.basename(m.source)}` : ''}`,
      })),
      matched: g.members.length,
      ...(flags.length ? { flags } : {}),
    };
  });
  const most = Math.max(1, ...groups.map((g) => g.items.length));
  return {
    version: 1,
    ...(input.title !== undefined ? { title: input.title } : {}),
    score: 'similarity',
    // Within a group, the members in row order; "highest" names no order here, only the required shape.
    selection: { mode: 'highest', perClass: most },
    classNames: [...input.classNames],
    groups,
    groupBy: 'duplicate',
    ...(input.source ? { source: input.source } : {}),
  };
}
