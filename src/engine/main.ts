import type { JobProgress } from '../contract/jobProgress';
import { datadietVersion } from '../core/versions';
import { runEngineCommand } from './unitEntry';
import { resumeRun, runJob } from '../core/jobs/runner';
import { LineSplitter, parseRequest, type EngineEvent, type EngineRequest } from './protocol';

/**
 * Engine child process: runs jobs one at a time from stdin requests, streams events on stdout. A job yields to the
 * event loop every training step, so a cancel request is seen within one batch.
 */
const command = process.argv[2];
if (command === 'unit' || command === 'merge') {
  runEngineCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`engine ${command}: ${e.message}\n`);
      process.exit(1);
    },
  );
} else {
  serveProtocol();
}

/** The JSON-lines protocol on stdin/stdout, for the extension host and the CLI's tests. */
function serveProtocol(): void {
  const out = process.stdout;
  function send(ev: EngineEvent): void {
    out.write(JSON.stringify(ev) + '\n');
  }

  // tfjs and libraries print with console.*: keep the protocol stream clean.
  const toStderr = (...args: unknown[]) => process.stderr.write(args.map(String).join(' ') + '\n');
  console.log = toStderr;
  console.info = toStderr;
  console.warn = toStderr;

  interface Pending {
    readonly request: Extract<EngineRequest, { type: 'start' | 'resume' }>;
    readonly abort: AbortController;
  }

  const queue: Pending[] = [];
  let running: Pending | undefined;
  let shuttingDown = false;

  async function pump(): Promise<void> {
    if (running) return;
    const next = queue.shift();
    if (!next) return;
    running = next;
    const req = next.request;
    const id = req.id;
    const ctx = { root: req.root, signal: next.abort.signal, onProgress: (progress: JobProgress) => send({ type: 'progress', id, progress }) };
    try {
      const result =
        req.type === 'start'
          ? await runJob(req.job, req.params, ctx, { execution: req.execution })
          : (await resumeRun(req.runDir, ctx, { retryFailed: req.retryFailed, execution: req.execution })).manifest;
      send({ type: 'result', id, result });
    } catch (e) {
      send({ type: 'error', id, message: (e as Error).message ?? String(e) });
    } finally {
      running = undefined;
      if (shuttingDown) process.exit(0);
      void pump();
    }
  }

  function handle(req: EngineRequest): void {
    switch (req.type) {
      case 'start':
      case 'resume':
        queue.push({ request: req, abort: new AbortController() });
        void pump();
        break;
      case 'cancel': {
        if (running?.request.id === req.id) running.abort.abort();
        const i = queue.findIndex((p) => p.request.id === req.id);
        if (i >= 0) {
          queue.splice(i, 1);
          send({ type: 'error', id: req.id, message: 'cancelled before it started' });
        }
        break;
      }
      case 'shutdown':
        // Queued jobs never start; the running one stops within a batch and writes its cancelled manifest.
        shuttingDown = true;
        queue.length = 0;
        if (!running) process.exit(0);
        running.abort.abort();
        break;
    }
  }

  const lines = new LineSplitter();
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    for (const line of lines.push(chunk)) {
      try {
        handle(parseRequest(line));
      } catch (e) {
        send({ type: 'error', message: `bad request: ${(e as Error).message}` });
      }
    }
  });
  // The parent went away: stop rather than train for nobody.
  process.stdin.on('end', () => handle({ type: 'shutdown' }));

  send({ type: 'ready', pid: process.pid, version: datadietVersion() });
}
