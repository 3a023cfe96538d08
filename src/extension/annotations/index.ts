// Registers the annotation features: manifest diagnostics/hints/hovers/quick fixes, the review queue, re-scoring
// with annotations, cleaned-manifest export, and file watchers so every view follows annotations.jsonl.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { annotationTargetForRun, onAnyStoreChange, storeFor } from '../../core/annotations/annotationTarget';
import { describeProblems } from '../../core/annotations/annotationStore';
import { exampleKey } from '../../core/annotations/annotationEntry';
import { exportCleanedManifest } from '../../core/annotations/apply';
import { loadRunSuspects, SUSPECT_RUN_KINDS } from '../../core/annotations/runSuspects';
import { listRuns, readRun, runsDir } from '../../core/store/runStore';
import { importedRunInfo } from '../../core/store/importedRun';
import type { RunManifest } from '../../contract/runManifest';
import { rerunRequest, type JobRequest } from '../wizard';
import { runDirOf } from '../runArgument';
import { requireTrust } from '../trust';
import { suspectMethod, suspectThreshold } from './annotationSettings';
import { annotationsFileOf, ManifestFeature } from './manifestFeature';
import { ReviewQueue } from './reviewQueue';
import { SuspectCache } from './suspectCache';

export interface AnnotationDeps {
  readonly runsRoot: () => string;
  readonly log: (line: string) => void;
  readonly startJobs: (requests: readonly JobRequest[]) => Promise<RunManifest[]>;
}

