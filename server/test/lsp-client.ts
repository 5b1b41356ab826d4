// A small LSP client for protocol tests: spawns `bpfls lsp --stdio` (the bundle in dist/ when it
// is newer than the sources, else the sources through tsx), speaks JSON-RPC over stdio, answers
// the server's requests, and records diagnostics and notifications so tests can wait on them.
//
//   const c = await LspTestClient.start({ settings: { analyses: { verify: false } } });
//   c.open('file:///tmp/x.bpf.c', text);
//   const diags = await c.waitForDiagnostics('file:///tmp/x.bpf.c', (d) => d.length > 0);
//   await c.stop();
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
  data?: unknown;
  relatedInformation?: { location: { uri: string; range: Diagnostic['range'] }; message: string }[];
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** bpfls settings, sent in initializationOptions and answered to workspace/configuration. */
  settings?: unknown;
  trusted?: boolean;
  debounceMs?: number;
  rootUri?: string | null;
  /** Force running from the sources (tsx) or from dist/bpfls.js. */
  mode?: 'source' | 'dist';
  /** Print the server's stderr (debugging). */
  verbose?: boolean;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** argv running the bpfls CLI: dist/bpfls.js when it is at least as new as server/src, else the sources. */
export function cliCommand(mode?: 'source' | 'dist'): string[] {
  const dist = path.join(repoRoot, 'dist', 'bpfls.js');
  const useDist = mode === 'dist' || (mode === undefined && fs.existsSync(dist) &&
    fs.statSync(dist).mtimeMs >= newestMtime(path.join(repoRoot, 'server', 'src')));
  if (useDist) return [process.execPath, dist];
  return [process.execPath, '--import', 'tsx', path.join(repoRoot, 'server', 'src', 'cli', 'main.ts')];
}

export function serverCommand(mode?: 'source' | 'dist'): string[] {
  return [...cliCommand(mode), 'lsp', '--stdio'];
}

type Handler = (params: unknown) => unknown;

