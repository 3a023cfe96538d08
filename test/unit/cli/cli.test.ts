import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { makeProgressPrinter, progressLine, formatDuration } from '../../../src/cli/progress';
import { repoRoot, tempDir } from '../helpers/paths';

function cli(args: string[], cwd = repoRoot()) {
  const r = spawnSync(process.execPath, [path.join(repoRoot(), 'bin', 'datadiet.js'), ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('every command has --help', () => {
  const top = cli(['--help']);
  assert.equal(top.code, 0);
  for (const c of ['train', 'demo', 'runs']) assert.match(top.out, new RegExp(`\\b${c}\\b`));
  for (const c of ['train', 'demo', 'runs']) {
    const r = cli([c, '--help']);
    assert.equal(r.code, 0, c);
    assert.match(r.out, /Usage: datadiet/);
  }
  assert.match(cli(['train', '--help']).out, /--batch-size <n>/);
});

test('bad arguments are refused with a message naming the option', () => {
  const r = cli(['train', '--width', '-1']);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /--width must be more than 0, got "-1"/);
  assert.match(cli(['train', '--model', 'alexnet']).err, /Allowed choices are linear, mlp, cnn-small/);
});

test('train prints plain progress lines when not on a terminal, then accuracy, speed, backend and run dir; runs lists it', () => {
  const root = tempDir('cli');
  const r = cli(['train', '--model', 'linear', '--subset', '1000', '--steps', '40', '--validation', '200', '--backend', 'wasm', '--root', root]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /run directory: .*\.datadiet\/runs\//);
  assert.match(r.err, /\[#*\.*\] +\d+% step \d+\/40/);
  assert.doesNotMatch(r.err, /\r/, 'no carriage returns in logs');
  assert.match(r.out, /test accuracy +\d+\.\d\d%/);
  assert.match(r.out, /training speed +\d+ examples\/s/);
  assert.match(r.out, /backend +wasm/);
  const runs = cli(['runs', '--root', root]);
  assert.match(runs.out, /^ID +STATUS +DATASET +MODEL +RESULT\n/);
  assert.match(runs.out, /-train-\w{4} +done +mnist +linear x1 +test \d+\.\d%/);
  const id = /(\S+-train-\w{4})/.exec(runs.out)![1];
  const show = cli(['runs', 'show', id, '--root', root]);
  assert.equal(show.code, 0, show.err);
  for (const label of ['kind', 'dataset', 'model', 'params', 'results', 'files']) assert.match(show.out, new RegExp(`^  ${label} +\\S`, 'm'), label);
  assert.match(show.out, /trainSubset=1000/);
  assert.match(show.out, /manifest\.json/);
  const json = JSON.parse(cli(['runs', '--root', root, '--json']).out);
  assert.equal(json[0].status, 'done');
});

test('runs on an empty folder says where it looked', () => {
  const root = tempDir('cli-empty');
  assert.match(cli(['runs', '--root', root]).out, /no runs under .*\.datadiet\/runs/);
});

test('progress line shows bar, percent, step, loss, speed and ETA', () => {
  const line = progressLine({ phase: 'train', message: '', fraction: 0.5, step: 50, totalSteps: 100, loss: 0.25, examplesPerSecond: 812.4, etaSeconds: 83 }, 10);
  assert.equal(line, '[#####.....]  50% step 50/100 loss 0.2500 812 ex/s ETA 01:23');
  assert.equal(formatDuration(3725), '1:02:05');
});

test('in logs, frequent ticks are thinned to one line per 10% while milestones always print', () => {
  const lines: string[] = [];
  const print = makeProgressPrinter({ write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream, false);
  for (let i = 1; i <= 200; i++) print({ phase: 'train', message: '', fraction: i / 400, step: i, totalSteps: 400 });
  print({ phase: 'eval', message: 'epoch 1: test accuracy 97.00%', fraction: 0.5 });
  for (let i = 1; i <= 300; i++) print({ phase: 'score', message: `run 1/1: scoring ${i}/300`, fraction: 0.5 + i / 600 });
  assert.ok(lines.length <= 14, `${lines.length} lines`);
  assert.ok(lines.includes('epoch 1: test accuracy 97.00%\n'));
  assert.ok(lines.some((l) => /run 1\/1: scoring 300\/300/.test(l)), 'the last tick of a phase is shown');
});

test('a reader that closes the pipe early (| head) ends the listing quietly, without an EPIPE stack trace', async () => {
  const { createRun } = await import('../../../src/core/store/runStore');
  const root = tempDir('epipe');
  for (let i = 0; i < 400; i++) createRun(root, { kind: 'train', config: { dataset: 'mnist' }, seeds: {}, versions: {} }).finish('done');
  const bin = path.join(repoRoot(), 'bin', 'datadiet.js');
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" runs --root "${root}" | head -c 1 >/dev/null; echo "status \${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', timeout: 60_000 });
  assert.doesNotMatch(r.stderr, /EPIPE|Error/, r.stderr);
  assert.match(r.stderr, /status 0/);
});

test('the bin script says what to run when the CLI is not built', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const dir = tempDir('nobuild');
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.copyFileSync(path.join(repoRoot(), 'bin', 'datadiet.js'), path.join(dir, 'bin', 'datadiet.js'));
  const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'datadiet.js'), 'runs'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /the CLI is not built yet .*run "npm run build"/);
  assert.doesNotMatch(r.stderr, /Cannot find module/);
});

test('runs resume: any execution option (even --parallel alone) replaces the recorded execution; none keeps it', async () => {
  const { Command } = await import('commander');
  const { addExecutionOptions, executionFromFlags, executionOptionsGiven } = await import('../../../src/cli/specOptions');
  const parse = (args: string[]) => addExecutionOptions(new Command('x').exitOverride()).parse(args, { from: 'user' }).opts();
  assert.equal(executionOptionsGiven(parse([])), false);
  assert.equal(executionOptionsGiven(parse(['--parallel', '2'])), true);
  assert.deepEqual(executionFromFlags(parse(['--parallel', '2'])), { executor: 'local', parallel: 2 });
});

test('exit codes: done or handed to Slurm 0, cancelled 130, failed 1 (also with --json)', async () => {
  const { exitCode } = await import('../../../src/cli/exitCode');
  const m = { status: 'running', execution: { executor: 'slurm' } } as unknown as Parameters<typeof exitCode>[0];
  assert.equal(exitCode(m), 0);
  assert.equal(exitCode({ ...m, status: 'done' }), 0);
  assert.equal(exitCode({ ...m, status: 'cancelled' }), 130);
  assert.equal(exitCode({ ...m, status: 'failed' }), 1);
  assert.equal(exitCode({ ...m, execution: undefined }), 1, 'a local run left running is not a success');
});
