// Worker thread of the notebook kernel (dist/cellWorker.js): runs Data Diet cells (reading score tables and images,
// drawing SVG fallbacks, thumbnails, projecting maps), brushed-range galleries and a brushed map's thumbnails away
// from the extension host. Training jobs still
// run in the engine process: the worker asks the host for them and relays their progress to the cell.
import { parentPort } from 'node:worker_threads';
import type { JobProgress } from '../contract/jobProgress';
import type { RunManifest } from '../contract/runManifest';
import { CellError, executeCell, type EngineJob, type ExecEnv, type ExecutorChoice } from '../core/cells/execute';
import { ImageCache } from '../core/cells/imageCache';
import { cellOutputItems } from '../core/cells/outputItems';
import { rangeGallery } from '../core/cells/rangeGallery';
import { mapThumbs } from '../core/cells/mapThumbs';
import type { OutputItem } from '../core/notebook/fallbacks';
import type { RangeGalleryMessage, RequestRangeMessage, RequestThumbsMessage, ThumbsMessage } from '../core/notebook/mime';

/** Where a cell runs: the workspace, whether it may train, the settings' job parameters. */
export interface CellContext {
  readonly root: string;
  readonly trusted: boolean;
  readonly jobDefaults?: Record<string, unknown>;
}

export type ToCellWorker =
  | { readonly type: 'exec'; readonly id: number; readonly text: string; readonly context: CellContext }
  | { readonly type: 'abort'; readonly id: number }
  | { readonly type: 'range'; readonly id: number; readonly message: RequestRangeMessage; readonly context: CellContext }
  | { readonly type: 'thumbs'; readonly id: number; readonly message: RequestThumbsMessage; readonly context: CellContext }
  | { readonly type: 'jobProgress'; readonly job: number; readonly progress: JobProgress }
  | { readonly type: 'jobEnded'; readonly job: number; readonly manifest?: RunManifest; readonly error?: string };

/** One output of a cell: its items (payload with fallbacks, or text) and the summary the host logs. */
export interface CellResultOutput {
  readonly items: readonly OutputItem[];
  readonly summary?: string;
}

export type FromCellWorker =
  | { readonly type: 'progress'; readonly id: number; readonly line: number; readonly progress: JobProgress }
  | { readonly type: 'runJob'; readonly id: number; readonly job: number; readonly name: EngineJob; readonly params: Record<string, unknown>; readonly executor?: ExecutorChoice }
  | { readonly type: 'cancelJob'; readonly job: number }
  | { readonly type: 'done'; readonly id: number; readonly outputs: readonly CellResultOutput[]; readonly aborted: boolean }
  | { readonly type: 'failed'; readonly id: number; readonly message: string; readonly cellError: boolean; readonly stack?: string }
  | { readonly type: 'rangeGallery'; readonly id: number; readonly reply: RangeGalleryMessage }
  | { readonly type: 'thumbs'; readonly id: number; readonly reply: ThumbsMessage };

const port = parentPort;
if (port) {
  const send = (m: FromCellWorker) => port.postMessage(m);
  let images: ImageCache | undefined;
  const aborts = new Map<number, AbortController>();
  const jobs = new Map<number, { onProgress(p: JobProgress): void; resolve(m: RunManifest): void; reject(e: Error): void }>();
  let nextJob = 1;

  const envFor = (id: number, context: CellContext, signal?: AbortSignal): ExecEnv => ({
    ...context,
    images: (use) => (images ??= new ImageCache(context.root)).get(use),
    ...(signal ? { signal } : {}),
    onProgress: (line, progress) => send({ type: 'progress', id, line, progress }),
    runJob: (name, params, onProgress, jobSignal, executor) =>
      new Promise<RunManifest>((resolve, reject) => {
        const job = nextJob++;
        jobs.set(job, { onProgress, resolve, reject });
        const cancel = () => send({ type: 'cancelJob', job });
        if (jobSignal.aborted) cancel();
        else jobSignal.addEventListener('abort', cancel, { once: true });
        send({ type: 'runJob', id, job, name, params, ...(executor ? { executor } : {}) });
      }),
  });

  port.on('message', (m: ToCellWorker) => {
    switch (m.type) {
      case 'exec': {
        const ac = new AbortController();
        aborts.set(m.id, ac);
        executeCell(m.text, envFor(m.id, m.context, ac.signal))
          .then(async (outs) => {
            const outputs: CellResultOutput[] = [];
            for (const out of outs) outputs.push({ items: await cellOutputItems(out), ...(out.type === 'payload' ? { summary: out.summary } : {}) });
            send({ type: 'done', id: m.id, outputs, aborted: ac.signal.aborted });
          })
          .catch((e: Error) => send({ type: 'failed', id: m.id, message: e.message, cellError: e instanceof CellError, ...(e instanceof CellError ? {} : { stack: e.stack }) }))
          .finally(() => aborts.delete(m.id));
        return;
      }
      case 'abort':
        aborts.get(m.id)?.abort();
        return;
      case 'range':
        void rangeGallery(m.message, envFor(m.id, m.context)).then((reply) => send({ type: 'rangeGallery', id: m.id, reply }));
        return;
      case 'thumbs':
        void mapThumbs(m.message, envFor(m.id, m.context)).then((reply) => send({ type: 'thumbs', id: m.id, reply }));
        return;
      case 'jobProgress':
        jobs.get(m.job)?.onProgress(m.progress);
        return;
      case 'jobEnded': {
        const j = jobs.get(m.job);
        jobs.delete(m.job);
        if (m.manifest) j?.resolve(m.manifest);
        else j?.reject(new Error(m.error ?? 'the job ended without a result'));
        return;
      }
    }
  });
}
