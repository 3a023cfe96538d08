import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { executeCell, type ExecEnv } from '../../../../src/core/cells/execute';
import { cellOutputItems } from '../../../../src/core/cells/outputItems';
import { schemaName, type GalleryPayload } from '../../../../src/core/notebook/mime';
import { inProcessJobs } from './inProcessJobs';
import { repoRoot, tempDir } from '../../helpers/paths';
import { plantedDataset } from '../../helpers/plantedDuplicates';

const root = tempDir('cells-duplicates');
const jobs: string[] = [];
const env = (over: Partial<ExecEnv> = {}): ExecEnv => ({
  root,
  trusted: true,
  jobDefaults: { backend: 'cpu' },
  images: () => Promise.reject(new Error('a duplicates cell reads both splits itself')),
  runJob: inProcessJobs(root, (job) => jobs.push(job)),
  ...over,
});
const validate = new Ajv({ strict: true, allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(repoRoot(), 'renderers', 'schemas', `${schemaName('gallery')}.schema.json`), 'utf8')));

async function gallery(cell: string, over?: Partial<ExecEnv>): Promise<{ payload: GalleryPayload; summary: string; svg: string; plain: string }> {
  const [out] = await executeCell(cell, env(over));
  assert.equal(out.type, 'payload');
  if (out.type !== 'payload') throw new Error('not a payload');
  assert.equal(out.kind, 'gallery');
  const payload = out.payload as GalleryPayload;
  assert.ok(validate(JSON.parse(JSON.stringify(payload))), JSON.stringify(validate.errors));
  const items = await cellOutputItems(out);
  const itemText = (mime: string) => (items.find((i) => i.mime === mime) as { text: string }).text;
  return { payload, summary: out.summary, svg: itemText('image/svg+xml'), plain: itemText('text/plain') };
}

test('the duplicates cell finds a dataset\'s duplicates once, as an engine job, then shows the recorded run as a gallery', async () => {
  await plantedDataset(path.join(root, 'photos'));
  const first = await gallery('duplicates dataset=folder:photos image-size=32');
  assert.deepEqual(jobs, ['duplicates']);
  const p = first.payload;
  assert.equal(p.groupBy, 'duplicate');
  assert.equal(p.score, 'similarity');
  assert.equal(p.groups.length, 5);
  assert.deepEqual(p.groups.map((g) => g.flags ?? []), [['train/test leakage', 'label conflict'], ['train/test leakage'], ['train/test leakage'], ['label conflict'], []]);
  assert.deepEqual(p.classNames, ['apple', 'bird', 'cloud']);
  const jpeg = p.groups[0].items.find((it) => it.note?.endsWith('cloud2-q70.jpg'))!;
  assert.match(jpeg.note!, /^test · row \d+ · cloud2-q70\.jpg$/);
  assert.equal(jpeg.label, 0, 'filed under apple');
  assert.ok(jpeg.score > 0.98 && jpeg.score < 1);
  for (const g of p.groups) for (const it of g.items) assert.match(it.thumb, /^data:image\/png;base64,/);
  assert.match(first.summary, /5 duplicate groups among 45 images \(2 exact, 3 near\): 3 span train and test/);
  assert.match(first.svg, /train\/test leakage, label conflict/);
  assert.match(first.plain, /group 1 · near copies \[train\/test leakage, label conflict\]: 2 of 2/);

  // The same question again: the recorded run answers it; no argument shows the newest run.
  await gallery('duplicates dataset=folder:photos image-size=32');
  await gallery('duplicates');
  assert.deepEqual(jobs, ['duplicates']);
  // Another threshold is another search.
  const exactOnly = await gallery('duplicates dataset=folder:photos image-size=32 threshold=1 groups=1');
  assert.deepEqual(jobs, ['duplicates', 'duplicates']);
  assert.equal(exactOnly.payload.groups.length, 1);
  assert.match(exactOnly.payload.title!, /2 groups .*the first 1 shown/);
});

test('the duplicates cell needs a trusted workspace to search, and says what to give without a run', async () => {
  const empty = tempDir('cells-duplicates-empty');
  await assert.rejects(executeCell('duplicates', env({ root: empty })), /no finished duplicates run yet: give dataset=<spec>/);
  await assert.rejects(executeCell('duplicates dataset=mnist threshold=0.5', env({ root: empty, trusted: false })), /runs an engine job, which Data Diet does not do in Restricted Mode/);
});
