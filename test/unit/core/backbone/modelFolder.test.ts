import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { DataFormatError } from '../../../../src/core/data/dataset';
import { readModelFolder } from '../../../../src/core/backbone/modelFolder';
import { folderIOHandler } from '../../../../src/core/backbone/folderIOHandler';
import { useCpu } from '../../helpers/tf';
import { tempDir } from '../../helpers/paths';
import { saveLayersModel, writeConvMeanGraph } from './modelFiles';

async function smallLayersModel(dir: string, shardBytes?: number): Promise<string[]> {
  await useCpu();
  const model = tfl.sequential({
    layers: [tfl.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, activation: 'relu' }), tfl.layers.flatten(), tfl.layers.dense({ units: 5 })],
  });
  const paths = await saveLayersModel(model, dir, shardBytes);
  model.dispose();
  return paths;
}

/** Runs `f`, expecting a DataFormatError whose message matches every pattern and carries no stack or library text. */
async function rejectsWith(f: () => Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
  try {
    await f();
  } catch (e) {
    assert.ok(e instanceof DataFormatError, `expected a DataFormatError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    assert.doesNotMatch(e.message, /\n\s+at |File an issue|tfjs\/issues/);
    return e.message;
  }
  assert.fail(`expected an error matching ${patterns.join(', ')}`);
}

test('a layers model saved in the converter layout reads back whole, from the folder or its model.json', async () => {
  const dir = tempDir('bb-folder');
  const [shard] = await smallLayersModel(dir);
  assert.equal(shard, 'group1-shard1of1.bin');
  const folder = await readModelFolder(dir);
  assert.equal(folder.format, 'layers-model');
  assert.equal(folder.modelJsonFile, path.join(dir, 'model.json'));
  // conv 3*3*3*4 + 4, dense 64*5 + 5 float32 values.
  assert.equal(folder.weightData.byteLength, (3 * 3 * 3 * 4 + 4 + 64 * 5 + 5) * 4);
  assert.deepEqual(new Uint8Array(folder.weightData), new Uint8Array(fs.readFileSync(path.join(dir, shard))));
  assert.match(folder.fingerprint, /^[0-9a-f]{64}$/);
  const again = await readModelFolder(path.join(dir, 'model.json'));
  assert.equal(again.fingerprint, folder.fingerprint);
  const artifacts = await folderIOHandler(dir).load!();
  assert.equal(artifacts.format, 'layers-model');
  assert.equal(artifacts.weightSpecs?.length, 4);
});

test('shards are concatenated in manifest order, and the fingerprint follows every weight byte', async () => {
  const one = tempDir('bb-one');
  const many = tempDir('bb-many');
  writeConvMeanGraph(one, { height: 4, width: 4, channels: 3, filters: 8 });
  writeConvMeanGraph(many, { height: 4, width: 4, channels: 3, filters: 8, shardBytes: 20 });
  // 24 kernel + 8 bias float32 and 2 int32 values: 136 bytes in 7 shards.
  assert.equal(fs.readdirSync(many).filter((n) => n.endsWith('.bin')).length, 7);
  const a = await readModelFolder(one);
  const b = await readModelFolder(many);
  assert.equal(b.format, 'graph-model');
  assert.deepEqual(new Uint8Array(b.weightData), new Uint8Array(a.weightData));
  const shard = path.join(many, 'group1-shard2of7.bin');
  const bytes = fs.readFileSync(shard);
  bytes[0] ^= 1;
  fs.writeFileSync(shard, bytes);
  assert.notEqual((await readModelFolder(many)).fingerprint, b.fingerprint);
});

test('a missing folder, an empty one and a stray file are named with what to pass instead', async () => {
  const root = tempDir('bb-where');
  await rejectsWith(() => readModelFolder(path.join(root, 'nope')), /nope: not found/, /folder that holds model\.json/);
  await rejectsWith(() => readModelFolder(root), /has no model\.json/);
  fs.writeFileSync(path.join(root, 'mobilenet.tar.gz'), 'x');
  await rejectsWith(() => readModelFolder(path.join(root, 'mobilenet.tar.gz')), /mobilenet\.tar\.gz: is an archive/, /unpack it first/);
  const nested = path.join(root, 'unpacked');
  writeConvMeanGraph(path.join(nested, 'model'), { height: 2, width: 2, channels: 1, filters: 1 });
  await rejectsWith(() => readModelFolder(nested), /has no model\.json, but model\/model\.json exists/, new RegExp(`pass ${path.join(nested, 'model')}`));
});

test('Keras and SavedModel folders say which tensorflowjs_converter run turns them into a TensorFlow.js model', async () => {
  const saved = tempDir('bb-saved');
  fs.writeFileSync(path.join(saved, 'saved_model.pb'), 'pb');
  fs.mkdirSync(path.join(saved, 'variables'));
  await rejectsWith(() => readModelFolder(saved), /TensorFlow SavedModel/, /tensorflowjs_converter --input_format=tf_saved_model/);
  const h5 = tempDir('bb-h5');
  fs.writeFileSync(path.join(h5, 'resnet.h5'), 'h5');
  await rejectsWith(() => readModelFolder(h5), /Keras HDF5 model \(resnet\.h5\)/, /tensorflowjs_converter --input_format=keras resnet\.h5/);
  await rejectsWith(() => readModelFolder(path.join(h5, 'resnet.h5')), /tensorflowjs_converter --input_format=keras resnet\.h5/);
  const k3 = tempDir('bb-keras3');
  fs.writeFileSync(path.join(k3, 'model.keras'), 'zip');
  await rejectsWith(() => readModelFolder(k3), /Keras 3 model/, /--input_format=tf_saved_model/);
  const onnx = tempDir('bb-onnx');
  fs.writeFileSync(path.join(onnx, 'model.onnx'), 'onnx');
  await rejectsWith(() => readModelFolder(onnx), /model\.onnx, a format Data Diet cannot read/);
});

test('a model.json that is not a TensorFlow.js model says what it is instead', async () => {
  const dir = tempDir('bb-json');
  const file = path.join(dir, 'model.json');
  const cases: [string, RegExp][] = [
    ['', /model\.json: is empty/],
    ['{"format": "graph-model", "modelTopology": {"node": [', /model\.json: is not valid JSON/],
    ['<!DOCTYPE html><html><body>Too many requests</body></html>', /is a web page or XML, not JSON/],
    ['{"class_name": "Sequential", "config": {"layers": []}, "keras_version": "2.15.0"}', /Keras architecture file \(model\.to_json\(\)\).*holds no weights/],
    ['{"format": "graph-model", "modelTopology": {"node": []}}', /has no weightsManifest/],
    ['{"format": "onnx", "modelTopology": {}, "weightsManifest": []}', /has format "onnx"/],
    ['[1, 2, 3]', /not an object/],
    ['{"modelTopology": {"foo": 1}, "weightsManifest": []}', /neither a TensorFlow graph .* nor a Keras model/],
  ];
  for (const [text, pattern] of cases) {
    fs.writeFileSync(file, text);
    await rejectsWith(() => readModelFolder(dir), new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), pattern);
  }
});

test('an old model.json without a format field is recognized by its topology', async () => {
  const dir = tempDir('bb-noformat');
  writeConvMeanGraph(dir, { height: 2, width: 2, channels: 1, filters: 1 });
  const file = path.join(dir, 'model.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete json.format;
  fs.writeFileSync(file, JSON.stringify(json));
  assert.equal((await readModelFolder(dir)).format, 'graph-model');
  const layers = tempDir('bb-noformat-layers');
  await smallLayersModel(layers);
  const lj = JSON.parse(fs.readFileSync(path.join(layers, 'model.json'), 'utf8'));
  delete lj.format;
  fs.writeFileSync(path.join(layers, 'model.json'), JSON.stringify(lj));
  assert.equal((await readModelFolder(layers)).format, 'layers-model');
});

test('a missing shard, a short or long one, and an error page saved as a shard are each named', async () => {
  const dir = tempDir('bb-shards');
  const paths = await smallLayersModel(dir, 256);
  const total = 437 * 4;
  assert.equal(paths.length, Math.ceil(total / 256));
  const shard2 = path.join(dir, paths[1]);
  const good = fs.readFileSync(shard2);
  fs.rmSync(shard2);
  await rejectsWith(() => readModelFolder(dir), new RegExp(`${shard2}: weight file is missing`), /copy every \.bin file/);
  fs.writeFileSync(shard2, good.subarray(0, 100));
  const msg = await rejectsWith(() => readModelFolder(dir), new RegExp(`hold together ${total - 156} bytes, but model\\.json's weightsManifest needs ${total}`), /cut short/);
  assert.match(msg, new RegExp(`\\{${paths.join(', ').replace(/\./g, '\\.')}\\}`));
  fs.writeFileSync(shard2, Buffer.concat([good, Buffer.alloc(8)]));
  await rejectsWith(() => readModelFolder(dir), new RegExp(`needs ${total}`), /different conversions/);
  fs.writeFileSync(shard2, '<html><head><title>404 Not Found</title></head></html>');
  await rejectsWith(() => readModelFolder(dir), new RegExp(`${shard2}: is a web page, not weights`));
});

test('a model.json naming weight files outside its folder is refused before anything is opened', async () => {
  const dir = tempDir('bb-escape');
  writeConvMeanGraph(dir, { height: 2, width: 2, channels: 1, filters: 1 });
  const file = path.join(dir, 'model.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const evil of ['../../etc/passwd', '/etc/passwd', 'sub/../../outside.bin', 'https://example.com/group1-shard1of1.bin', 'file:///etc/passwd', '..']) {
    json.weightsManifest[0].paths = [evil];
    fs.writeFileSync(file, JSON.stringify(json));
    await rejectsWith(() => readModelFolder(dir), new RegExp(`names "${evil.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}", which is outside the model folder`));
  }
  // A path inside a subfolder is fine.
  fs.mkdirSync(path.join(dir, 'weights'));
  fs.renameSync(path.join(dir, 'group1-shard1of1.bin'), path.join(dir, 'weights', 'w.bin'));
  json.weightsManifest[0].paths = ['./weights/w.bin'];
  fs.writeFileSync(file, JSON.stringify(json));
  assert.equal((await readModelFolder(dir)).format, 'graph-model');
});
