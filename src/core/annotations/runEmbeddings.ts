/**
 * A run's predictions/embeddings.npy (annotations/predictions.ts): float32 (N, D), one row per row of its
 * predictions table. Read for similarity (the review queue's neighbours, duplicates, maps); checked before it is
 * trusted, since a file of the wrong length would pair every example with another's vector.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';
import { readNpy } from '../store/scoreFiles';
import { firstNonFiniteRow, type VectorRows } from '../similarity/vectorRows';
import { EMBEDDINGS_FILE, predictionsDir } from './predictions';

export function embeddingsFile(runDir: string): string {
  return path.join(predictionsDir(runDir), EMBEDDINGS_FILE);
}

/** The run's embeddings, or undefined when it recorded none; `rows` is the predictions table's length. */
export function readRunEmbeddings(runDir: string, rows: number): VectorRows | undefined {
  const file = embeddingsFile(runDir);
  if (!fs.existsSync(file)) return undefined;
  let a;
  try {
    a = readNpy(file);
  } catch (e) {
    throw new DataFormatError(file, (e as Error).message.replace(`${file}: `, ''), 'score the dataset again to rewrite it, or delete the file to compare pixels');
  }
  if (a.shape.length !== 2 || a.shape[0] !== rows || a.shape[1] < 1) {
    throw new DataFormatError(file, `shape (${a.shape.join(', ')}), but the predictions table has ${rows} rows: expected (${rows}, D)`, 'score the dataset again to rewrite it, or delete the file to compare pixels');
  }
  const values = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
  const v = { values, dim: a.shape[1] };
  const bad = firstNonFiniteRow(v);
  if (bad >= 0) throw new DataFormatError(file, `row ${bad} holds NaN or an infinite value`, 'score the dataset again to rewrite it, or delete the file to compare pixels');
  return v;
}
