// The real-world-style corpus (test/corpus-real/*.c): programs written the way public projects
// (libbpf-tools, libbpf-bootstrap, XDP/TC tutorials, cilium-like parsers) write them, including the
// mistakes developers make. Compiled against a vmlinux.h generated from the running kernel's BTF
// into a temp build directory; kernel verdicts come live from the oracle or from the committed cache
// (test/corpus-real/kernel-verdicts.json, keyed by object sha256).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, kernelRelease, kernelVerifyObject, oracle } from '../diff/oracle';
import { CLANG, clangAvailable, toCached, type CachedVerdict, type KernelCache } from '../diff/corpus';
import { bpflsLoad, bpflsVerifier, bpflsVerify, type BpflsVerdict } from '../diff/bpfls';
import { computeFigures, type Figures, type Pair } from '../diff/compare';

export const realDir = join(repoRoot, 'test/corpus-real');
export const realCachePath = join(realDir, 'kernel-verdicts.json');
export const realBaselinePath = join(repoRoot, 'server/test/realworld/baseline.json');
const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';

export function listRealFiles(): string[] {
  try {
    return readdirSync(realDir).filter((f) => f.endsWith('.c')).sort().map((f) => join(realDir, f));
  } catch {
    return [];
  }
}

/** Program type prefixes the kernel here refuses with EPERM (lockdown): not comparable. */
export const NOT_COMPARABLE_SECTIONS = /^(fentry|fexit|fmod_ret|lsm|lsm\.s|freplace)\b/;

export interface RealProgram {
  file: string;
  prog: string;
  section: string;
  kernel?: CachedVerdict & { verification_time_usec?: number };
  bpfls?: BpflsVerdict;
}

export interface RealRun {
  dir: string;
  notes: string[];
  objects: { file: string; objPath: string; sha: string }[];
  compileErrors: string[];
  live: boolean;
}

/** Writes vmlinux.h into dir with bpftool; null with a reason when that is not possible. */
export function generateVmlinuxH(dir: string): string | null {
  if (!existsSync(VMLINUX_BTF)) return `${VMLINUX_BTF} missing`;
  const r = spawnSync('bpftool', ['btf', 'dump', 'file', VMLINUX_BTF, 'format', 'c'], { maxBuffer: 64 << 20, timeout: 60_000 });
  if (r.error || r.status !== 0) return `bpftool btf dump failed: ${r.error?.message ?? String(r.stderr).slice(0, 200)}`;
  writeFileSync(join(dir, 'vmlinux.h'), r.stdout);
  return null;
}

export function compileReal(path: string, dir: string): { objPath?: string; sha?: string; error?: string } {
  const objPath = join(dir, basename(path).replace(/\.c$/, '.o'));
  // the temp build dir is mapped away so the object (and its cache key) does not depend on it
  const args = ['-target', 'bpf', '-D__TARGET_ARCH_x86', '-O2', '-g', `-fdebug-prefix-map=${dir}=/build`, `-I${dir}`, `-I${realDir}`,
    '-I/usr/include/x86_64-linux-gnu', '-c', path, '-o', objPath];
  const r = spawnSync(CLANG, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error || r.status !== 0) return { error: (r.error?.message ?? r.stderr).split('\n').slice(0, 6).join('\n') };
  return { objPath, sha: createHash('sha256').update(readFileSync(objPath)).digest('hex') };
}

/** Compiles every corpus file (needs clang and bpftool); notes say why when nothing could be built. */
export function buildReal(files = listRealFiles()): RealRun {
  const dir = mkdtempSync(join(tmpdir(), 'bpfls-real-'));
  const run: RealRun = { dir, notes: [], objects: [], compileErrors: [], live: false };
  const cl = clangAvailable();
  if (!cl.ok) {
    run.notes.push(cl.reason ?? 'clang missing');
    return run;
  }
  const why = generateVmlinuxH(dir);
  if (why) {
    run.notes.push(`cannot generate vmlinux.h: ${why}`);
    return run;
  }
  for (const f of files) {
    const c = compileReal(f, dir);
    if (c.error) run.compileErrors.push(`${basename(f)}: ${c.error}`);
    else run.objects.push({ file: basename(f), objPath: c.objPath!, sha: c.sha! });
  }
  return run;
}

