#!/usr/bin/env node
// End-to-end scenarios in a real VS Code (code-server + Chromium + playwright-core): test/e2e/harness.mjs holds the
// machinery and documents the scenario API; each test/e2e/scenarios/<name>.mjs is one scenario.
//
//   node scripts/e2e.mjs [--only name[,name]] [--skip name[,name]] [--no-build] [--keep] [--list]
//
// Builds (scripts/build.mjs) unless --no-build, runs the scenarios in order (ORDER first, then the others by
// name), writes test-output/e2e/<scenario>/ (screenshots, timings.json, logs) and test-output/e2e/summary.json,
// exits 1 when any failed. Needs scripts/e2e-setup.sh to have run (npm run test:e2e does both).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHarness, missingPrerequisites, outRoot, root } from '../test/e2e/harness.mjs';

const ORDER = ['experiment', 'restricted', 'suite'];
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const list = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? '').split(',').filter(Boolean) : undefined;
};

const scenarioDir = path.join(root, 'test/e2e/scenarios');
const all = [];
for (const f of fs.readdirSync(scenarioDir).filter((f) => f.endsWith('.mjs'))) {
  const mod = await import(pathToFileURL(path.join(scenarioDir, f)).href);
  if (typeof mod.run !== 'function' || !mod.name) throw new Error(`${f}: a scenario exports name and run(h)`);
  all.push(mod);
}
const rank = (n) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
all.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
if (flag('--list')) {
  for (const s of all) console.log(`${s.name.padEnd(16)} ${s.description ?? ''}`);
  process.exit(0);
}
const only = list('--only');
const skip = list('--skip') ?? [];
for (const n of [...(only ?? []), ...skip]) {
  if (!all.some((s) => s.name === n)) {
    console.error(`e2e: no scenario "${n}" (have: ${all.map((s) => s.name).join(', ')})`);
    process.exit(2);
  }
}
const selected = all.filter((s) => (!only || only.includes(s.name)) && !skip.includes(s.name));

const missing = missingPrerequisites();
if (missing.length) {
  for (const m of missing) console.error(`e2e: ${m}`);
  process.exit(2);
}

if (!flag('--no-build')) {
  const b = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) {
    console.error('e2e: the build failed');
    process.exit(b.status ?? 1);
  }
}

/**
 * The longest the extension host's event loop was blocked in a scenario, from the probe's per-second maxima (they
 * include its 10 ms sampling interval); undefined when no extension host ran with the probe.
 */
function worstBlockedMs(file) {
  if (!fs.existsSync(file)) return undefined;
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  if (!lines.length) return undefined;
  return Math.max(0, Math.round(Math.max(...lines.map((l) => l.maxMs)) - 10));
}

const harness = await createHarness({ keep: flag('--keep') });
const summary = [];
let interrupted = false;
const onSignal = async (sig) => {
  if (interrupted) return;
  interrupted = true;
  console.error(`e2e: ${sig}, cleaning up`);
  await harness.close();
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  for (const s of selected) {
    const h = harness.scoped(s.name);
    const t = Date.now();
    // Every scenario measures the extension host's event loop (src/extension/eventLoopProbe.ts; code-server's
    // extension hosts inherit this environment): its worst blocked time is in the summary.
    const loopFile = path.join(h.outDir, 'event-loop.jsonl');
    process.env.DATADIET_EVENT_LOOP_FILE = loopFile;
    harness.log(`=== ${s.name}${s.description ? `: ${s.description}` : ''}`);
    let error;
    try {
      await s.run(h);
    } catch (e) {
      error = e;
      harness.log(`${s.name} FAILED: ${e.stack ?? e.message}`);
    }
    await h.finish();
    const ok = !error && h.steps.every((x) => x.ok);
    const blockedMs = worstBlockedMs(loopFile);
    summary.push({ name: s.name, ok, seconds: (Date.now() - t) / 1000, error: error?.message, hostBlockedMs: blockedMs, steps: h.steps, timings: h.timings });
  }
} finally {
  await harness.close();
}

fs.mkdirSync(outRoot, { recursive: true });
fs.writeFileSync(path.join(outRoot, only ? `summary-${only.join('-')}.json` : 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
console.log('');
for (const s of summary) {
  const blocked = s.hostBlockedMs === undefined ? '' : `, extension host blocked at most ${s.hostBlockedMs} ms`;
  console.log(`${s.ok ? 'ok    ' : 'FAILED'} ${s.name} (${s.seconds.toFixed(1)} s${blocked})${s.error ? `: ${s.error.split('\n')[0]}` : ''}`);
  for (const st of s.steps) console.log(`         ${st.ok ? 'ok' : 'FAILED'} ${st.name} (${st.seconds.toFixed(1)} s)${st.error ? `: ${st.error.split('\n')[0]}` : ''}`);
}
const failed = summary.filter((s) => !s.ok).length;
console.log(`e2e: ${summary.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
