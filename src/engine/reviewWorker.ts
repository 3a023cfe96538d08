// Worker thread of the review queue (dist/reviewWorker.js): holds one ReviewSession and answers the extension
// host's requests, so reading a run's predictions and pixels and searching neighbours never block the editor.
import type { SuspectMethod } from '../contract/choices';
import { parentPort } from 'node:worker_threads';
import { ReviewSession, type ReviewIndex, type ReviewItem } from '../core/annotations/reviewSession';

export type ToReviewWorker =
  | { readonly type: 'open'; readonly id: number; readonly runDir: string; readonly root: string; readonly threshold: number; readonly method?: SuspectMethod }
  | { readonly type: 'item'; readonly id: number; readonly position: number };

export type FromReviewWorker =
  | { readonly type: 'progress'; readonly stage: string }
  | { readonly type: 'opened'; readonly id: number; readonly index: ReviewIndex; readonly imageProblems: number; readonly firstProblem?: string }
  | { readonly type: 'item'; readonly id: number; readonly item: ReviewItem }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

const port = parentPort;
if (port) {
  let session: ReviewSession | undefined;
  const send = (m: FromReviewWorker) => port.postMessage(m);
  port.on('message', (m: ToReviewWorker) => {
    if (m.type === 'open') {
      ReviewSession.open({ runDir: m.runDir, root: m.root, threshold: m.threshold, ...(m.method ? { method: m.method } : {}), onProgress: (stage) => send({ type: 'progress', stage }) }).then(
        (s) => {
          session = s;
          const problems = s.imageProblems;
          send({ type: 'opened', id: m.id, index: s.index, imageProblems: problems.size, ...(problems.size ? { firstProblem: problems.values().next().value } : s.imageError ? { firstProblem: s.imageError } : {}) });
        },
        (e: Error) => send({ type: 'error', id: m.id, message: e.message }),
      );
      return;
    }
    if (!session) return send({ type: 'error', id: m.id, message: 'the review queue is not open yet' });
    try {
      send({ type: 'item', id: m.id, item: session.item(m.position) });
    } catch (e) {
      send({ type: 'error', id: m.id, message: (e as Error).message });
    }
  });
}
