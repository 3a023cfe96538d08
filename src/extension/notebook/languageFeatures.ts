// Editor features of Data Diet cells (language `datadiet`): completions, hovers and diagnostics, all computed by the
// pure modules in core/cells from the command table and the recorded runs.
import * as vscode from 'vscode';
import { completeCell, type CellCompletion } from '../../core/cells/complete';
import { diagnoseCell } from '../../core/cells/diagnose';
import { hoverCell } from '../../core/cells/hover';
import type { Severity, Span } from '../../core/cells/parse';
import { CELL_LANGUAGE } from '../../core/cells/starter';
import type { RunCache } from './runCache';

const SELECTOR: vscode.DocumentSelector = [{ language: CELL_LANGUAGE }];

const range = (s: Span) => new vscode.Range(s.line, s.start, s.line, s.end);

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

const KIND: Record<CellCompletion['kind'], vscode.CompletionItemKind> = {
  command: vscode.CompletionItemKind.Function,
  argument: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.EnumMember,
  run: vscode.CompletionItemKind.Folder,
  score: vscode.CompletionItemKind.Value,
};

function toItem(c: CellCompletion): vscode.CompletionItem {
  const item = new vscode.CompletionItem(c.label, KIND[c.kind]);
  item.insertText = c.insertText;
  item.range = range(c.span);
  item.detail = c.detail;
  if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
  if (c.sortText) item.sortText = c.sortText;
  if (c.retrigger) item.command = { command: 'editor.action.triggerSuggest', title: 'values' };
  return item;
}

export function registerLanguageFeatures(context: vscode.ExtensionContext, runs: RunCache): void {
  const diagnostics = vscode.languages.createDiagnosticCollection('datadiet');
  const check = (doc: vscode.TextDocument) => {
    if (doc.languageId !== CELL_LANGUAGE) return;
    const { diagnostics: found } = diagnoseCell(doc.getText(), { runs: runs.get() });
    diagnostics.set(
      doc.uri,
      found.map((d) => {
        const diag = new vscode.Diagnostic(range(d.span), d.message, SEVERITY[d.severity]);
        diag.source = 'Data Diet';
        return diag;
      }),
    );
  };
  // Re-check shortly after typing stops, not on every keystroke.
  const timers = new Map<string, NodeJS.Timeout>();
  const later = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => (timers.delete(key), check(doc)), 200));
  };
  context.subscriptions.push(
    diagnostics,
    vscode.languages.registerCompletionItemProvider(
      SELECTOR,
      { provideCompletionItems: (doc, pos) => completeCell(doc.getText(), pos.line, pos.character, { runs: runs.get() }).map(toItem) },
      '=',
      ',',
      ' ',
    ),
    vscode.languages.registerHoverProvider(SELECTOR, {
      provideHover: (doc, pos) => {
        const h = hoverCell(doc.getText(), pos.line, pos.character, { runs: runs.get() });
        return h && new vscode.Hover(new vscode.MarkdownString(h.markdown), range(h.span));
      },
    }),
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((e) => later(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => diagnostics.delete(doc.uri)),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
  vscode.workspace.textDocuments.forEach(check);
}
