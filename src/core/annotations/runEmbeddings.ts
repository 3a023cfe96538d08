/**
 * A run's predictions/embeddings.npy (annotations/predictions.ts): float32 (N, D), one row per row of its
 * predictions table. The one reader for everything that uses them (the review queue's neighbours, duplicates, maps);
 * checked before it is trusted, since a file of the wrong length would pair every example with another's vector.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';
import { readNpy } from '../store/scoreFiles';
import { firstNonFiniteRow, type VectorRows } from '../similarity/vectorRows';
import { EMBEDDINGS_FILE, predictionsDir } from './predictions';

/** Without the file, maps draw the predicted probabilities and neighbours and duplicates compare pixels. */
const FIX = 'score the dataset again to rewrite it, or delete it to go without embeddings';

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
    throw new DataFormatError(file, (e as Error).message.replace(`${file}: `, ''), FIX);
  }
  if (a.shape.length !== 2) throw new DataFormatError(file, `expected a 2-D (examples, features) array, got shape (${a.shape.join(', ')})`, 'save the embeddings as np.save(file, features.astype(np.float32)) with one row per example');
  const [n, d] = a.shape;
  if (n !== rows) throw new DataFormatError(file, `${n} rows, but the predictions table has ${rows} (one row per scored example, in its order)`, 'the embeddings belong to another run or were changed by hand: score the dataset again');
  if (d === 0) throw new DataFormatError(file, 'zero features per row', FIX);
  for (let i = 0; i < a.data.length; i++) {
    if (!Number.isFinite(a.data[i])) throw new DataFormatError(file, `row ${Math.floor(i / d)}, feature ${i % d} is ${a.data[i]}`, 'every feature must be finite: check the model that produced them, then score again');
  }
  const values = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
  if (values !== a.data && firstNonFiniteRow({ values, dim: d }) >= 0) throw new DataFormatError(file, 'float64 values beyond float32\'s range', 'save the embeddings as float32');
  return { values, dim: d };
}
