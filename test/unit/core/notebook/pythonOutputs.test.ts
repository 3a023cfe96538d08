import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { kindOfMime, PAYLOAD_KINDS, schemaName } from '../../../../src/core/notebook/mime';
import { payloadSpec, type ChartKind } from '../../../../src/core/notebook/payloadSpec';
import { repoRoot } from '../../helpers/paths';
import { pythonOutputs } from './pythonOutputs';
import { dataMarks, render } from '../charts/svg';

test('the Python-made fixture holds every kind but none of our fallbacks, as display(raw=True) writes it', () => {
  const outs = pythonOutputs();
  const kinds = new Set(outs.map((o) => kindOfMime(o.mime)));
  assert.deepEqual([...kinds].sort(), [...PAYLOAD_KINDS].sort());
});

test('Python-made payloads validate against the schemas and chart ones render to SVG', async () => {
  const ajv = new Ajv({ strict: true, allErrors: true });
  for (const o of pythonOutputs()) {
    const kind = kindOfMime(o.mime)!;
    const validate = ajv.getSchema(kind) ?? (ajv.addSchema(JSON.parse(fs.readFileSync(path.join(repoRoot(), 'renderers', 'schemas', `${schemaName(kind)}.schema.json`), 'utf8')), kind), ajv.getSchema(kind)!);
    assert.ok(validate(o.payload), `${o.cell} ${o.mime}: ${JSON.stringify(validate.errors)}`);
    if (kind !== 'gallery') {
      const svg = await render(payloadSpec(kind as ChartKind, o.payload as never));
      assert.ok(dataMarks(svg).length > 0, `${o.cell}: no marks`);
    }
  }
});
