// The kernel oracle from TypeScript: builds test/oracle/bpfverify.c into a temp directory (never
// into the repo), checks that loading is permitted, and runs it on objects or raw specs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

export const repoRoot = resolve(__dirname, '../../..');

/** One program's verdict from the kernel, as bpfverify prints it. ok null = could not be loaded here. */
export interface KernelVerdict {
  prog?: string;
  name?: string;
  section?: string;
  ok: boolean | null;
  skip?: string;
  spec_error?: string;
  errno?: number;
  error_line?: string | null;
  processed?: number;
  verification_time_usec?: number;
  retval?: number;
  log_tail?: string;
}

export type OracleStatus = { ok: true; bin: string } | { ok: false; reason: string };

let cached: OracleStatus | undefined;

/** Builds (once per source version) and probes the oracle. Never throws. */
export function oracle(): OracleStatus {
  if (cached) return cached;
  cached = buildAndProbe();
  return cached;
}

function buildAndProbe(): OracleStatus {
  if (platform() !== 'linux') return { ok: false, reason: 'kernel oracle: not Linux' };
  if (process.env.BPFLS_NO_KERNEL) return { ok: false, reason: 'kernel oracle: disabled by BPFLS_NO_KERNEL' };
  const src = join(repoRoot, 'test/oracle/bpfverify.c');
  let text: Buffer;
  try {
    text = readFileSync(src);
  } catch {
    return { ok: false, reason: `kernel oracle: ${src} missing` };
  }
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `bpfls-oracle-${hash}`);
  const bin = join(dir, 'bpfverify');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${bin}.${process.pid}`;
    const cc = spawnSync('cc', ['-O2', '-o', tmp, src, '-lbpf', '-lelf', '-lz'], { encoding: 'utf8' });
    if (cc.error || cc.status !== 0) {
      const why = cc.error ? cc.error.message : cc.stderr.split('\n').slice(0, 3).join(' ');
      return { ok: false, reason: `kernel oracle: cannot build bpfverify (needs cc, libbpf-dev, libelf-dev): ${why}` };
    }
    renameSync(tmp, bin);
  }
  const p = spawnSync(bin, ['probe'], { encoding: 'utf8' });
  if (p.status !== 0) {
    let reason = p.stderr || `exit ${p.status}`;
    try {
      reason = JSON.parse(p.stdout).reason ?? reason;
    } catch {
      /* keep stderr */
    }
    return { ok: false, reason: `kernel oracle: loading BPF programs is not possible here: ${reason}` };
  }
  return { ok: true, bin };
}

/** The oracle's JSON lines (one verdict per line); a line cut by a crash is skipped. */
export function parseLines(out: string): KernelVerdict[] {
  const res: KernelVerdict[] = [];
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    try {
      res.push(JSON.parse(line) as KernelVerdict);
    } catch {
      /* a line cut by a crash: ignore it, the caller sees a missing verdict */
    }
  }
  return res;
}

/** Loads each program of an object alone. Returns [] with an error when the tool fails. */
export function kernelVerifyObject(objPath: string, opts: { run?: boolean } = {}): { verdicts: KernelVerdict[]; error?: string } {
  const o = oracle();
  if (!o.ok) return { verdicts: [], error: o.reason };
  const args = [...(opts.run ? ['--run'] : []), 'obj', objPath];
  const r = spawnSync(o.bin, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 });
  const verdicts = parseLines(r.stdout ?? '');
  if (r.status !== 0) return { verdicts, error: `bpfverify exit ${r.status}: ${(r.stderr ?? '').trim()}` };
  return { verdicts };
}

/** Raw instruction spec for bpfverify's raw mode (see test/oracle/bpfverify.c). */
export interface RawSpec {
  name: string;
  prog_type: number;
  expected_attach_type?: number;
  prog_flags?: number;
  license?: string;
  insns: string; // hex of the wire bytes
  maps?: { type: number; key_size: number; value_size: number; max_entries: number; flags?: number }[];
  /** program BTF (hex of the raw blob) and func_info as [insn_off, type_id, ...] */
  btf?: string;
  func_info?: number[];
}

/** Loads raw specs in one process; verdicts come back in order, keyed by name. */
export function kernelVerifyRaw(specs: RawSpec[]): { verdicts: Map<string, KernelVerdict>; error?: string } {
  const o = oracle();
  if (!o.ok) return { verdicts: new Map(), error: o.reason };
  const input = specs.map((s) => JSON.stringify(s)).join('\n') + '\n';
  const r = spawnSync(o.bin, ['--tail', '4', 'raw'], { input, encoding: 'utf8', maxBuffer: 256 << 20, timeout: 1_800_000 });
  const verdicts = new Map<string, KernelVerdict>();
  for (const v of parseLines(r.stdout ?? '')) verdicts.set(v.name ?? '', v);
  if (r.status !== 0) return { verdicts, error: `bpfverify exit ${r.status}: ${(r.stderr ?? '').trim()}` };
  return { verdicts };
}

export function kernelRelease(): string {
  try {
    return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
