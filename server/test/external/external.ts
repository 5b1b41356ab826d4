// Measures bpfls against the running kernel on an external set of BPF C sources — by default the
// kernel's own BPF selftests (tools/testing/selftests/bpf/progs/*.c). Sources are read where they
// are and never copied into the repo; objects, vmlinux.h and the kernel's verdicts are cached in a
// temp directory keyed by the object's sha256 and the kernel release, so re-runs only re-verify
// with bpfls.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { kernelRelease, oracle, parseLines, type KernelVerdict } from '../diff/oracle';
import { CLANG, clangAvailable } from '../diff/corpus';
import { bpflsLoad, bpflsVerifier, bpflsVerify, type BpflsVerdict } from '../diff/bpfls';
import { generateVmlinuxH, NOT_COMPARABLE_SECTIONS } from '../realworld/realworld';

export const DEFAULT_SELFTESTS = '/work/ref/linux-source-6.12/tools/testing/selftests/bpf';

export interface Layout {
  /** the selftests directory (holds progs/, bpf_misc headers, ...) */
  selftests: string;
  progs: string;
  /** kernel source root when the selftests sit in a kernel tree (tools/lib, tools/include/uapi) */
  kernelRoot?: string;
}

/** Accepts the selftests dir, its progs/ dir, or a kernel source root. */
export function resolveLayout(dir: string): Layout | string {
  let d = resolve(dir);
  if (existsSync(join(d, 'tools/testing/selftests/bpf/progs'))) d = join(d, 'tools/testing/selftests/bpf');
  if (basename(d) === 'progs' && !existsSync(join(d, 'progs'))) d = resolve(d, '..');
  const progs = existsSync(join(d, 'progs')) ? join(d, 'progs') : d;
  if (!existsSync(progs)) return `${dir}: no such directory`;
  const root = resolve(d, '../../../..');
  return { selftests: d, progs, kernelRoot: existsSync(join(root, 'tools/lib/bpf/bpf_helpers.h')) ? root : undefined };
}

export interface ObjectEntry {
  file: string;
  objPath?: string;
  sha?: string;
  error?: string;
}

export interface ProgEntry {
  file: string;
  prog: string;
  section: string;
  kernel: KernelVerdict;
  bpfls?: BpflsVerdict;
  /** why the pair is not compared (lockdown, libbpf could not prepare the load...) */
  skip?: string;
}

function sha(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

export function workDir(layout: Layout): string {
  const d = join(tmpdir(), 'bpfls-external', sha(layout.progs).slice(0, 12));
  mkdirSync(join(d, 'obj'), { recursive: true });
  mkdirSync(join(d, 'inc'), { recursive: true });
  mkdirSync(join(tmpdir(), 'bpfls-external', 'kernel'), { recursive: true });
  return d;
}

/** vmlinux.h from the running kernel (regenerated when the BTF changes) and bpf_helper_defs.h. */
export function prepareIncludes(work: string): string | null {
  const inc = join(work, 'inc');
  const stamp = join(inc, 'btf.stamp');
  let btfStamp = '';
  try {
    const st = statSync('/sys/kernel/btf/vmlinux');
    btfStamp = `${kernelRelease()} ${st.size}`;
  } catch {
    return '/sys/kernel/btf/vmlinux missing';
  }
  if (!existsSync(join(inc, 'vmlinux.h')) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== btfStamp) {
    const why = generateVmlinuxH(inc);
    if (why) return why;
    writeFileSync(stamp, btfStamp);
  }
  // bpf_helpers.h includes "bpf_helper_defs.h", which the kernel build generates; take libbpf-dev's
  if (!existsSync(join(inc, 'bpf_helper_defs.h'))) {
    const sys = '/usr/include/bpf/bpf_helper_defs.h';
    if (!existsSync(sys)) return `${sys} missing (libbpf-dev)`;
    writeFileSync(join(inc, 'bpf_helper_defs.h'), readFileSync(sys));
  }
  return null;
}

/** The selftests Makefile's flags for test_progs objects (-mcpu=v3, alu32, atomics). */
export function cflags(layout: Layout, work: string): string[] {
  const inc = join(work, 'inc');
  const f = ['-g', '-O2', '--target=bpf', '-mcpu=v3', '-Wall', '-Wno-compare-distinct-pointer-types', '-Wno-unused-variable',
    '-D__TARGET_ARCH_x86', '-DENABLE_ATOMICS_TESTS', `-I${inc}`, `-I${layout.selftests}`, `-I${layout.progs}`];
  if (layout.kernelRoot) f.push(`-I${join(layout.kernelRoot, 'tools/lib')}`, `-I${join(layout.kernelRoot, 'tools/include/uapi')}`);
  f.push('-idirafter', '/usr/include/x86_64-linux-gnu', '-idirafter', '/usr/include');
  return f;
}

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { if (stdout.length < 64 << 20) stdout += d; });
    p.stderr.on('data', (d) => { if (stderr.length < 1 << 20) stderr += d; });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', (e) => { clearTimeout(t); res({ status: -1, stdout, stderr: stderr + String(e) }); });
    p.on('close', (code) => { clearTimeout(t); res({ status: code, stdout, stderr }); });
  });
}

