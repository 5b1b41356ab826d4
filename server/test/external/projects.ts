// Measures bpfls against the running kernel on public projects' BPF programs that live OUTSIDE the
// repo (fetched into /work/ext or $BPFLS_EXT: bcc's libbpf-tools, libbpf-bootstrap, tracee, falco…).
// Each .bpf.c is compiled with clang against a vmlinux.h generated from the running kernel's BTF;
// every program is loaded alone into the kernel (kernel verdicts cached next to the build, keyed by
// the object's sha256) and verified by bpfls; prints every disagreement and the figures.
//
//   node --import tsx server/test/external/projects.ts PROJECT... [--refresh] [--only SUBSTR] [--quiet]
//   node --import tsx server/test/external/projects.ts --dir DIR [--include DIR]... [--name NAME]
//
// PROJECT is one of the presets below (bcc, bootstrap). Nothing here is part of `npm test`: the
// sources are not in the repo.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { oracle, type KernelVerdict } from '../diff/oracle';
import { CLANG } from '../diff/corpus';
import { bpflsLoad, bpflsVerifier, bpflsVerify, type BpflsVerdict } from '../diff/bpfls';
import { computeFigures, summaryLine, type Pair } from '../diff/compare';
import { NOT_COMPARABLE_SECTIONS } from '../realworld/realworld';

const EXT = process.env.BPFLS_EXT ?? '/work/ext';
/** wall-clock budget per program: generous, since the machine is shared (slow runs are listed, not counted as verdicts) */
const BUDGET_MS = Number(process.env.BPFLS_VERIFY_BUDGET_MS ?? 20_000);

interface Project {
  name: string;
  /** directory holding the .bpf.c files */
  dir: string;
  includes: string[];
  /** file name filter (files directly in dir) */
  match: RegExp;
  /** instead of dir + match: paths relative to dir (e.g. "trace_open/program.bpf.c") */
  files?: () => string[];
  cflags?: string[];
}

/** newer libbpf headers (bpf_helpers.h, bpf_tracing.h) when fetched, as the projects' own libbpf submodules are */
const LIBBPF_INC = join(EXT, 'libbpf/include');
const newLibbpf = (): string[] => (existsSync(LIBBPF_INC) ? [LIBBPF_INC] : []);

/** kfunc prototypes bpftool 7.1 leaves out of vmlinux.h ($EXT/build/kfunc_decls.h, when present) */
const kfuncDecls = (): string[] => (existsSync(join(EXT, 'build/kfunc_decls.h')) ? ['-include', join(EXT, 'build/kfunc_decls.h')] : []);

const PRESETS: Record<string, () => Project> = {
  bcc: () => ({ name: 'bcc', dir: join(EXT, 'bcc/libbpf-tools'), includes: [join(EXT, 'bcc/libbpf-tools'), ...newLibbpf()], match: /\.bpf\.c$/, cflags: kfuncDecls() }),
  // one big object; its own minimal vmlinux.h (CO-RE) sits next to it
  tracee: () => ({ name: 'tracee', dir: join(EXT, 'tracee/pkg/ebpf/c'), includes: [join(EXT, 'tracee/pkg/ebpf/c'), ...newLibbpf()], match: /^tracee\.bpf\.c$/, cflags: ['-D__BPF_TRACING__', '-DCORE'] }),
  // inspektor-gadget: one program.bpf.c per gadget directory, headers under include/ (<gadget/...>)
  gadgets: () => ({
    name: 'gadgets', dir: join(EXT, 'ig/gadgets'), includes: [join(EXT, 'ig/include'), ...newLibbpf()], match: /\.bpf\.c$/,
    files: () => subdirFiles(join(EXT, 'ig/gadgets'), 'program.bpf.c'),
  }),
  bootstrap: () => ({ name: 'bootstrap', dir: join(EXT, 'bootstrap/examples/c'), includes: [join(EXT, 'bootstrap/examples/c'), ...newLibbpf()], match: /\.bpf\.c$/ }),
};

