import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCount, formatDuration, formatEta, formatPercent, relativeTime, shortError } from '../../../src/extension/format';
import { ProgressTracker, statusBarView, Throttle } from '../../../src/extension/statusModel';

const wasm = { name: 'wasm', device: 'wasm (SIMD, 2 threads)', reason: 'auto: no GPU backend installed' };

test('status bar: idle shows the backend in use and why; before any run, the setting', () => {
  const idle = statusBarView({ backendSetting: 'auto', backend: wasm, queued: 0, restricted: false });
  assert.equal(idle.text, '$(chip) wasm');
  assert.match(idle.tooltip, /wasm \(SIMD, 2 threads\)\nauto: no GPU backend installed/);
  assert.equal(idle.command, 'datadiet.chooseBackend');
  assert.equal(statusBarView({ backendSetting: 'auto', queued: 0, restricted: false }).text, '$(chip) Data Diet: auto backend');
});

test('status bar: a running job shows percent, ETA and queue; click cancels', () => {
  const v = statusBarView({
    backendSetting: 'auto',
    backend: wasm,
    active: { title: 'Training linear on MNIST', progress: { phase: 'train', message: 'epoch 1, step 10/40', fraction: 0.25, etaSeconds: 75 } },
    queued: 2,
    restricted: false,
  });
  assert.equal(v.text, '$(sync~spin) wasm \u00b7 25% \u00b7 1:15 left \u00b7 +2 queued');
  assert.match(v.tooltip, /Training linear on MNIST\nepoch 1, step 10\/40/);
  assert.equal(v.command, 'datadiet.cancelRun');
});

test('status bar: Restricted Mode', () => {
  const v = statusBarView({ backendSetting: 'auto', queued: 0, restricted: true });
  assert.equal(v.text, '$(shield) Data Diet');
  assert.equal(v.command, 'workbench.trust.manage');
});

test('progress tracker: increments add up to 100 over one or several jobs, never go back', () => {
  const t = new ProgressTracker();
  const incs: number[] = [];
  for (const f of [0, 0.1, 0.05, 0.5, 1]) {
    const r = t.update({ phase: 'train', message: 'm', fraction: f, etaSeconds: 10 });
    if (r.increment) incs.push(r.increment);
    assert.match(r.message, /^m \u2014 0:10 left$/);
  }
  assert.equal(Math.round(incs.reduce((a, b) => a + b, 0)), 100);
  assert.ok(incs.every((i) => i > 0));
  const k = new ProgressTracker();
  let sum = 0;
  for (let j = 0; j < 3; j++) for (const f of [0.5, 1]) sum += k.update({ phase: 'train', message: 'x', fraction: f }, j, 3).increment ?? 0;
  assert.equal(Math.round(sum), 100);
  assert.equal(k.update({ phase: 'load', message: 'loading mnist' }, 1, 3).message, 'run 2/3: loading mnist');
  assert.equal(k.update({ phase: 'save', message: 'saving', etaSeconds: 3, fraction: 1 }).message, 'saving');
});

test('formatting', () => {
  assert.equal(formatEta(7), '0:07');
  assert.equal(formatEta(65), '1:05');
  assert.equal(formatEta(3723), '1:02:03');
  assert.equal(formatEta(undefined), undefined);
  assert.equal(formatEta(NaN), undefined);
  assert.equal(formatDuration(3.14), '3.1 s');
  assert.equal(formatDuration(42), '42 s');
  assert.equal(formatDuration(245), '4 min 05 s');
  assert.equal(formatDuration(3720), '1 h 02 min');
  assert.equal(formatPercent(0.98123), '98.1%');
  assert.equal(formatPercent('x'), undefined);
  assert.equal(formatCount(60000), '60,000');
  const now = new Date('2026-11-22T12:00:00Z');
  assert.equal(relativeTime('2026-11-22T11:59:50Z', now), 'just now');
  assert.equal(relativeTime('2026-11-22T11:30:00Z', now), '30 min ago');
  assert.equal(relativeTime('2026-11-22T09:00:00Z', now), '3 h ago');
  assert.equal(relativeTime('2026-11-21T12:00:00Z', now), '1 day ago');
  assert.equal(relativeTime('2026-10-01T12:00:00Z', now), '2026-10-01');
  assert.equal(relativeTime('garbage', now), undefined);
  assert.equal(shortError('a\nb'), 'a');
  assert.equal(shortError('x'.repeat(100), 10), 'xxxxxxxxx\u2026');
});

test('throttle: one call per interval, forced calls always pass', () => {
  let t = 0;
  const th = new Throttle(100, () => t);
  assert.equal(th.pass(), true);
  t = 50;
  assert.equal(th.pass(), false);
  assert.equal(th.pass(true), true);
  t = 120;
  assert.equal(th.pass(), false, 'the forced call restarted the interval');
  t = 151;
  assert.equal(th.pass(), true);
});
