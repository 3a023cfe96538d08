/**
 * What a score run made by an import (`datadiet import-predictions` / `import-scores`) records of it in its
 * manifest's config.imported: the files (absolute path, sha256, shape, dtype) and the rows they cover. Readers
 * that list runs use it to say "imported" where a score run names its model; plain data, no dataset loading.
 */
import type { RunManifest } from './runManifest';

export interface ImportedFileEntry {
  /** probs, embeddings, or the score's name. */
  readonly role: string;
  readonly file: string;
  readonly sha256: string;
}

export interface ImportedRunInfo {
  readonly what: 'predictions' | 'scores';
  /** The run's --name, when given. */
  readonly name?: string;
  readonly files: readonly ImportedFileEntry[];
}

function entry(role: string, v: unknown): ImportedFileEntry[] {
  const o = v as { file?: unknown; sha256?: unknown } | undefined;
  return o && typeof o.file === 'string' ? [{ role, file: o.file, sha256: typeof o.sha256 === 'string' ? o.sha256 : '' }] : [];
}

/** The import a run records, or undefined for every other run. */
export function importedRunInfo(m: Pick<RunManifest, 'config'>): ImportedRunInfo | undefined {
  const imp = m.config.imported as { probs?: unknown; embeddings?: unknown; scores?: unknown } | undefined;
  if (!imp || typeof imp !== 'object') return undefined;
  const name = typeof m.config.name === 'string' ? { name: m.config.name } : {};
  if (Array.isArray(imp.scores)) {
    return { what: 'scores', ...name, files: imp.scores.flatMap((s: { name?: unknown }) => entry(typeof s?.name === 'string' ? s.name : 'score', s)) };
  }
  return { what: 'predictions', ...name, files: [...entry('probs', imp.probs), ...entry('embeddings', imp.embeddings)] };
}

/** "imported predictions (my model)": where a run list names a trained run's model. */
export function importedLabel(info: ImportedRunInfo): string {
  return `imported ${info.what}${info.name ? ` (${info.name})` : ''}`;
}
