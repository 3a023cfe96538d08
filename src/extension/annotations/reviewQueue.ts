// The review queue: a webview that walks a score run's suspects, most suspicious first, with the image large
// and its nearest neighbours (by the run's embeddings when it recorded them, else in pixel space) among the
// examples labelled with the claimed class and with the predicted class. Keys: digits relabel, x excludes, space accepts the label, arrows move. Decisions go to the
// dataset's annotations.jsonl; the panel follows every change of that file (this window, others, the editor).
// Reading the run and its images and searching neighbours happen in a worker thread (reviewWorker.ts); this side
// only keeps the position, the decisions and the messages, so the editor stays responsive on any dataset size.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { onAnyStoreChange, storeFor } from '../../core/annotations/annotationTarget';
import { exampleKey, type AnnotationEntry } from '../../core/annotations/annotationEntry';
import { firstOpenPosition, type ReviewIndex, type ReviewItem } from '../../core/annotations/reviewSession';
import { ReviewClient } from '../../engine/reviewClient';
import { suspectMethod, suspectThreshold } from './annotationSettings';

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
  private readonly client: ReviewClient;
  private index: ReviewIndex | undefined;
  private position = 0;
  /** The item shown (or being fetched) and the newest request, so late answers of older moves are dropped. */
  private item: ReviewItem | undefined;
  private wanted = -1;
  private status = 'Opening the review queue…';
  private disposed = false;

  /** Opens (or reveals) the queue of a score run; returns at once, the panel fills in as the worker reads. */
  static show(extensionUri: vscode.Uri, root: string, runDir: string, log: (l: string) => void): ReviewQueue {
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
    ReviewQueue.current = new ReviewQueue(panel, extensionUri, root, runDir, log);
    return ReviewQueue.current;
  }

  static get active(): ReviewQueue | undefined {
    return ReviewQueue.current;
  }

  /** Resolves when the queue has its suspects (or failed to read them): for tests and follow-up commands. */
  readonly opened: Promise<ReviewIndex | undefined>;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    root: string,
    readonly runDir: string,
    private readonly log: (l: string) => void,
  ) {
    this.client = new ReviewClient(vscode.Uri.joinPath(extensionUri, 'dist', 'reviewWorker.js').fsPath, (stage) => this.showStatus(`Opening the review queue: ${stage}…`));
    panel.webview.html = this.html(panel.webview, extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m) => this.receive(m)),
      onAnyStoreChange((file) => {
        if (this.index && path.resolve(file) === path.resolve(this.index.file)) this.post();
      }),
    );
    const started = Date.now();
    this.opened = this.client.open(runDir, root, suspectThreshold(), suspectMethod()).then(
      (o) => {
        if (this.disposed) return undefined;
        this.index = o.index;
        if (o.firstProblem) this.log(`review queue: ${o.imageProblems || 'the'} images not shown, e.g. ${o.firstProblem}`);
        this.log(`review queue: ${o.index.keys.length} suspects of ${o.index.runName} read in ${Date.now() - started} ms`);
        if (o.index.keys.length === 0) {
          this.showStatus(`No suspects in ${o.index.runName} (${suspectMethod() === 'threshold' ? `threshold ${o.index.threshold}` : 'confident learning'}).`);
          return o.index;
        }
        // Reopening continues where the review stopped: the first suspect without a decision.
        this.moveTo(firstOpenPosition(o.index.keys, this.decisions()));
        return o.index;
      },
      (e: Error) => {
        this.log(`review queue: ${e.message}`);
        this.showStatus(`The review queue could not be opened: ${e.message}`);
        return undefined;
      },
    );
  }

  private html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'reviewQueue.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'reviewQueue.css'));
    const csp = `default-src 'none'; img-src data: ${webview.cspSource}; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';`;
    return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="${style}"><title>Review queue</title></head><body><main id="app" tabindex="0"><p id="status" role="status">Opening the review queue…</p></main><script nonce="${nonce}" src="${script}"></script></body></html>`;
  }

  private showStatus(message: string): void {
    this.status = message;
    if (!this.disposed) void this.panel.webview.postMessage({ type: 'empty', message });
  }

  private decisions(): Map<string, AnnotationEntry> {
    return this.index ? storeFor(this.index.file).latest() : new Map();
  }

  private moveTo(position: number): void {
    const n = this.index?.keys.length ?? 0;
    if (!n) return;
    this.position = Math.max(0, Math.min(position, n - 1));
    const want = this.position;
    this.wanted = want;
    this.client.item(want).then(
      (item) => {
        if (this.disposed || this.wanted !== want) return;
        this.item = item;
        this.post();
      },
      (e: Error) => {
        if (this.disposed) return;
        this.log(`review queue: ${e.message}`);
        this.showStatus(`The review queue stopped: ${e.message}`);
      },
    );
  }

  /** The current item with what only this side knows: its decision and the count of decided suspects. */
  private post(): void {
    const index = this.index;
    const item = this.item;
    if (!index || !item || item.position !== this.position) {
      if (!this.item) this.showStatus(this.status);
      return;
    }
    const latest = this.decisions();
    let reviewed = 0;
    for (const k of index.keys) if (latest.has(k)) reviewed++;
    const decided = latest.get(exampleKey(item.target));
    const name = (c: number | string | undefined) => (typeof c === 'number' ? (index.classes[c] ?? String(c)) : c);
    void this.panel.webview.postMessage({
      type: 'item',
      ...item,
      reviewed,
      decision: decided ? { action: decided.action, newLabel: decided.newLabel, newLabelName: name(decided.newLabel), time: decided.time } : undefined,
      file: index.file,
    });
  }

  private receive(raw: unknown): void {
    const m = parseFromView(raw);
    if (!m) return;
    if (m.type === 'ready') return this.item ? this.post() : this.showStatus(this.status);
    if (m.type === 'move') return this.moveTo(this.position + m.delta);
    const index = this.index;
    if (!index || index.keys.length === 0) return;
    if (m.action === 'relabel' && !(m.label! < index.classes.length)) return;
    // The decision is for the suspect at the current position, shown or still on its way from the worker.
    const at = this.position;
    try {
      storeFor(index.file).append([
        {
          ...index.targets[at],
          action: m.action,
          originalLabel: index.labels[at],
          ...(m.action === 'relabel' ? { newLabel: m.label! } : {}),
          note: 'review queue',
        },
      ]);
      // Move on after a decision (the store's change event re-posts the decided item until the next arrives).
      if (this.position < index.keys.length - 1) this.moveTo(this.position + 1);
      else this.post();
    } catch (e) {
      this.log(`review queue: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Data Diet: could not save the annotation: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (ReviewQueue.current === this) ReviewQueue.current = undefined;
    this.client.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