export function registerAnnotations(context: vscode.ExtensionContext, d: AnnotationDeps): void {
  const cache = new SuspectCache();
  const manifests = new ManifestFeature(cache, d.runsRoot, d.log, vscode.Uri.joinPath(context.extensionUri, 'dist', 'manifestWorker.js').fsPath);

  const pickScoreRun = async (arg: unknown, placeHolder: string): Promise<string | undefined> => {
    const root = d.runsRoot();
    const given = runDirOf(runsDir(root), arg);
    if (given) return given;
    const runs = listRuns(root).filter((r) => r.manifest && SUSPECT_RUN_KINDS.includes(r.manifest.kind) && r.manifest.status === 'done' && cache.hasPredictions(r.dir));
    if (runs.length === 0) {
      void vscode.window.showInformationMessage(`Data Diet: no finished score or audit run with predictions under ${root}; run Find Label Errors or Compute Scores first.`);
      return undefined;
    }
    if (runs.length === 1) return runs[0].dir;
    const pick = await vscode.window.showQuickPick(
      runs.map((r) => ({ label: r.manifest!.id, description: `${r.manifest!.kind === 'audit' ? 'audit, ' : ''}${r.manifest!.dataset?.name ?? ''}`, dir: r.dir })),
      { title: 'Data Diet: Run with Predictions', placeHolder, matchOnDescription: true },
    );
    return pick?.dir;
  };

  const refresh = () => {
    manifests.refreshAll();
  };
  const watchers = [
    vscode.workspace.createFileSystemWatcher('**/annotations.jsonl'),
    vscode.workspace.createFileSystemWatcher('**/.datadiet/runs/*/predictions/softmax.parquet'),
  ];
  for (const w of watchers) {
    w.onDidChange(refresh);
    w.onDidCreate(refresh);
    w.onDidDelete(refresh);
  }
  // Another window or the CLI wrote the file: tell this window's store, whose listeners (review queue) re-read.
  watchers[0].onDidChange((uri) => storeFor(uri.fsPath).notifyExternalChange());

  context.subscriptions.push(
    manifests,
    ...watchers,
    onAnyStoreChange((file, e) => {
      refresh();
      if (e.quarantined) {
        void vscode.window.showWarningMessage(`Data Diet: ${file} had unreadable lines (${describeProblems(e.quarantined.problems)}); it was kept as ${path.basename(e.quarantined.movedTo)} and its readable entries carried over.`);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('datadiet.annotations')) refresh();
    }),
    vscode.commands.registerCommand('datadiet.openReviewQueue', async (arg?: unknown) => {
      const runDir = await pickScoreRun(arg, 'Review the suspects of which score or audit run?');
      if (!runDir) return undefined;
      try {
        return ReviewQueue.show(context.extensionUri, d.runsRoot(), runDir, d.log);
      } catch (e) {
        void vscode.window.showErrorMessage(`Data Diet: cannot open the review queue: ${(e as Error).message}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('datadiet.rescoreWithAnnotations', async (arg?: unknown) => {
      if (!requireTrust('re-score with annotations')) return undefined;
      const runDir = await pickScoreRun(arg, 'Re-run which score or audit run with its annotations applied?');
      if (!runDir) return undefined;
      const m = readRun(runDir).manifest;
      if (m && importedRunInfo(m)) {
        // Data Diet cannot retrain someone else's model: the corrected labels go into their training.
        void vscode.window.showInformationMessage(`Data Diet: ${m.id} holds imported ${importedRunInfo(m)!.what}, which Data Diet cannot recompute: train your model with the annotations applied (or export a cleaned manifest), then import its new predictions.`);
        return undefined;
      }
      const target = annotationTargetForRun(d.runsRoot(), runDir);
      if (!m || !fs.existsSync(target.file)) {
        void vscode.window.showInformationMessage(`Data Diet: no annotations yet for this run's dataset (${target.file}).`);
        return undefined;
      }
      const before = loadRunSuspects(runDir, { threshold: suspectThreshold(), method: suspectMethod() }).ranking.count;
      // An audit is audited again, a score run scored again.
      const req = rerunRequest(m.kind === 'audit' ? 'audit' : 'score', { ...m.config, annotations: target.file }, `${m.id} with annotations`);
      if (!req) return undefined;
      const [done] = await d.startJobs([{ ...req, title: `${m.kind === 'audit' ? 'Re-auditing' : 'Re-scoring'} ${m.id} with annotations` }]);
      if (!done || done.status !== 'done') return done;
      const after = loadRunSuspects(path.join(runsDir(d.runsRoot()), done.id), { threshold: suspectThreshold(), method: suspectMethod() });
      const noise = after.quality ? `; ${after.quality.corrupted} injected-noise labels remain uncorrected` : '';
      // Suspects the user already decided on (reviewed as correct, say) stay suspects of the model; count the rest.
      const newTarget = annotationTargetForRun(d.runsRoot(), after.runDir); // indices of the new run's split
      const latest = storeFor(newTarget.file).latest();
      const p = after.predictions;
      let open = 0;
      for (const r of after.ranking.order.subarray(0, after.ranking.count)) {
        const decided = latest.get(exampleKey(newTarget.keyOf(p.index[r])));
        if (!decided || decided.action === 'flag') open++;
      }
      void vscode.window.showInformationMessage(`Data Diet: ${after.ranking.count} suspects remain after the fixes (were ${before}), ${open} not reviewed yet${noise}.`, 'Open Review Queue').then((pick) => {
        if (pick) void vscode.commands.executeCommand('datadiet.openReviewQueue', after.runDir);
      });
      return done;
    }),
    vscode.commands.registerCommand('datadiet.exportCleanedManifest', async (arg?: unknown) => {
      const manifest = arg instanceof vscode.Uri ? arg.fsPath : vscode.window.activeTextEditor?.document.uri.fsPath;
      if (!manifest || !/\.(csv|jsonl|ndjson)$/i.test(manifest)) {
        void vscode.window.showInformationMessage('Data Diet: open a CSV or JSONL label manifest first.');
        return undefined;
      }
      const ext = path.extname(manifest);
      const out = path.join(path.dirname(manifest), `${path.basename(manifest, ext)}.cleaned${ext}`);
      try {
        const a = storeFor(annotationsFileOf(manifest)).read();
        if (a.problems.length) throw new Error(describeProblems(a.problems));
        const r = exportCleanedManifest(manifest, a.entries, path.dirname(manifest), out);
        void vscode.window.showInformationMessage(`Data Diet: wrote ${path.basename(out)}: ${r.kept} rows (${r.relabeled} relabeled, ${r.excluded} excluded).`);
        return r;
      } catch (e) {
        void vscode.window.showErrorMessage(`Data Diet: ${(e as Error).message}`);
        return undefined;
      }
    }),
  );
}
