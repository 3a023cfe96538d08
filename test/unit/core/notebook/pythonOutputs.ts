// Our outputs in the Python-made fixture notebook, for the schema and renderer tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kindOfMime } from '../../../../src/core/notebook/mime';
import { repoRoot } from '../../helpers/paths';

/** Our outputs in test/fixtures/notebooks/python-outputs.ipynb (written by make_python_outputs.py with IPython). */
export function pythonOutputs(): { cell: string; mime: string; payload: unknown }[] {
  const nb = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'notebooks', 'python-outputs.ipynb'), 'utf8'));
  return nb.cells.flatMap((c: { id: string; outputs: { data: Record<string, unknown> }[] }) =>
    c.outputs.flatMap((o) => Object.entries(o.data).filter(([m]) => kindOfMime(m)).map(([mime, payload]) => ({ cell: c.id, mime, payload }))),
  );
}