export function cleanupReal(run: RealRun): void {
  rmSync(run.dir, { recursive: true, force: true });
}

export function readRealCache(): KernelCache {
  try {
    return JSON.parse(readFileSync(realCachePath, 'utf8')) as KernelCache;
  } catch {
    return { kernel: '', clang: '', files: {} };
  }
}

export function writeRealCache(cache: KernelCache): void {
  const files: KernelCache['files'] = {};
  for (const k of Object.keys(cache.files).sort()) files[k] = cache.files[k];
  writeFileSync(realCachePath, JSON.stringify({ ...cache, files }, null, 1) + '\n');
}

/**
 * Kernel verdicts per program: from the cache when the object's hash matches, else live (when
 * loading is permitted). With refresh, every object is loaded live and the cache rewritten.
 */
export function kernelVerdicts(run: RealRun, opts: { refresh?: boolean } = {}): Map<string, RealProgram[]> {
  const cache = readRealCache();
  const out = new Map<string, RealProgram[]>();
  let dirty = false;
  const o = oracle();
  for (const obj of run.objects) {
    const cached = cache.files[obj.file];
    let progs: RealProgram[] | undefined;
    if (!opts.refresh && cached && cached.objSha256 === obj.sha) {
      progs = Object.entries(cached.programs).map(([prog, v]) => ({ file: obj.file, prog, section: (v as { section?: string }).section ?? '', kernel: v }));
    } else if (o.ok) {
      const r = kernelVerifyObject(obj.objPath);
      if (r.error) run.notes.push(`${obj.file}: ${r.error}`);
      progs = r.verdicts.map((v) => ({
        file: obj.file, prog: v.prog ?? v.name ?? '', section: v.section ?? '',
        kernel: { ...toCached(v), verification_time_usec: v.verification_time_usec },
      }));
      run.live = true;
      if (!r.error || progs.length) {
        const programs: Record<string, CachedVerdict & { section?: string }> = {};
        for (const p of progs) programs[p.prog] = { section: p.section, ...toCached(p.kernel as never) };
        cache.files[obj.file] = { objSha256: obj.sha, programs };
        dirty = true;
      }
    } else {
      run.notes.push(`${obj.file}: no cached kernel verdict for this object and ${o.reason}`);
    }
    if (progs) out.set(obj.file, progs);
  }
  if (dirty) {
    cache.kernel = kernelRelease();
    cache.clang = clangAvailable().version;
    writeRealCache(cache);
  }
  return out;
}

/** Runs bpfls on every program that has a kernel verdict; fills p.bpfls. */
export async function bpflsVerdicts(run: RealRun, kernel: Map<string, RealProgram[]>, opts: { repeat?: number } = {}): Promise<void> {
  const verify = await bpflsVerifier();
  if (!verify) {
    run.notes.push('bpfls verifier not present');
    return;
  }
  for (const obj of run.objects) {
    const progs = kernel.get(obj.file);
    if (!progs) continue;
    const l = await bpflsLoad(new Uint8Array(readFileSync(obj.objPath)));
    for (const p of progs) {
      if (!l.obj) {
        p.bpfls = { ok: false, message: null, timeMs: 0, crashed: `load: ${l.error}` };
        continue;
      }
      const prog = l.obj.programs.find((x) => x.name === p.prog);
      if (!prog) {
        p.bpfls = { ok: false, message: null, timeMs: 0, crashed: 'program not found by the bpfls loader' };
        continue;
      }
      p.bpfls = await bpflsVerify(verify, l.obj, prog);
      // timing: the fastest of several runs, so JIT warm-up and GC pauses on a shared machine do not count
      for (let i = 1; i < (opts.repeat ?? 1) && !p.bpfls.crashed; i++) {
        const again = await bpflsVerify(verify, l.obj, prog);
        p.bpfls.timeMs = Math.min(p.bpfls.timeMs, again.timeMs);
      }
    }
  }
}

