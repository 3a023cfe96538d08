// Settings of the annotation views (datadiet.annotations.*), read with defaults and checked.
import * as vscode from 'vscode';
import { DEFAULT_SUSPECT_THRESHOLD } from '../../core/annotations/suspects';

export type SeverityName = 'error' | 'warning' | 'information' | 'hint' | 'off';

export function suspectThreshold(): number {
  const v = vscode.workspace.getConfiguration('datadiet').get<number>('annotations.suspectThreshold');
  return typeof v === 'number' && v >= -1 && v <= 1 ? v : DEFAULT_SUSPECT_THRESHOLD;
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