export class LspTestClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  private readonly requestHandlers = new Map<string, Handler>();
  private readonly waiters: { check: () => boolean }[] = [];
  /** Latest diagnostics per URI. */
  readonly diagnostics = new Map<string, { version?: number; diagnostics: Diagnostic[] }>();
  /** Every notification received, in order (method and params). */
  readonly notifications: { method: string; params: unknown }[] = [];
  /** Headers that were not pure LSP framing (stray output on the server's stdout). */
  readonly protocolErrors: string[] = [];
  /** Every request the server sent us, in order. */
  readonly serverRequests: { method: string; params: unknown }[] = [];
  stderr = '';
  exited: number | null | undefined;
  /** The server's answer to initialize (capabilities, serverInfo). */
  initializeResult: { capabilities: Record<string, unknown>; serverInfo?: { name: string } } | undefined;
  settings: unknown;

  private constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on('data', (b: Buffer) => this.onData(b));
    proc.stderr.on('data', (b: Buffer) => {
      this.stderr += b.toString();
      if (this.stderr.length > 1 << 20) this.stderr = this.stderr.slice(-(1 << 19));
    });
    proc.on('exit', (code) => {
      this.exited = code;
      for (const p of this.pending.values()) p.reject(new Error(`server exited (${code}) during ${p.method}\n${this.stderr}`));
      this.pending.clear();
      this.poke();
    });
    this.onRequest('workspace/configuration', (p) => ((p as { items: unknown[] }).items ?? []).map(() => this.settings ?? null));
    this.onRequest('window/workDoneProgress/create', () => null);
    this.onRequest('client/registerCapability', () => null);
    this.onRequest('window/showMessageRequest', () => null);
  }

  static async start(o: StartOptions = {}): Promise<LspTestClient> {
    const [cmd, ...args] = serverCommand(o.mode);
    const proc = spawn(cmd, args, { cwd: repoRoot, env: { ...process.env, ...o.env }, stdio: 'pipe' });
    const c = new LspTestClient(proc);
    c.settings = o.settings ?? {};
    if (o.verbose) proc.stderr.pipe(process.stderr);
    c.initializeResult = await c.request('initialize', {
      processId: process.pid,
      rootUri: o.rootUri ?? null,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
      },
      initializationOptions: { settings: o.settings ?? {}, trusted: o.trusted ?? true, debounceMs: o.debounceMs },
    });
    c.notify('initialized', {});
    return c;
  }

  onRequest(method: string, h: Handler): void {
    this.requestHandlers.set(method, h);
  }

  private send(msg: object): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request<T = unknown>(method: string, params: unknown, timeoutMs = 20_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out\n${this.stderr.slice(-4000)}`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => { clearTimeout(timer); resolve(v as T); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  private onData(b: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, b]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString();
      // Strict: anything else on stdout (a stray console.log) breaks real clients too.
      if (!/^Content-Length: \d+(\r\nContent-Type: [^\r\n]*)?$/i.test(header)) this.protocolErrors.push(header);
      const m = /Content-Length: (\d+)/i.exec(header);
      if (!m) throw new Error('bad header from server');
      const len = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + len) return;
      const msg = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + len).toString('utf8'));
      this.buffer = this.buffer.subarray(headerEnd + 4 + len);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } }): void {
    if (msg.method && msg.id !== undefined) {
      this.serverRequests.push({ method: msg.method, params: msg.params });
      if (this.serverRequests.length > 10_000) this.serverRequests.splice(0, 5_000);
      const h = this.requestHandlers.get(msg.method);
      Promise.resolve(h ? h(msg.params) : null).then(
        (result) => this.send({ id: msg.id, result: result ?? null }),
        (e: Error) => this.send({ id: msg.id, error: { code: -32603, message: e.message } }),
      );
      return;
    }
    if (msg.method) {
      this.notifications.push({ method: msg.method, params: msg.params });
      if (this.notifications.length > 50_000) this.notifications.splice(0, 25_000);
      if (msg.method === 'textDocument/publishDiagnostics') {
        const p = msg.params as { uri: string; version?: number; diagnostics: Diagnostic[] };
        this.diagnostics.set(p.uri, { version: p.version, diagnostics: p.diagnostics });
      }
      this.poke();
      return;
    }
    const p = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
    if (!p) return;
    this.pending.delete(msg.id!);
    if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
    else p.resolve(msg.result);
  }

  private poke(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) if (this.waiters[i].check()) this.waiters.splice(i, 1);
  }

  /** Resolves when `cond` holds (checked after every message and every 50 ms), rejects after `timeoutMs`. */
  waitFor<T>(cond: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const poll = setInterval(() => {
        if (w.check()) {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
        }
      }, 50);
      const timer = setTimeout(() => {
        clearInterval(poll);
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`timed out waiting for ${what}\nserver stderr:\n${this.stderr.slice(-4000)}`));
      }, timeoutMs);
      let settled = false;
      const w = {
        check: () => {
          if (settled) return true;
          if (this.exited !== undefined) {
            settled = true;
            clearInterval(poll);
            clearTimeout(timer);
            reject(new Error(`server exited (${this.exited}) while waiting for ${what}\n${this.stderr.slice(-4000)}`));
            return true;
          }
          const v = cond();
          if (v === undefined || v === false) return false;
          settled = true;
          clearInterval(poll);
          clearTimeout(timer);
          resolve(v as T);
          return true;
        },
      };
      if (!w.check()) this.waiters.push(w);
    });
  }

  /** Waits for published diagnostics of `uri` (optionally of a given version) that satisfy `pred`. */
  waitForDiagnostics(uri: string, pred: (d: Diagnostic[]) => boolean = () => true, opts: { version?: number; timeoutMs?: number } = {}): Promise<Diagnostic[]> {
    return this.waitFor(() => {
      const d = this.diagnostics.get(uri);
      if (!d || (opts.version !== undefined && d.version !== opts.version)) return undefined;
      return pred(d.diagnostics) ? d.diagnostics : undefined;
    }, `diagnostics for ${uri}`, opts.timeoutMs);
  }

  /** Waits for the server's bpfls/analysisDone for `uri` at `version` (the background pass finished). */
  waitForAnalysis(uri: string, version: number, timeoutMs = 30_000): Promise<{ build: string; objects: string; ms: number }> {
    return this.waitFor(() => {
      for (let i = this.notifications.length - 1; i >= 0; i--) {
        const n = this.notifications[i];
        const p = n.params as { uri?: string; version?: number };
        if (n.method === 'bpfls/analysisDone' && p.uri === uri && p.version === version) return n.params as { build: string; objects: string; ms: number };
      }
      return undefined;
    }, `analysis of ${uri} v${version}`, timeoutMs);
  }

  open(uri: string, text: string, languageId = 'c', version = 1): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, changes: ({ text: string } | { range: Diagnostic['range']; text: string })[]): void {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  close(uri: string): void {
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** Resident memory of the server process in MiB (Linux), or undefined. */
  rssMiB(): number | undefined {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.exited === undefined) {
      try {
        await this.request('shutdown', null, 5000);
        this.notify('exit', null);
      } catch {
        /* the server is gone or stuck: kill below */
      }
      await Promise.race([new Promise((r) => this.proc.once('exit', r)), new Promise((r) => setTimeout(r, 3000))]);
    }
    if (this.exited === undefined) this.proc.kill('SIGKILL');
  }
}

/** Converts a file path to a file:// URI. */
export function fileUri(p: string): string {
  return 'file://' + p.split('/').map(encodeURIComponent).join('/');
}
