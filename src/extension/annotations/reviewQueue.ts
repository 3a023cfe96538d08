// The review queue: a webview that walks a score run's suspects, most suspicious first, with the image large
// and its nearest neighbours (pixel space) among the examples labelled with the claimed class and with the
// predicted class. Keys: digits relabel, x excludes, space accepts the label, arrows move. Decisions go to the
// dataset's annotations.jsonl; the panel follows every change of that file (this window, others, the editor).
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { annotationTargetForRun, onAnyStoreChange, storeFor, type AnnotationTarget } from '../../core/annotations/annotationTarget';
import { exampleKey, type AnnotationEntry } from '../../core/annotations/annotationEntry';
import { nearestInPixels } from '../../core/annotations/neighbours';
import { predictionsDir } from '../../core/annotations/predictions';
import { rowPixels, type RowPixels } from '../../core/annotations/rowPixels';
import { LruCache } from '../../core/annotations/sourceImages';
import { thumbnailDataUri } from '../../core/notebook/thumbnail';
import { suspectThreshold } from './annotationSettings';
import type { CachedRun, SuspectCache } from './suspectCache';

/** Webview -> extension messages; checked before use (webview content is not trusted input). */
type FromView = { type: 'ready' } | { type: 'move'; delta: number } | { type: 'decide'; action: 'relabel' | 'exclude' | 'ok'; label?: number };

function parseFromView(m: unknown): FromView | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const o = m as Record<string, unknown>;
  if (o.type === 'ready') return { type: 'ready' };
  if (o.type === 'move' && (o.delta === 1 || o.delta === -1)) return { type: 'move', delta: o.delta };
  if (o.type === 'decide' && (o.action === 'exclude' || o.action === 'ok')) return { type: 'decide', action: o.action };
  if (o.type === 'decide' && o.action === 'relabel' && Number.isInteger(o.label) && (o.label as number) >= 0) return { type: 'decide', action: 'relabel', label: o.label as number };
  return undefined;
}

export class ReviewQueue implements vscode.Disposable {
  private static current: ReviewQueue | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private position = 0;
  private readonly rows: number[];
  private readonly target: AnnotationTarget;
  /**
   * One image per prediction row (not per dataset index: a manifest's split moves when its labels change). Read
   * asynchronously after the panel opens (the host stays responsive); undefined until then.
   */
  private pixels: RowPixels | undefined;
  private pixelError: string | undefined;
  private readonly thumbs = new LruCache<string>(512);
  private readonly byClass = new Map<number, number[]>();
  private disposed = false;