/**
 * Compiles every progs/*.c (or the named ones). An object is rebuilt when its source is newer; a
 * failed compile is remembered (.err) until the source changes.
 */
export async function compileAll(layout: Layout, work: string, only: string[], jobs: number, log: (s: string) => void): Promise<ObjectEntry[]> {
  const files = readdirSync(layout.progs).filter((f) => f.endsWith('.c')).sort()
    .filter((f) => !only.length || only.some((o) => f === o || f === `${o}.c` || f.startsWith(o)));
  const flags = cflags(layout, work);
  const flagsKey = sha(flags.join(' ')).slice(0, 8);
  const out: ObjectEntry[] = [];
  let done = 0;
  await pool(files, jobs, async (file) => {
    const src = join(layout.progs, file);
    const obj = join(work, 'obj', file.replace(/\.c$/, `.${flagsKey}.o`));
    const err = obj.replace(/\.o$/, '.err');
    const mtime = statSync(src).mtimeMs;
    const fresh = (p: string) => existsSync(p) && statSync(p).mtimeMs >= mtime;
    const e: ObjectEntry = { file };
    if (fresh(obj)) {
      e.objPath = obj;
    } else if (fresh(err)) {
      e.error = readFileSync(err, 'utf8');
    } else {
      const tmp = `${obj}.${process.pid}.tmp`;
      const r = await run(CLANG, [...flags, '-c', src, '-o', tmp], 180_000);
      if (r.status === 0) {
        renameSync(tmp, obj);
        e.objPath = obj;
      } else {
        e.error = (r.stderr.split('\n').find((l) => /error:/.test(l)) ?? r.stderr.split('\n')[0] ?? `exit ${r.status}`).trim();
        writeFileSync(err, e.error);
      }
    }
    if (e.objPath) e.sha = sha(readFileSync(e.objPath));
    out.push(e);
    if (++done % 100 === 0) log(`compiled ${done}/${files.length}`);
  });
  out.sort((a, b) => a.file.localeCompare(b.file));
  return out;
}

function kernelCachePath(objSha: string): string {
  return join(tmpdir(), 'bpfls-external', 'kernel', `${kernelRelease()}-${objSha.slice(0, 32)}.json`);
}


