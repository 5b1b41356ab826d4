// Worker-thread entry for long analyses: runs the object providers (verifier, emulator, ...) on
// a compiled object so the server's main thread keeps answering the editor. The main thread
// cancels through a shared flag (providers poll it) and terminates the worker if that is ignored.
import { parentPort } from 'node:worker_threads';
import '../analysis/plugins';
import { loadExternalPlugins } from '../analysis/external';
import { DocumentSnapshot, type LanguageId } from '../analysis/document';
import { runObjectProviders, setPipelineLogger } from '../analysis/pipeline';
import type { BpflsSettings } from '../analysis/settings';
import type { CancellationToken } from '../analysis/types';
import { DocumentParser } from '../parse/document-parser';
import { wasmCParser } from '../parse/parser';

export interface WorkerJob {
  type: 'run';
  id: number;
  uri: string;
  languageId: LanguageId;
  version: number;
  text: string;
  elf: Uint8Array;
  sourcePath: string;
  settings: BpflsSettings;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when the job is cancelled. */
  cancel: SharedArrayBuffer;
}

export type WorkerReply =
  | { type: 'result'; id: number; findings: import('../analysis/types').Finding[]; ms: number }
  | { type: 'error'; id: number; message: string }
  | { type: 'log'; message: string };

const port = parentPort;
if (port) {
  setPipelineLogger((message) => port.postMessage({ type: 'log', message } satisfies WorkerReply));
  for (const message of loadExternalPlugins()) port.postMessage({ type: 'log', message } satisfies WorkerReply);
  let parser: DocumentParser | undefined;
  port.on('message', async (job: WorkerJob) => {
    if (job.type !== 'run') return;
    const t0 = performance.now();
    const flag = new Int32Array(job.cancel);
    const token: CancellationToken = { get isCancellationRequested() { return Atomics.load(flag, 0) !== 0; } };
    try {
      const doc = new DocumentSnapshot(job.uri, job.languageId, job.version, job.text);
      let tree;
      if (job.languageId === 'c') {
        parser ??= new DocumentParser(await wasmCParser());
        parser.update(job.text);
        tree = parser.settle();
      }
      const findings = await runObjectProviders({ doc, tree, settings: job.settings, elf: job.elf, sourcePath: job.sourcePath }, token);
      port.postMessage({ type: 'result', id: job.id, findings, ms: performance.now() - t0 } satisfies WorkerReply);
    } catch (e) {
      port.postMessage({ type: 'error', id: job.id, message: (e as Error).stack ?? String(e) } satisfies WorkerReply);
    }
  });
}
