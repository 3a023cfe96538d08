import type { SuspectMethod } from '../contract/choices';
// The extension host's side of the review worker (reviewWorker.ts): requests by id, answers as promises.
import type { ReviewIndex, ReviewItem } from '../core/annotations/reviewSession';
import type { FromReviewWorker, ToReviewWorker } from './reviewWorker';
import { WorkerChannel } from './workerChannel';

export interface ReviewOpened {
  readonly index: ReviewIndex;
  /** How many rows have no image, and why the first has none. */
  readonly imageProblems: number;
  readonly firstProblem?: string;
}

export class ReviewClient {
  // The worker holds the open session: a dead one is not restarted (later requests fail with why it died).
  private readonly channel: WorkerChannel<ToReviewWorker, FromReviewWorker>;

  constructor(workerFile: string, private readonly onProgress: (stage: string) => void = () => {}) {
    this.channel = new WorkerChannel(workerFile, 'the review worker', (m) => this.receive(m), { restart: false });
  }

  private receive(m: FromReviewWorker): void {
    if (m.type === 'progress') this.onProgress(m.stage);
    else if (m.type === 'opened') this.channel.settle(m.id, { index: m.index, imageProblems: m.imageProblems, ...(m.firstProblem ? { firstProblem: m.firstProblem } : {}) });
    else if (m.type === 'item') this.channel.settle(m.id, m.item);
    else this.channel.settle(m.id, undefined, new Error(m.message));
  }

  open(runDir: string, root: string, threshold: number, method?: SuspectMethod): Promise<ReviewOpened> {
    return this.channel.request<ReviewOpened>((id) => ({ type: 'open', id, runDir, root, threshold, ...(method ? { method } : {}) })).result;
  }

  item(position: number): Promise<ReviewItem> {
    return this.channel.request<ReviewItem>((id) => ({ type: 'item', id, position })).result;
  }

  dispose(): void {
    this.channel.dispose('the review queue was closed');
  }
}
