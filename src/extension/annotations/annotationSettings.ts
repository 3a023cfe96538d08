// Settings of the annotation views (datadiet.annotations.*), read with defaults and checked.
import * as vscode from 'vscode';
import { DEFAULT_SUSPECT_METHOD, DEFAULT_SUSPECT_THRESHOLD, SUSPECT_METHODS, type SuspectMethod } from '../../core/annotations/suspects';

export type SeverityName = 'error' | 'warning' | 'information' | 'hint' | 'off';

export function suspectThreshold(): number {
  const v = vscode.workspace.getConfiguration('datadiet').get<number>('annotations.suspectThreshold');
  return typeof v === 'number' && v >= -1 && v <= 1 ? v : DEFAULT_SUSPECT_THRESHOLD;
}

/** How suspects are flagged: confident learning (default) or the fixed threshold above. */
export function suspectMethod(): SuspectMethod {
  const v = vscode.workspace.getConfiguration('datadiet').get<string>('annotations.suspectMethod');
  return (SUSPECT_METHODS as readonly string[]).includes(v ?? '') ? (v as SuspectMethod) : DEFAULT_SUSPECT_METHOD;
}

export function diagnosticSeverity(): vscode.DiagnosticSeverity | undefined {
  const v = vscode.workspace.getConfiguration('datadiet').get<SeverityName>('annotations.diagnosticSeverity') ?? 'warning';
  switch (v) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'information':
      return vscode.DiagnosticSeverity.Information;
    case 'hint':
      return vscode.DiagnosticSeverity.Hint;
    case 'off':
      return undefined;
    default:
      return vscode.DiagnosticSeverity.Warning;
  }
}
