// Label manifests (CSV path,label / JSONL) in the editor: suspect rows get a diagnostic on the label, an inlay
// hint with the score and the predicted class, a hover with the image, its score percentile and top predictions,
// and quick fixes: relabel to the predicted class (a text edit, so undo works), mark reviewed, exclude from
// training (both written to annotations.jsonl next to the manifest).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { manifestFormat } from '../../core/data/manifest';
import { labelSpan, type RowSuspect } from '../../core/annotations/manifestReview';
import { ManifestClient } from '../../engine/manifestClient';
import { ANNOTATIONS_FILE } from '../../core/annotations/annotationStore';
import { storeFor } from '../../core/annotations/annotationTarget';
import type { AnnotationEntry } from '../../core/annotations/annotationEntry';
import { LruCache, sourceThumbnail, type SourceThumbnail } from '../../core/annotations/sourceImages';
import { diagnosticSeverity, suspectMethod, suspectThreshold } from './annotationSettings';
import type { SuspectCache } from './suspectCache';

const SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.csv' },
  { scheme: 'file', pattern: '**/*.jsonl' },
  { scheme: 'file', pattern: '**/*.ndjson' },
];
const isManifestDoc = (d: vscode.TextDocument) => d.uri.scheme === 'file' && /\.(csv|jsonl|ndjson)$/i.test(d.uri.fsPath) && path.basename(d.uri.fsPath) !== ANNOTATIONS_FILE;

const HELD_OUT =
  'Held out of training by the score run (its test split, a seeded stratified sixth of a manifest without test rows, or its validation split), so it has no scores and no prediction, and its label is not checked. Its label still counts in the measured test accuracy.';

interface DocState {
  readonly runDir: string;
  readonly rows: Map<number, RowSuspect>;
  /** Lines the run held out (test or validation split): not scored, so not checked. */
  readonly unscored: Set<number>;
  readonly decisions: Map<string, AnnotationEntry>;
  readonly annotationsFile: string;
}

export function annotationsFileOf(manifest: string): string {
  return path.join(path.dirname(manifest), ANNOTATIONS_FILE);
}

/** The annotation key of a manifest row: its image path relative to the annotations file's folder. */
export function rowKey(manifest: string, rowPath: string): string {
  return path.relative(path.dirname(manifest), path.resolve(path.dirname(manifest), rowPath)).split(path.sep).join('/');
}

