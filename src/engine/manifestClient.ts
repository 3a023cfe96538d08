import type { SuspectMethod } from '../contract/choices';
// The extension host's side of the manifest worker (manifestWorker.ts).
import type { ManifestReview } from '../core/annotations/manifestReview';
import type { ManifestReply, ManifestRequest } from './manifestWorker';
import { WorkerChannel } from './workerChannel';

export class ManifestClient {
  private readonly channel: WorkerChannel<ManifestRequest, ManifestReply>;

  constructor(workerFile: string) {
    this.channel = new WorkerChannel(workerFile, 'the manifest worker', (m) => this.channel.settle(m.id, 'error' in m ? undefined : m.review, 'error' in m ? new Error(m.error) : undefined));
  }

  /** The manifest's rows joined with the run's suspects; undefined while the text does not parse. */
  review(manifestFile: string, text: string, runDir: string, threshold: number, method?: SuspectMethod): Promise<ManifestReview | undefined> {
    return this.channel.request<ManifestReview | undefined>((id) => ({ id, manifestFile, text, runDir, threshold, ...(method ? { method } : {}) })).result;
  }

  dispose(): void {
    this.channel.dispose('closed');
  }
}