export function toPairs(kernel: Map<string, RealProgram[]>): Pair[] {
  const pairs: Pair[] = [];
  for (const progs of kernel.values()) {
    for (const p of progs) {
      const comparable = p.kernel && p.kernel.ok !== null && !NOT_COMPARABLE_SECTIONS.test(p.section);
      pairs.push({ id: `${p.file}:${p.prog}`, kernel: { ok: comparable ? p.kernel!.ok : null, error_line: p.kernel?.error_line }, bpfls: p.bpfls });
    }
  }
  return pairs;
}

export interface Timing {
  /** programs with both times */
  n: number;
  medianRatio: number;
  worstRatio: number;
  worstId: string;
  over10x: string[];
}

/** bpfls time / kernel verification time per program (kernel times exist only on live runs). */
export function timing(kernel: Map<string, RealProgram[]>): Timing {
  const rs: { id: string; r: number }[] = [];
  for (const progs of kernel.values()) {
    for (const p of progs) {
      const k = p.kernel?.verification_time_usec;
      if (!k || !p.bpfls || p.bpfls.crashed) continue;
      // a floor of 50 usec: below that both sides measure noise
      rs.push({ id: `${p.file}:${p.prog} (${p.bpfls.timeMs.toFixed(1)} ms vs ${k} us)`, r: (p.bpfls.timeMs * 1000) / Math.max(k, 50) });
    }
  }
  rs.sort((a, b) => a.r - b.r);
  const worst = rs[rs.length - 1];
  return {
    n: rs.length, medianRatio: rs.length ? rs[rs.length >> 1].r : 0, worstRatio: worst?.r ?? 0, worstId: worst?.id ?? '',
    over10x: rs.filter((x) => x.r > 10).map((x) => `${x.id} ${x.r.toFixed(1)}x`),
  };
}

export function disagreements(kernel: Map<string, RealProgram[]>): string[] {
  const out: string[] = [];
  for (const progs of kernel.values()) {
    for (const p of progs) {
      if (!p.kernel || p.kernel.ok === null || NOT_COMPARABLE_SECTIONS.test(p.section) || !p.bpfls) continue;
      const b = p.bpfls;
      const k = p.kernel;
      const tag = b.crashed ? 'CRASH' : b.ok && !k.ok ? 'UNSOUND' : !b.ok && k.ok ? 'STRICT' : !b.ok && b.message !== k.error_line ? 'MSG' : '';
      if (!tag) continue;
      out.push(`${tag} ${p.file}:${p.prog}: kernel ${k.ok ? 'ok' : `"${k.error_line}"`} | bpfls ${b.crashed ? b.crashed : b.ok ? 'ok' : `"${b.message}" @${b.insn}`}`);
    }
  }
  return out;
}

export interface RealBaseline {
  agreementPct: number;
  messagePct: number;
  unsound: number;
}

export function readRealBaseline(): RealBaseline | undefined {
  try {
    return JSON.parse(readFileSync(realBaselinePath, 'utf8')) as RealBaseline;
  } catch {
    return undefined;
  }
}

export function writeRealBaseline(f: Figures): void {
  mkdirSync(join(repoRoot, 'server/test/realworld'), { recursive: true });
  writeFileSync(realBaselinePath, JSON.stringify({ agreementPct: f.finishedAgreementPct, messagePct: f.messagePct, unsound: f.unsound.length }, null, 2) + '\n');
}

export function realFigures(kernel: Map<string, RealProgram[]>, bpflsPresent: boolean): Figures {
  return computeFigures('realworld', toPairs(kernel), bpflsPresent);
}