export class ManifestFeature implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('datadiet-suspects');
  private readonly states = new Map<string, DocState | undefined>();
  private readonly hintsChanged = new vscode.EventEmitter<void>();
  private readonly thumbs = new LruCache<SourceThumbnail>(256);
  private readonly disposables: vscode.Disposable[] = [];

  private readonly client: ManifestClient;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly cache: SuspectCache,
    private readonly runsRoot: () => string,
    private readonly log: (line: string) => void,
    manifestWorker: string,
  ) {
    this.client = new ManifestClient(manifestWorker);
    const self = this;
    this.disposables.push(
      this.diagnostics,
      this.hintsChanged,
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.update(e.document, 300)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.states.delete(d.uri.toString());
        this.diagnostics.delete(d.uri);
      }),
      vscode.languages.registerHoverProvider(SELECTOR, { provideHover: (d, p) => this.hover(d, p) }),
      vscode.languages.registerInlayHintsProvider(SELECTOR, { onDidChangeInlayHints: this.hintsChanged.event, provideInlayHints: (d, r) => this.hints(d, r) }),
      vscode.languages.registerCodeActionsProvider(SELECTOR, { provideCodeActions: (d, r) => self.actions(d, r) }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.commands.registerCommand('datadiet.annotations.markRow', (manifest: string, rowPath: string, action: 'ok' | 'exclude', label?: string) => this.markRow(manifest, rowPath, action, label)),
    );
    for (const d of vscode.workspace.textDocuments) this.update(d);
  }

  /** Recomputes every open manifest (runs or annotations changed). */
  refreshAll(): void {
    for (const d of vscode.workspace.textDocuments) this.update(d);
  }

  /**
   * Recomputes a manifest's suspect rows in the manifest worker (parsing a large manifest and reading its run's
   * predictions would block the editor); edits are debounced, and an answer for an older text is dropped.
   */
  update(d: vscode.TextDocument, delayMs = 0): void {
    if (!isManifestDoc(d)) return;
    const key = d.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.recompute(d);
      }, delayMs),
    );
  }

  private async recompute(d: vscode.TextDocument): Promise<void> {
    const key = d.uri.toString();
    const seq = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, seq);
    let state: DocState | undefined;
    try {
      const runDir = this.cache.runForManifest(this.runsRoot(), d.uri.fsPath);
      // Undefined while the text does not parse (mid-edit): quiet until it does.
      const review = runDir ? await this.client.review(d.uri.fsPath, d.getText(), runDir, suspectThreshold(), suspectMethod()) : undefined;
      if (runDir && review) {
        const annotationsFile = annotationsFileOf(d.uri.fsPath);
        state = { runDir, rows: new Map(review.rows.map((r) => [r.line, r])), unscored: new Set(review.unscored), decisions: storeFor(annotationsFile).latest(), annotationsFile };
      }
    } catch (e) {
      this.log(`annotations: ${d.uri.fsPath}: ${(e as Error).message}`);
    }
    if (this.versions.get(key) !== seq || d.isClosed) return;
    this.states.set(key, state);
    this.publish(d, state);
    this.hintsChanged.fire();
  }

  private decision(d: vscode.TextDocument, s: DocState, r: RowSuspect): AnnotationEntry | undefined {
    return s.decisions.get(`path:${rowKey(d.uri.fsPath, r.path)}`);
  }

  private labelRange(d: vscode.TextDocument, line: number): vscode.Range {
    const text = d.lineAt(line - 1).text;
    const span = labelSpan(text, manifestFormat(d.uri.fsPath));
    return span ? new vscode.Range(line - 1, span.start, line - 1, span.end) : d.lineAt(line - 1).range;
  }

  private publish(d: vscode.TextDocument, s: DocState | undefined): void {
    const severity = diagnosticSeverity();
    if (!s || severity === undefined) {
      this.diagnostics.delete(d.uri);
      return;
    }
    const out: vscode.Diagnostic[] = [];
    for (const r of s.rows.values()) {
      if (!r.flagged || r.line > d.lineCount) continue;
      // A decision in annotations.jsonl (reviewed, excluded, relabeled for training) settles the row; a flag does not.
      const decided = this.decision(d, s, r)?.action;
      if (decided && decided !== 'flag') continue;
      const score = r.scoreName && r.score !== undefined ? `; ${r.scoreName} ${r.score.toFixed(3)}${r.percentile !== undefined ? ` (${ordinal(r.percentile)})` : ''}` : '';
      const diag = new vscode.Diagnostic(this.labelRange(d, r.line), `Suspected label issue: labelled "${r.label}", the model predicts "${r.predictedName}" (${(100 * r.confidence).toFixed(1)}%)${score}`, severity);
      diag.source = 'Data Diet';
      diag.code = 'suspect-label';
      out.push(diag);
    }
    this.diagnostics.set(d.uri, out);
  }

  private hints(d: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    const s = this.states.get(d.uri.toString());
    if (!s) return [];
    const out: vscode.InlayHint[] = [];
    for (let line = range.start.line + 1; line <= Math.min(range.end.line + 1, d.lineCount); line++) {
      const r = s.rows.get(line);
      if (!r) {
        if (s.unscored.has(line)) {
          const hint = new vscode.InlayHint(d.lineAt(line - 1).range.end, '  held out: not scored', vscode.InlayHintKind.Type);
          hint.paddingLeft = true;
          hint.tooltip = HELD_OUT;
          out.push(hint);
        }
        continue;
      }
      const decided = this.decision(d, s, r)?.action;
      const score = r.scoreName && r.score !== undefined ? `${r.scoreName} ${r.score.toFixed(2)} · ` : '';
      const label = `${score}pred ${r.predictedName} ${(100 * r.confidence).toFixed(0)}%${decided === 'ok' ? ' · reviewed' : decided === 'exclude' ? ' · excluded' : decided === 'relabel' ? ' · relabeled in annotations' : ''}`;
      const hint = new vscode.InlayHint(d.lineAt(line - 1).range.end, `  ${label}`, vscode.InlayHintKind.Type);
      hint.paddingLeft = true;
      out.push(hint);
    }
    return out;
  }

  private async hover(d: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const s = this.states.get(d.uri.toString());
    const r = s?.rows.get(pos.line + 1);
    if (s && !r && s.unscored.has(pos.line + 1)) return new vscode.Hover(new vscode.MarkdownString(`${HELD_OUT}\n\n_score run ${escapeMd(path.basename(s.runDir))}_`));
    if (!s || !r) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.supportHtml = true;
    md.isTrusted = false;
    try {
      // Read asynchronously, only from inside the manifest's folder (sourceImages.ts), and cached.
      const t = await sourceThumbnail(path.dirname(d.uri.fsPath), r.path, { file: d.uri.fsPath, place: `line ${r.line}` }, this.thumbs);
      const scale = Math.max(1, Math.floor(112 / Math.max(t.width, t.height)));
      md.appendMarkdown(`<img src="${t.uri}" width="${t.width * scale}" height="${t.height * scale}" alt="${escapeHtml(r.path)}"/>\n\n`);
    } catch (e) {
      md.appendText(`(image not shown: ${(e as Error).message})\n\n`);
    }
    md.appendMarkdown(`**${escapeMd(r.path)}** labelled **${escapeMd(r.label)}**${r.flagged ? ' — suspected label issue' : ''}\n\n`);
    if (r.scoreName && r.score !== undefined) md.appendMarkdown(`${escapeMd(r.scoreName)} ${r.score.toFixed(3)}${r.percentile !== undefined ? `, ${ordinal(r.percentile)}` : ''}; review rank ${r.rank + 1}\n\n`);
    md.appendMarkdown(`Top predictions: ${r.top.map((t) => `${escapeMd(t.name)} ${(100 * t.p).toFixed(1)}%`).join(', ')}\n\n`);
    const decided = this.decision(d, s, r);
    if (decided) md.appendMarkdown(`Annotated: ${decided.action}${decided.newLabel !== undefined ? ` → ${escapeMd(String(decided.newLabel))}` : ''} (${escapeMd(decided.time)})\n\n`);
    md.appendMarkdown(`_score run ${escapeMd(path.basename(s.runDir))}_`);
    return new vscode.Hover(md, this.labelRange(d, r.line));
  }

  private actions(d: vscode.TextDocument, range: vscode.Range): vscode.CodeAction[] {
    const s = this.states.get(d.uri.toString());
    const r = s?.rows.get(range.start.line + 1);
    if (!s || !r) return [];
    const diags = this.diagnostics.get(d.uri)?.filter((x) => x.range.start.line === r.line - 1) ?? [];
    const out: vscode.CodeAction[] = [];
    const span = labelSpan(d.lineAt(r.line - 1).text, manifestFormat(d.uri.fsPath));
    if (span && r.predictedName !== r.label) {
      const fix = new vscode.CodeAction(`Relabel to "${r.predictedName}" (predicted, ${(100 * r.confidence).toFixed(1)}%)`, vscode.CodeActionKind.QuickFix);
      fix.edit = new vscode.WorkspaceEdit();
      fix.edit.replace(d.uri, new vscode.Range(r.line - 1, span.start, r.line - 1, span.end), span.replacement(r.predictedName));
      fix.diagnostics = diags;
      fix.isPreferred = true;
      out.push(fix);
    }
    const mark = (title: string, action: 'ok' | 'exclude') => {
      const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      a.command = { command: 'datadiet.annotations.markRow', title, arguments: [d.uri.fsPath, r.path, action, r.label] };
      a.diagnostics = diags;
      out.push(a);
    };
    mark('Mark as reviewed (label is correct)', 'ok');
    mark('Exclude from training', 'exclude');
    return out;
  }

  private markRow(manifest: string, rowPath: string, action: 'ok' | 'exclude', label?: string): void {
    const file = annotationsFileOf(manifest);
    try {
      storeFor(file).append([{ path: rowKey(manifest, rowPath), action, ...(label ? { originalLabel: label } : {}), note: 'editor quick fix' }]);
    } catch (e) {
      void vscode.window.showErrorMessage(`Data Diet: could not write ${file}: ${(e as Error).message}`);
    }
    // The store's change event refreshes every view (see annotations/index.ts).
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.client.dispose();
    for (const x of this.disposables) x.dispose();
  }
}

/** "percentile 95.2" (a decimal percentile has no natural ordinal suffix). */
function ordinal(p: number): string {
  return `percentile ${Math.round(p * 10) / 10}`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function escapeMd(s: string): string {
  return escapeHtml(s).replace(/[\\`*_{}[\]()#+\-.!|~]/g, '\\$&');
}