  static show(extensionUri: vscode.Uri, cache: SuspectCache, root: string, runDir: string, log: (l: string) => void): ReviewQueue {
    if (ReviewQueue.current?.runDir === runDir) {
      ReviewQueue.current.panel.reveal();
      return ReviewQueue.current;
    }
    ReviewQueue.current?.dispose();
    const panel = vscode.window.createWebviewPanel('datadiet.reviewQueue', `Review: ${path.basename(runDir)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
      retainContextWhenHidden: true,
    });
    ReviewQueue.current = new ReviewQueue(panel, extensionUri, cache.run(runDir, suspectThreshold()), root, runDir, log);
    return ReviewQueue.current;
  }

  static get active(): ReviewQueue | undefined {
    return ReviewQueue.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly run: CachedRun,
    root: string,
    readonly runDir: string,
    private readonly log: (l: string) => void,
  ) {
    const s = run.suspects;
    this.rows = Array.from(s.ranking.order.subarray(0, s.ranking.count));
    this.target = annotationTargetForRun(root, runDir);
    const p = s.predictions;
    void rowPixels(run.datasetSpec, p.index, p.sources, { root, sourcesFile: path.join(predictionsDir(runDir), 'sources.json') }).then(
      (px) => {
        this.pixels = px;
        if (px.problems.size) this.log(`review queue: ${px.problems.size} images not shown, e.g. ${px.problems.values().next().value}`);
        // Candidates for neighbours: scored rows by the label the run trained on, not suspects, with an image.
        for (let r = 0; r < p.index.length; r++) {
          if (s.ranking.flagged[r] || px.problems.has(r)) continue;
          const list = this.byClass.get(p.label[r]) ?? [];
          list.push(r);
          this.byClass.set(p.label[r], list);
        }
        if (!this.disposed) this.post();
      },
      (e: Error) => {
        this.pixelError = e.message;
        this.log(`review queue: images not loaded: ${e.message}`);
        if (!this.disposed) this.post();
      },
    );
    panel.webview.html = this.html(panel.webview, extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m) => this.receive(m)),
      onAnyStoreChange((file) => {
        if (path.resolve(file) === path.resolve(this.target.file)) this.post();
      }),
    );
  }

  private html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'reviewQueue.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'reviewQueue.css'));
    const csp = `default-src 'none'; img-src data: ${webview.cspSource}; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';`;
    return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="${style}"><title>Review queue</title></head><body><main id="app" tabindex="0"><p id="status">Loading…</p></main><script nonce="${nonce}" src="${script}"></script></body></html>`;
  }

  private name(c: number): string {
    return this.run.classNames?.[c] ?? String(c);
  }

  private decisions(): Map<string, AnnotationEntry> {
    return storeFor(this.target.file).latest();
  }

  private post(): void {
    const s = this.run.suspects;
    const p = s.predictions;
    const latest = this.decisions();
    const reviewed = this.rows.filter((r) => latest.has(exampleKey(this.target.keyOf(p.index[r])))).length;
    if (this.rows.length === 0) {
      void this.panel.webview.postMessage({ type: 'empty', message: `No suspects at threshold ${s.ranking.threshold} in ${path.basename(this.runDir)}.` });
      return;
    }
    const px = this.pixels;
    if (!px && !this.pixelError) {
      void this.panel.webview.postMessage({ type: 'empty', message: `Loading the images of ${this.rows.length} suspects…` });
      return;
    }
    this.position = Math.max(0, Math.min(this.position, this.rows.length - 1));
    const r = this.rows[this.position];
    const index = p.index[r];
    const label = p.label[r];
    const predicted = p.predicted[r];
    const thumb = (row: number): string | undefined => {
      if (!px || px.problems.has(row)) return undefined;
      let uri = this.thumbs.get(String(row));
      if (uri === undefined) this.thumbs.set(String(row), (uri = thumbnailDataUri(px, row, 64)));
      return uri;
    };
    const imageProblem = px ? px.problems.get(r) : this.pixelError;
    const neighbours = (cls: number) => (px && !imageProblem ? nearestInPixels(px, r, this.byClass.get(cls) ?? [], 5).map((q) => ({ index: p.index[q], image: thumb(q) })) : []);
    const decided = latest.get(exampleKey(this.target.keyOf(index)));
    const k = p.numClasses;
    void this.panel.webview.postMessage({
      type: 'item',
      position: this.position,
      total: this.rows.length,
      reviewed,
      index,
      source: p.sources ? path.basename(p.sources[r]) : undefined,
      label,
      labelName: this.name(label),
      predicted,
      predictedName: this.name(predicted),
      confidence: p.confidence[r],
      suspicion: s.ranking.suspicion[r],
      score: s.score ? { name: s.score.name, value: s.score.score[r], percentile: this.run.percentiles?.[r] } : undefined,
      top: Array.from({ length: k }, (_, c) => ({ name: this.name(c), p: p.probs[r * k + c] })).sort((a, b) => b.p - a.p).slice(0, 3),
      image: thumb(r),
      imageProblem,
      claimed: neighbours(label),
      predictedNeighbours: neighbours(predicted),
      classes: Array.from({ length: Math.min(k, 10) }, (_, c) => this.name(c)),
      decision: decided ? { action: decided.action, newLabel: decided.newLabel, time: decided.time } : undefined,
      file: this.target.file,
    });
  }

  private receive(raw: unknown): void {
    const m = parseFromView(raw);
    if (!m) return;
    if (m.type === 'ready') return this.post();
    if (m.type === 'move') {
      this.position += m.delta;
      return this.post();
    }
    const r = this.rows[this.position];
    if (r === undefined) return;
    const p = this.run.suspects.predictions;
    if (m.action === 'relabel' && !(m.label! < p.numClasses)) return;
    try {
      storeFor(this.target.file).append([
        {
          ...this.target.keyOf(p.index[r]),
          action: m.action,
          originalLabel: p.label[r],
          ...(m.action === 'relabel' ? { newLabel: m.label! } : {}),
          note: 'review queue',
        },
      ]);
      // Move on after a decision (the store's change event re-posts; moving first shows the next example).
      if (this.position < this.rows.length - 1) this.position++;
      this.post();
    } catch (e) {
      this.log(`review queue: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Data Diet: could not save the annotation: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (ReviewQueue.current === this) ReviewQueue.current = undefined;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

