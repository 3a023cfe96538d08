/**
 * The verdict table: each claim of the papers, what the paper reports, what this study measured (mean and band),
 * and a verdict. The papers state most claims without a test; where a verdict needs a criterion, the criterion is
 * ours and is written in the row (e.g. "16-84 bands apart"), never presented as the paper's.
 */
import type { ReportFiles } from './reportFiles';

export type VerdictWord = 'reproduced' | 'not reproduced' | 'different setting' | 'pending' | 'partly reproduced';

export interface Verdict {
  readonly dataset: string;
  /** The paper and where: "Data Diet, Fig. 1". */
  readonly source: string;
  readonly claim: string;
  readonly paper: string;
  readonly ours: string;
  readonly verdict: VerdictWord;
  /** How the verdict was decided, when a number had to be compared (our criterion). */
  readonly criterion?: string;
}

export function verdictSection(rows: readonly Verdict[], files: ReportFiles): string[] {
  files.table('verdicts', rows as unknown as Record<string, unknown>[]);
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '## Verdicts',
    '',
    'Each paper claim next to our number. "Different setting" means our setting differs from the paper\'s in a way that matters for the claim (said in the row); criteria in the last column are ours.',
    '',
    '| dataset | source | claim | paper | ours | verdict | our criterion |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((v) => `| ${v.dataset} | ${esc(v.source)} | ${esc(v.claim)} | ${esc(v.paper)} | ${esc(v.ours)} | **${v.verdict}** | ${esc(v.criterion ?? '')} |`),
    '',
  ];
}