/** DIR/<sub>/NAME and DIR/<sub>/<sub2>/NAME, as paths relative to DIR */
function subdirFiles(dir: string, name: string, depth = 2): string[] {
  const out: string[] = [];
  const walk = (rel: string, d: number): void => {
    let ents: string[] = [];
    try { ents = readdirSync(join(dir, rel)); } catch { return; }
    for (const e of ents) {
      const r = rel ? `${rel}/${e}` : e;
      if (e === name && rel) out.push(r);
      else if (d > 0 && !e.includes('.')) walk(r, d - 1);
    }
  };
  walk('', depth);
  return out.sort();
}

interface FileCache {
  sha: string;
  verdicts: KernelVerdict[];
  error?: string;
}

/** Loads each program alone; --user-sizes gives maps the sizes user space would set (stack traces). */
function kernelLoad(bin: string, objPath: string): { verdicts: KernelVerdict[]; error?: string } {
  const r = spawnSync(bin, ['--user-sizes', 'obj', objPath], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
  const verdicts: KernelVerdict[] = [];
  for (const line of (r.stdout ?? '').split('\n')) {
    try {
      if (line.trim()) verdicts.push(JSON.parse(line) as KernelVerdict);
    } catch {
      /* a line cut by a crash */
    }
  }
  return r.status === 0 ? { verdicts } : { verdicts, error: `bpfverify exit ${r.status}: ${(r.stderr ?? '').trim().slice(0, 300)}` };
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function ensureVmlinux(dir: string): void {
  const p = join(dir, 'vmlinux.h');
  if (existsSync(p)) return;
  const r = spawnSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`bpftool btf dump failed: ${String(r.stderr).slice(0, 200)}`);
  writeFileSync(p, r.stdout);
}

function tag(p: { kernel: KernelVerdict; bpfls?: BpflsVerdict }): string {
  const b = p.bpfls;
  const k = p.kernel;
  if (!b) return '';
  if (b.crashed) return 'CRASH';
  if (b.ok && k.ok === false) return 'UNSOUND';
  if (!b.ok && k.ok) return 'STRICT';
  if (!b.ok && !k.ok && (b.message ?? '').trim() !== (k.error_line ?? '').trim()) return 'MSG';
  return '';
}

async function runProject(proj: Project, opts: { refresh: boolean; only?: string; quiet: boolean }): Promise<Pair[]> {
  const build = join(EXT, 'build', proj.name);
  mkdirSync(build, { recursive: true });
  ensureVmlinux(join(EXT, 'build'));
  const cachePath = join(build, 'kernel.json');
  let cache: Record<string, FileCache> = {};
  try {
    cache = JSON.parse(readFileSync(cachePath, 'utf8')) as Record<string, FileCache>;
  } catch {
    /* first run */
  }
  const files = (proj.files ? proj.files() : readdirSync(proj.dir).filter((f) => proj.match.test(f)).sort()).filter((f) => !opts.only || f.includes(opts.only));
  const verify = await bpflsVerifier();
  if (!verify) throw new Error('bpfls verifier not present');
  const pairs: Pair[] = [];
  const notes: string[] = [];
  const o = oracle();
  for (const f of files) {
    const obj = join(build, f.replace(/\//g, '__').replace(/\.c$/, '.o'));
    const args = ['-target', 'bpf', '-D__TARGET_ARCH_x86', '-O2', '-g', `-I${join(EXT, 'build')}`, ...proj.includes.map((i) => `-I${i}`),
      '-I/usr/include/x86_64-linux-gnu', ...(proj.cflags ?? []), '-c', join(proj.dir, f), '-o', obj];
    const needBuild = !existsSync(obj) || opts.refresh;
    if (needBuild) {
      const c = spawnSync(CLANG, args, { encoding: 'utf8', timeout: 180_000 });
      if (c.status !== 0) {
        notes.push(`COMPILE ${f}: ${(c.stderr ?? '').split('\n').filter((l) => /error/.test(l)).slice(0, 2).join(' / ')}`);
        continue;
      }
    }
    const sha = sha256(obj);
    let kc = cache[f];
    if (!kc || kc.sha !== sha) {
      if (!o.ok) {
        notes.push(`${f}: no kernel verdict cached and ${o.reason}`);
        continue;
      }
      const r = kernelLoad(o.bin, obj);
      kc = { sha, verdicts: r.verdicts, error: r.error };
      cache[f] = kc;
      writeFileSync(cachePath, JSON.stringify(cache, null, 1));
    }
    if (kc.error) notes.push(`${f}: kernel oracle: ${kc.error}`);
    const l = await bpflsLoad(new Uint8Array(readFileSync(obj)));
    for (const v of kc.verdicts) {
      const name = v.prog ?? v.name ?? '';
      const section = v.section ?? '';
      const id = `${f}:${name}`;
      // refused before the verifier ran (libbpf: unknown section, map creation...): no log, nothing processed
      const preVerifier = v.ok === false && !v.error_line && !v.processed;
      const comparable = v.ok !== null && !NOT_COMPARABLE_SECTIONS.test(section) && !preVerifier;
      if (!comparable) {
        notes.push(`not comparable ${id} [${section}]: ${v.skip ?? (preVerifier ? `refused before verification (errno ${v.errno}, no verifier log)` : 'fentry/fexit/lsm')}`);
        pairs.push({ id, kernel: { ok: null } });
        continue;
      }
      let b: BpflsVerdict;
      const prog = l.obj?.programs.find((x) => x.name === name);
      if (!l.obj) b = { ok: false, message: null, timeMs: 0, crashed: `load: ${l.error}` };
      else if (!prog) b = { ok: false, message: null, timeMs: 0, crashed: 'program not found by the bpfls loader' };
      else b = await bpflsVerify(verify, l.obj, prog, BUDGET_MS);
      pairs.push({ id, kernel: { ok: v.ok, error_line: v.error_line }, bpfls: b });
      const t = tag({ kernel: v, bpfls: b });
      if (t) console.log(`${t} ${proj.name}/${id} [${section}]: kernel ${v.ok ? 'ok' : `"${v.error_line}"`} | bpfls ${b.crashed ? b.crashed : b.ok ? 'ok' : `"${b.message}" @${b.insn}`}`);
      else if (!opts.quiet) console.log(`same ${proj.name}/${id}: ${v.ok ? 'ok' : `"${v.error_line}"`} (${b.timeMs.toFixed(0)} ms)`);
    }
  }
  for (const n of notes) console.log(`note: ${n}`);
  const fig = computeFigures(proj.name, pairs, true);
  console.log(summaryLine(fig));
  return pairs;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flagVal = (name: string): string[] => argv.flatMap((a, i) => (a === name && argv[i + 1] ? [argv[i + 1]] : []));
  const skip = new Set<number>();
  argv.forEach((a, i) => {
    if (['--only', '--dir', '--include', '--name'].includes(a)) skip.add(i + 1);
  });
  const names = argv.filter((a, i) => !a.startsWith('--') && !skip.has(i));
  const opts = { refresh: argv.includes('--refresh'), only: flagVal('--only')[0], quiet: argv.includes('--quiet') };
  const projects: Project[] = [];
  for (const n of names) {
    const p = PRESETS[n];
    if (!p) {
      console.error(`unknown project ${n} (known: ${Object.keys(PRESETS).join(', ')}; or --dir DIR)`);
      process.exit(2);
    }
    projects.push(p());
  }
  const dir = flagVal('--dir')[0];
  if (dir) {
    projects.push({ name: flagVal('--name')[0] ?? basename(resolve(dir)), dir: resolve(dir), includes: [resolve(dir), ...flagVal('--include').map((i) => resolve(i))], match: /\.bpf\.c$/ });
  }
  if (!projects.length) {
    console.error('usage: projects.ts PROJECT... | --dir DIR [--include DIR]... [--name NAME] [--refresh] [--only SUBSTR] [--quiet]');
    process.exit(2);
  }
  const all: Pair[] = [];
  for (const p of projects) all.push(...(await runProject(p, opts)));
  if (projects.length > 1) console.log(summaryLine(computeFigures('all', all, true)));
}

void main();
