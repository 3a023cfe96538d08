// What the editor features know about the runs: a listing of .datadiet/runs, re-read at most every couple of
// seconds (completions and diagnostics ask on every keystroke).
import { listRunInfos, type RunInfo } from '../../core/cells/runRef';

export class RunCache {
  private runs: RunInfo[] = [];
  private readAt = -Infinity;
  private readRoot = '';

  constructor(
    private readonly root: () => string,
    private readonly maxAgeMs = 2000,
  ) {}

  get(): RunInfo[] {
    const root = this.root();
    if (root !== this.readRoot || performance.now() - this.readAt > this.maxAgeMs) {
      try {
        this.runs = listRunInfos(root);
      } catch {
        this.runs = [];
      }
      this.readAt = performance.now();
      this.readRoot = root;
    }
    return this.runs;
  }

  /** Forget the listing (a job just recorded a run). */
  invalidate(): void {
    this.readAt = -Infinity;
  }
}
