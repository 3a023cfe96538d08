import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { ALL_MIMES, MIME, PAYLOAD_KINDS, schemaName, type PayloadKind } from '../../../../src/core/notebook/mime';
import { repoRoot } from '../../helpers/paths';
import { payloadCases } from './payloadCases';

// ajv is in the tree through @vscode/vsce; only the tests use it (the renderer checks versions and shapes itself).
function validators(): Record<PayloadKind, import('ajv').ValidateFunction> {
  const ajv = new Ajv({ strict: true, allErrors: true });
  return Object.fromEntries(
    PAYLOAD_KINDS.map((k) => {
      const file = path.join(repoRoot(), 'renderers', 'schemas', `${schemaName(k)}.schema.json`);
      return [k, ajv.compile(JSON.parse(fs.readFileSync(file, 'utf8')))];
    }),
  ) as Record<PayloadKind, import('ajv').ValidateFunction>;
}

test('one schema per mime type, all strict draft-07 schemas', () => {
  const dir = path.join(repoRoot(), 'renderers', 'schemas');
  assert.deepEqual(fs.readdirSync(dir).sort(), PAYLOAD_KINDS.map((k) => `${schemaName(k)}.schema.json`).sort());
  assert.equal(schemaName('pruningCurve'), 'pruning-curve');
  validators();
});

test('package.json contributes a renderer for exactly our mime types, with optional messaging', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8'));
  const r = pkg.contributes.notebookRenderer.find((x: { id: string }) => x.id === 'datadiet.renderer');
  assert.deepEqual([...r.mimeTypes].sort(), [...ALL_MIMES].sort());
  assert.equal(r.requiresMessaging, 'optional');
  assert.equal(r.entrypoint, './dist/renderer.js');
});

test('every builder output validates against its schema, through JSON', () => {
  const v = validators();
  for (const c of payloadCases()) {
    const json = JSON.parse(JSON.stringify(c.payload));
    assert.deepEqual(json, c.payload, `${c.name}: survives JSON (no NaN, no typed arrays)`);
    assert.ok(v[c.kind](json), `${c.name} (${MIME[c.kind]}): ${JSON.stringify(v[c.kind].errors)}`);
  }
});

test('schemas reject what the renderer must not accept', () => {
  const v = validators();
  const cases = payloadCases();
  const gallery = structuredClone(cases.find((c) => c.name === 'gallery lowest')!.payload) as { groups: { items: { thumb: string }[] }[] };
  gallery.groups[0].items[0].thumb = 'javascript:alert(1)';
  assert.equal(v.gallery(gallery), false);
  gallery.groups[0].items[0].thumb = 'https://example.com/x.png';
  assert.equal(v.gallery(gallery), false);
  const hist = { ...cases[0].payload, version: 2 };
  assert.equal(v.histogram(hist), false);
  const curve = structuredClone(cases.find((c) => c.kind === 'pruningCurve')!.payload) as { series: { points: { accuracies: number[] }[] }[] };
  curve.series[0].points[0].accuracies = [95.1];
  assert.equal(v.pruningCurve(curve), false, 'accuracies are fractions');
  assert.equal(v.curves({ version: 1, xTitle: 'k', yTitle: 'y', series: [{ name: 'a', x: [1], y: [1] }], yFormat: '";alert(1);"' }), false);
});
