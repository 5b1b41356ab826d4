// The kernel side of the emulator's parity tests: test/oracle/bpfrun.c built into a temp
// directory (never into the repo) for raw programs, and bpftool for compiled objects.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, platform } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

export const repoRoot = path.resolve(__dirname, '../../..');

export type Status = { ok: true; bin: string } | { ok: false; reason: string };
let cached: Status | undefined;

/** Builds bpfrun (once per source version) and checks that this process may load programs. */
export function bpfrun(): Status {
  if (cached) return cached;
  cached = build();
  return cached;
}

function build(): Status {
  if (platform() !== 'linux') return { ok: false, reason: 'kernel parity: not Linux' };
  if (process.env.BPFLS_NO_KERNEL) return { ok: false, reason: 'kernel parity: disabled by BPFLS_NO_KERNEL' };
  const src = path.join(repoRoot, 'test/oracle/bpfrun.c');
  const text = readFileSync(src);
  const dir = path.join(tmpdir(), 'bpfls-bpfrun');
  mkdirSync(dir, { recursive: true });
  const bin = path.join(dir, `bpfrun-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`);
  if (!existsSync(bin)) {
    const tmp = `${bin}.${process.pid}`;
    const cc = spawnSync('cc', ['-O2', '-o', tmp, src], { encoding: 'utf8' });
    if (cc.status !== 0) return { ok: false, reason: `kernel parity: cannot build bpfrun (${(cc.stderr || cc.error?.message || '').trim().split('\n')[0]})` };
    spawnSync('mv', [tmp, bin]);
  }
  const probe = spawnSync(bin, [], { input: 'probe\n', encoding: 'utf8' });
  const line = probe.stdout.trim();
  if (line !== 'ok') return { ok: false, reason: `kernel parity: loading BPF programs is not permitted here (${line || probe.error?.message})` };
  return { ok: true, bin };
}

/** Runs a script of bpfrun commands; one answer line per command. */
export function runScript(bin: string, lines: string[]): string[] {
  const r = spawnSync(bin, [], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`bpfrun failed: ${r.stderr || r.error?.message}`);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

export interface KernelRun { retval: number; dataOut: string; ctxOut: string }
export function parseRun(line: string): KernelRun | { error: string } {
  const m = /^ok (\d+) (\d+) (\S+) (\S+)$/.exec(line);
  if (!m) return { error: line };
  return { retval: Number(m[1]), dataOut: m[3] === '-' ? '' : m[3], ctxOut: m[4] === '-' ? '' : m[4] };
}

/** bpftool available and allowed to pin under /sys/fs/bpf */
export function bpftoolStatus(): Status {
  const b = bpfrun();
  if (!b.ok) return b;
  const v = spawnSync('bpftool', ['version'], { encoding: 'utf8' });
  if (v.status !== 0) return { ok: false, reason: 'kernel parity: bpftool not found' };
  if (!existsSync('/sys/fs/bpf')) return { ok: false, reason: 'kernel parity: /sys/fs/bpf is not mounted' };
  return { ok: true, bin: 'bpftool' };
}

/** An object loaded with `bpftool prog loadall`, pinned in a private directory; always unpin(). */
export class PinnedObject {
  readonly dir: string;
  private work: string;
  private mapDir: string;
  /** progArrays: slots to fill by program name (libbpf 1.1's bpftool leaves prog arrays empty) */
  constructor(objPath: string, progArrays: { map: string; slots: (string | null)[] }[] = []) {
    const id = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.dir = `/sys/fs/bpf/bpfls-emu-${id}`;
    this.mapDir = `/sys/fs/bpf/bpfls-emu-maps-${id}`;
    this.work = mkdtempSync(path.join(tmpdir(), 'bpfls-emu-'));
    const r = spawnSync('bpftool', ['prog', 'loadall', objPath, this.dir, 'pinmaps', this.mapDir], { encoding: 'utf8' });
    if (r.status !== 0) {
      this.unpin();
      throw new Error(`bpftool prog loadall ${path.basename(objPath)} failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
    }
    for (const pa of progArrays) {
      pa.slots.forEach((prog, i) => {
        if (!prog) return;
        const key = [i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, i >>> 24].map(String);
        const u = spawnSync('bpftool', ['map', 'update', 'pinned', path.join(this.mapDir, pa.map), 'key', ...key, 'value', 'pinned', path.join(this.dir, prog)], { encoding: 'utf8' });
        if (u.status !== 0) throw new Error(`bpftool map update ${pa.map}[${i}] = ${prog} failed: ${u.stderr.trim()}`);
      });
    }
  }
  run(prog: string, dataIn: Uint8Array | undefined, ctxIn: Uint8Array | undefined): KernelRun | { error: string } {
    const args = ['-j', 'prog', 'run', 'pinned', path.join(this.dir, prog)];
    const dOut = path.join(this.work, 'data_out'), cOut = path.join(this.work, 'ctx_out');
    rmSync(dOut, { force: true }); rmSync(cOut, { force: true });
    if (dataIn) { const f = path.join(this.work, 'data_in'); writeFileSync(f, dataIn); args.push('data_in', f, 'data_out', dOut); }
    if (ctxIn) { const f = path.join(this.work, 'ctx_in'); writeFileSync(f, ctxIn); args.push('ctx_in', f, 'ctx_out', cOut); }
    args.push('repeat', '1');
    const r = spawnSync('bpftool', args, { encoding: 'utf8' });
    if (r.status !== 0) return { error: (r.stderr || r.stdout).trim() };
    const j = JSON.parse(r.stdout) as { retval: number };
    const hex = (f: string) => (existsSync(f) ? readFileSync(f).toString('hex') : '');
    return { retval: j.retval >>> 0, dataOut: hex(dOut), ctxOut: hex(cOut) };
  }
  /** the map's entries as hex key -> hex value, or undefined when it is not pinned or not dumpable */
  dumpMap(name: string): Map<string, string> | undefined {
    const file = path.join(this.mapDir, name);
    if (!existsSync(file)) return undefined;
    const r = spawnSync('bpftool', ['-j', 'map', 'dump', 'pinned', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) return undefined;
    const hex = (a: string[]) => a.map((x) => x.replace(/^0x/, '').padStart(2, '0')).join('');
    const out = new Map<string, string>();
    for (const e of JSON.parse(r.stdout) as { key: string[]; value?: string[] }[]) if (e.value) out.set(hex(e.key), hex(e.value));
    return out;
  }

  unpin(): void {
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.mapDir, { recursive: true, force: true });
    rmSync(this.work, { recursive: true, force: true });
  }
}
