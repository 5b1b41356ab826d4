// A small Debug Adapter Protocol client for tests: spawns `bpfls debug-adapter` and speaks to it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../..');

export type Msg = { seq: number; type: string; command?: string; event?: string; success?: boolean; message?: string; body?: any };

export class DapClient {
  private proc: ChildProcessWithoutNullStreams;
  private buf = Buffer.alloc(0);
  private seq = 1;
  readonly messages: Msg[] = [];
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  stderr = '';

  constructor() {
    this.proc = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/src/cli/main.ts'), 'debug-adapter'], { cwd: repoRoot });
    this.proc.stdout.on('data', (c: Buffer) => this.onData(c));
    this.proc.stderr.on('data', (c: Buffer) => { this.stderr += c.toString(); });
  }

  private onData(c: Buffer): void {
    this.buf = Buffer.concat([this.buf, c]);
    for (;;) {
      const sep = this.buf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const len = Number(/Content-Length:\s*(\d+)/i.exec(this.buf.subarray(0, sep).toString())?.[1]);
      if (this.buf.length < sep + 4 + len) return;
      const m = JSON.parse(this.buf.subarray(sep + 4, sep + 4 + len).toString()) as Msg;
      this.buf = this.buf.subarray(sep + 4 + len);
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => { if (w.pred(m)) { w.resolve(m); return false; } return true; });
    }
  }

  /** the first message (already received or coming) that matches, after message number `from` */
  wait(pred: (m: Msg) => boolean, from = 0, timeoutMs = 30_000): Promise<Msg> {
    const seen = this.messages.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(this.messages.slice(-5))} stderr ${this.stderr}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (m) => { clearTimeout(t); resolve(m); } });
    });
  }

  event(name: string, from: number): Promise<Msg> { return this.wait((m) => m.type === 'event' && m.event === name, from); }

  async request(command: string, args: unknown = {}): Promise<Msg> {
    const seq = this.seq++;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return this.wait((m) => m.type === 'response' && (m as any).request_seq === seq);
  }

  /** sends a request and waits for the next stopped or terminated event */
  async resume(command: string, args: unknown = {}): Promise<Msg> {
    const from = this.messages.length;
    const r = await this.request(command, args);
    if (!r.success) throw new Error(`${command} failed: ${r.message}`);
    return this.wait((m) => m.type === 'event' && (m.event === 'stopped' || m.event === 'terminated'), from);
  }

  close(): void { this.proc.stdin.end(); this.proc.kill(); }
}
