// The main-thread side of the analysis worker: one worker thread, one job at a time, jobs
// cancelled through a shared flag and, if a provider ignores it, by terminating the worker.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DocumentSnapshot } from '../analysis/document';
import { runObjectProviders } from '../analysis/pipeline';
import type { BpflsSettings } from '../analysis/settings';
import type { Finding } from '../analysis/types';
import type { WorkerJob, WorkerReply } from './worker';

export type AnalysisOutcome =
  | { status: 'ok'; findings: Finding[]; ms: number }
  | { status: 'cancelled' }
  | { status: 'timeout'; ms: number }
  | { status: 'failed'; message: string };

export interface AnalysisRequest {
  doc: DocumentSnapshot;
  settings: BpflsSettings;
  elf: Uint8Array;
  sourcePath: string;
  signal: AbortSignal;
}

/** How long a cancelled job may keep running before its worker is terminated. */
const CANCEL_GRACE_MS = 500;

/** Locates the worker script: dist/worker.js beside the bundle, or the source when run through tsx. */
function workerEntry(): { code: string; eval: boolean } | undefined {
  const bundled = path.join(__dirname, 'worker.js');
  if (fs.existsSync(bundled)) return { code: bundled, eval: false };
  const source = path.join(__dirname, 'worker.ts');
  if (fs.existsSync(source)) {
    // Running from source (tests): load TypeScript through tsx's CommonJS hook inside the worker.
    return { code: `require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`, eval: true };
  }
  return undefined;
}

export class AnalysisWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: (m: string) => void,
    /** Wall-clock bound per job. */
    private readonly timeoutMs = 60_000,
  ) {}

  private ensure(): Worker | undefined {
    if (this.worker) return this.worker;
    const entry = workerEntry();
    if (!entry) return undefined;
    const w = new Worker(entry.code, {
      eval: entry.eval,
      // A large young generation: the verifier allocates many short-lived states and registers,
      // and with V8's default (16 MB semi-spaces) they are scavenged and promoted early — loop
      // programs verified ~1.4-1.9x slower (scale_loop_nested 32 -> 23 ms CPU with 192 MB).
      // bench/run.mjs gives the verify bench the same (--max-semi-space-size=64: 3 x 64 MB).
      resourceLimits: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 192 },
      // Captured, not inherited: a provider's console.log must never reach the LSP stdio stream.
      stdout: true,
      stderr: true,
    });
    w.unref();
    const forward = (b: Buffer) => {
      const text = b.toString('utf8').replace(/\n$/, '');
      if (text) this.log(text);
    };
    w.stdout.on('data', forward);
    w.stderr.on('data', forward);
    w.on('error', (e) => this.log(`bpfls: analysis worker crashed: ${e.stack ?? e}`));
    w.on('exit', () => {
      if (this.worker === w) this.worker = undefined;
    });
    w.on('message', (m: WorkerReply) => {
      if (m.type === 'log') this.log(m.message);
    });
    this.worker = w;
    return w;
  }

  /** Starts the worker thread ahead of the first job (its start-up then overlaps the compile). */
  warmUp(): void {
    this.ensure();
  }

  /** Runs the object providers for one compiled document; jobs run one after another. */
  run(req: AnalysisRequest): Promise<AnalysisOutcome> {
    const p = this.queue.then(() => this.runNow(req));
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async runNow(req: AnalysisRequest): Promise<AnalysisOutcome> {
    if (req.signal.aborted) return { status: 'cancelled' };
    const w = this.ensure();
    if (!w) {
      // No worker script next to us (unusual layouts): run in-process rather than not at all.
      const t0 = performance.now();
      const token = { get isCancellationRequested() { return req.signal.aborted; } };
      const findings = await runObjectProviders({ doc: req.doc, tree: undefined, settings: req.settings, elf: req.elf, sourcePath: req.sourcePath }, token);
      return req.signal.aborted ? { status: 'cancelled' } : { status: 'ok', findings, ms: performance.now() - t0 };
    }
    const id = this.nextId++;
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    const t0 = performance.now();
    return new Promise<AnalysisOutcome>((resolve) => {
      let done = false;
      let killTimer: NodeJS.Timeout | undefined;
      const finish = (o: AnalysisOutcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        req.signal.removeEventListener('abort', onAbort);
        w.off('message', onMessage);
        w.off('exit', onExit);
        resolve(o);
      };
      const terminate = () => {
        if (this.worker === w) this.worker = undefined;
        void w.terminate();
      };
      const onAbort = () => {
        Atomics.store(flag, 0, 1);
        killTimer = setTimeout(() => {
          this.log('bpfls: analysis ignored cancellation; restarting the worker');
          terminate();
          finish({ status: 'cancelled' });
        }, CANCEL_GRACE_MS);
      };
      const timer = setTimeout(() => {
        Atomics.store(flag, 0, 1);
        terminate();
        finish({ status: 'timeout', ms: performance.now() - t0 });
      }, this.timeoutMs);
      const onMessage = (m: WorkerReply) => {
        if (m.type === 'result' && m.id === id) finish(req.signal.aborted ? { status: 'cancelled' } : { status: 'ok', findings: m.findings, ms: m.ms });
        else if (m.type === 'error' && m.id === id) finish({ status: 'failed', message: m.message });
      };
      const onExit = () => finish(req.signal.aborted ? { status: 'cancelled' } : { status: 'failed', message: 'analysis worker exited' });
      w.on('message', onMessage);
      w.on('exit', onExit);
      req.signal.addEventListener('abort', onAbort, { once: true });
      const job: WorkerJob = {
        type: 'run', id, uri: req.doc.uri, languageId: req.doc.languageId, version: req.doc.version,
        text: req.doc.text, elf: req.elf, sourcePath: req.sourcePath, settings: req.settings, cancel,
      };
      w.postMessage(job);
    });
  }

  async dispose(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