/** The kernel's verdicts per object: from the cache, else loaded live (each program alone). */
export async function kernelAll(objs: ObjectEntry[], jobs: number, refresh: boolean, log: (s: string) => void): Promise<{ verdicts: Map<string, KernelVerdict[]>; notes: string[] }> {
  const verdicts = new Map<string, KernelVerdict[]>();
  const notes: string[] = [];
  const o = oracle();
  let live = 0;
  await pool(objs.filter((x) => x.objPath), jobs, async (e) => {
    const cp = kernelCachePath(e.sha!);
    if (!refresh && existsSync(cp)) {
      try {
        verdicts.set(e.file, JSON.parse(readFileSync(cp, 'utf8')) as KernelVerdict[]);
        return;
      } catch {
        /* reload */
      }
    }
    if (!o.ok) {
      notes.push(`${e.file}: no cached kernel verdict and ${o.reason}`);
      return;
    }
    const r = await run(o.bin, ['--tail', '6', 'obj', e.objPath!], 600_000);
    const v = parseLines(r.stdout);
    if (r.status !== 0 && !v.length) {
      // libbpf could not even open the object (unknown section, bad relocation...): nothing to compare
      notes.push(`${e.file}: bpfverify exit ${r.status}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
    }
    verdicts.set(e.file, v);
    writeFileSync(cp, JSON.stringify(v));
    if (++live % 50 === 0) log(`kernel: ${live} objects loaded live`);
  });
  return { verdicts, notes };
}

/** Why a kernel verdict says nothing about the verifier (null when it does). */
export function notComparable(v: KernelVerdict): string | null {
  if (v.ok === null) return v.skip ?? 'not loadable here';
  // fentry/fexit/lsm/freplace: refused with EPERM under lockdown (the oracle reports ok null)
  if (NOT_COMPARABLE_SECTIONS.test(v.section ?? '') && !v.ok && v.errno === 1) return 'lockdown (fentry/fexit/lsm/freplace)';
  if (!v.ok) {
    const line = v.error_line ?? '';
    const tail = v.log_tail ?? '';
    // libbpf failed before or outside the verifier: map creation, kfunc/attach target resolution
    if (!tail.trim() || !line.trim()) return `kernel load failed without a verifier log (errno ${v.errno ?? '?'})`;
    if (/^libbpf:/.test(line)) return 'libbpf failure';
    // attach-target failures reported by the kernel before do_check
    if (/attach_btf_id|The address of function .* cannot be found|is not a valid target|Attach to unsupported|Cannot replace|Tracing programs must provide btf_id|attach to unsupported member/.test(line)) return `attach failure: ${line}`;
  }
  return null;
}

/** Runs bpfls on each program the kernel judged. `filter` picks objects in-process. */
export async function bpflsAll(objs: ObjectEntry[], kv: Map<string, KernelVerdict[]>, log: (s: string) => void): Promise<ProgEntry[]> {
  const verify = await bpflsVerifier();
  const out: ProgEntry[] = [];
  let n = 0;
  for (const e of objs) {
    const vs = kv.get(e.file);
    if (!vs || !e.objPath) continue;
    const entries: ProgEntry[] = vs.map((k) => ({ file: e.file, prog: k.prog ?? k.name ?? '', section: k.section ?? '', kernel: k, skip: notComparable(k) ?? undefined }));
    out.push(...entries);
    if (!entries.some((p) => !p.skip)) continue;
    const l = await bpflsLoad(new Uint8Array(readFileSync(e.objPath)));
    for (const p of entries) {
      if (p.skip) continue;
      if (!verify) {
        p.bpfls = { ok: false, message: null, timeMs: 0, crashed: 'bpfls verifier not present' };
      } else if (!l.obj) {
        p.bpfls = { ok: false, message: null, timeMs: 0, crashed: `load: ${l.error}` };
      } else {
        const prog = l.obj.programs.find((x) => x.name === p.prog);
        p.bpfls = prog ? await bpflsVerify(verify, l.obj, prog) : { ok: false, message: null, timeMs: 0, crashed: 'program not found by the bpfls loader' };
      }
    }
    if (++n % 100 === 0) log(`bpfls: ${n} objects`);
  }
  return out;
}

export interface ExternalFigures {
  sources: number;
  compiled: number;
  compileFailed: number;
  programs: number;
  notComparable: number;
  compared: number;
  agree: number;
  unsound: ProgEntry[];
  strict: ProgEntry[];
  sharedRejections: number;
  sameMessage: number;
  msgDiff: ProgEntry[];
  crashes: ProgEntry[];
  timeouts: number;
  skipReasons: Map<string, number>;
}

export function figures(objs: ObjectEntry[], progs: ProgEntry[]): ExternalFigures {
  const f: ExternalFigures = {
    sources: objs.length, compiled: objs.filter((o) => o.objPath).length, compileFailed: objs.filter((o) => o.error).length,
    programs: progs.length, notComparable: 0, compared: 0, agree: 0, unsound: [], strict: [], sharedRejections: 0, sameMessage: 0,
    msgDiff: [], crashes: [], timeouts: 0, skipReasons: new Map(),
  };
  for (const p of progs) {
    if (p.skip || !p.bpfls) {
      f.notComparable++;
      const r = (p.skip ?? 'no bpfls verdict').replace(/: .*/, '');
      f.skipReasons.set(r, (f.skipReasons.get(r) ?? 0) + 1);
      continue;
    }
    f.compared++;
    const b = p.bpfls;
    const k = p.kernel;
    if (b.crashed) {
      if (b.crashed.includes('time budget')) f.timeouts++;
      f.crashes.push(p);
      continue;
    }
    if (b.ok === k.ok) f.agree++;
    if (b.ok && !k.ok) f.unsound.push(p);
    if (!b.ok && k.ok) f.strict.push(p);
    if (!b.ok && !k.ok) {
      f.sharedRejections++;
      if ((b.message ?? '').trim() === (k.error_line ?? '').trim()) f.sameMessage++;
      else f.msgDiff.push(p);
    }
  }
  return f;
}

/** A message with its varying parts (registers, numbers, offsets) folded, for grouping. */
export function shape(msg: string | null | undefined): string {
  return (msg ?? '(none)')
    .replace(/\bR\d+\b/g, 'R#')
    .replace(/\b(fp|off|size|value_size|insn)[-=+]?-?\d+/g, '$1#')
    .replace(/-?\b\d+\b/g, 'N')
    .replace(/0x[0-9a-f]+/gi, 'X')
    .slice(0, 120);
}

export function groups(list: ProgEntry[], key: (p: ProgEntry) => string): [string, ProgEntry[]][] {
  const m = new Map<string, ProgEntry[]>();
  for (const p of list) {
    const k = key(p);
    const g = m.get(k);
    if (g) g.push(p);
    else m.set(k, [p]);
  }
  return [...m.entries()].sort((a, b) => b[1].length - a[1].length);
}

export function pct(a: number, b: number): string {
  return b ? `${((100 * a) / b).toFixed(1)}%` : '-';
}

export function toolchainOk(): string | null {
  const c = clangAvailable();
  if (!c.ok) return c.reason ?? 'clang missing';
  const b = spawnSync('bpftool', ['version'], { encoding: 'utf8' });
  if (b.error || b.status !== 0) return 'bpftool missing';
  return null;
}
