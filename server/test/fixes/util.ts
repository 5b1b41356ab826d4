// Shared by the fixes tests: parse, apply a fix, compile with clang-19, look for callx, load into
// the kernel with bpftool. Each capability is probed once; tests skip with a reason when absent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readElf, SHF_EXECINSTR } from '../../src/bpf/elf/elf';
import { applyEdits } from '../../src/features/fixes/text';
import { parseC, Source } from '../../src/features/fixes/tree';
import type { Fix, FixFinding } from '../../src/features/fixes/types';

export const repoRoot = path.resolve(__dirname, '../../..');
export const corpusDir = path.join(repoRoot, 'test/fixes-corpus');
export const CLANG = process.env.BPFLS_CLANG ?? 'clang-19';
export const INCLUDES = ['-I/usr/include/x86_64-linux-gnu'];

export async function source(text: string): Promise<Source> {
  return new Source(text, await parseC(text));
}

export function corpus(name: string): string {
  return readFileSync(path.join(corpusDir, name), 'utf8');
}

let clangOk: boolean | undefined;
export function haveClang(): boolean {
  clangOk ??= spawnSync(CLANG, ['--version'], { encoding: 'utf8' }).status === 0;
  return clangOk;
}

export interface Compiled {
  ok: boolean;
  stderr: string;
  obj?: Uint8Array;
}

export function compile(text: string, opt: '-O0' | '-O2', extra: string[] = []): Compiled {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfls-fixes-'));
  try {
    const c = path.join(dir, 'prog.bpf.c');
    const o = path.join(dir, 'prog.bpf.o');
    writeFileSync(c, text);
    const r = spawnSync(CLANG, ['-target', 'bpf', opt, '-g', ...INCLUDES, ...extra, '-c', c, '-o', o], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status !== 0 || !existsSync(o)) return { ok: false, stderr: r.stderr };
    return { ok: true, stderr: r.stderr, obj: new Uint8Array(readFileSync(o)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Instruction indices of BPF_JMP|BPF_CALL|BPF_X (0x8d) in every executable section. */
export function callxInsns(obj: Uint8Array): { section: string; insn: number }[] {
  const { elf, errors } = readElf(obj);
  if (!elf) throw new Error(`not an ELF object: ${errors.join('; ')}`);
  const out: { section: string; insn: number }[] = [];
  for (const s of elf.sections) {
    if (!(s.flags & SHF_EXECINSTR)) continue;
    for (let i = 0; i + 8 <= s.data.length; i += 8) if (s.data[i] === 0x8d) out.push({ section: s.name, insn: i / 8 });
  }
  return out;
}

export function applyFix(text: string, fix: Fix): string {
  return applyEdits(text, fix.edits);
}

export function findFix(findings: FixFinding[], code: string, titlePart: string): Fix {
  for (const f of findings) {
    if (f.code !== code) continue;
    const fix = f.fixes.find((x) => x.title.includes(titlePart));
    if (fix) return fix;
  }
  throw new Error(`no fix '${titlePart}' for ${code} among: ${findings.map((f) => `${f.code}: ${f.fixes.map((x) => x.title).join(' | ')}`).join('; ')}`);
}

let loadProbe: string | undefined;
/** Loads every program of an object into the kernel with bpftool and unpins it again. */
export function kernelLoad(obj: Uint8Array): { ok: boolean; log: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfls-fixes-load-'));
  const pin = `/sys/fs/bpf/bpfls-fixes-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    const o = path.join(dir, 'prog.o');
    writeFileSync(o, obj);
    const r = spawnSync('bpftool', ['prog', 'loadall', o, pin], { encoding: 'utf8', timeout: 60_000 });
    return { ok: r.status === 0, log: (r.stdout ?? '') + (r.stderr ?? '') };
  } finally {
    rmSync(pin, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why the kernel cannot be used for loads here, or undefined when it can. */
export function kernelUnavailable(): string | undefined {
  if (loadProbe !== undefined) return loadProbe || undefined;
  if (spawnSync('bpftool', ['version'], { encoding: 'utf8' }).status !== 0) loadProbe = 'bpftool not found';
  else if (!existsSync('/sys/fs/bpf')) loadProbe = '/sys/fs/bpf not mounted';
  else if (!haveClang()) loadProbe = `${CLANG} not found`;
  else {
    const c = compile('int p(void *c) __attribute__((section("socket"), used));\nint p(void *c) { return 0; }\nchar l[] __attribute__((section("license"), used)) = "GPL";\n', '-O2');
    const r = c.obj ? kernelLoad(c.obj) : { ok: false, log: c.stderr };
    loadProbe = r.ok ? '' : `the kernel refuses even a trivial program here: ${r.log.trim().split('\n').pop()}`;
  }
  return loadProbe || undefined;
}

/** The kernel verifier's error for a rejected object: its message and the source line (1-based) it names. */
export function kernelRejection(obj: Uint8Array): { message: string; line?: number } | undefined {
  const r = kernelLoad(obj);
  if (r.ok) return undefined;
  const lines = r.log.split('\n');
  let line: number | undefined;
  for (const l of lines) {
    const at = /^; .* @ [^:]+:(\d+)$/.exec(l);
    if (at) line = Number(at[1]);
    if (/^R\d+ invalid mem access/.test(l) || /^(invalid|unknown|call to)/.test(l)) return { message: l.trim(), line };
  }
  return { message: lines.filter((l) => l.trim()).pop() ?? '', line };
}

/** The 1-based line of the `// expect: <text>` marker in a corpus program. */
export function expectLine(text: string, what: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(`// expect: ${what}`));
  if (i < 0) throw new Error(`no expect marker for ${what}`);
  return i + 1;
}

let vmlinux: Uint8Array | null | undefined;
function targetBtfBytes(): Uint8Array | undefined {
  if (vmlinux === undefined) {
    try {
      vmlinux = new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux'));
    } catch {
      vmlinux = null;
    }
  }
  return vmlinux ?? undefined;
}

export interface BpflsVerdict {
  prog: string;
  ok: boolean;
  message?: string;
  /** 1-based source line of the failing instruction, from line_info */
  line?: number;
}

/** bpfls's own loader and verifier over every program of an object. */
export async function bpflsVerify(obj: Uint8Array): Promise<{ loadErrors: string[]; verdicts: BpflsVerdict[] }> {
  const { loadObject } = await import('../../src/bpf/loader/load.js');
  const { verifyProgram } = await import('../../src/bpf/verifier/index.js');
  const { object, errors } = loadObject(obj, { targetBtf: targetBtfBytes() });
  if (!object) return { loadErrors: errors, verdicts: [] };
  const verdicts = object.programs.map((p) => {
    let r: ReturnType<typeof verifyProgram>;
    try {
      r = verifyProgram(object, p, { timeBudgetMs: 20_000 });
    } catch (e) {
      return { prog: p.name, ok: false, message: `bpfls verifier threw: ${(e as Error).message}` };
    }
    let line: number | undefined;
    if (r.error) {
      for (const li of p.lineInfo) if (li.insnOff <= r.error.insn) line = li.line;
    }
    return { prog: p.name, ok: r.ok, message: r.error?.message, line };
  });
  return { loadErrors: errors, verdicts };
}

/** Fails unless bpfls's verifier accepts every program of the object. */
export async function assertBpflsAccepts(obj: Uint8Array, label: string): Promise<void> {
  const { loadErrors, verdicts } = await bpflsVerify(obj);
  if (!verdicts.length) throw new Error(`${label}: bpfls could not load the object: ${loadErrors.join('; ')}`);
  const bad = verdicts.filter((v) => !v.ok);
  if (bad.length) throw new Error(`${label}: bpfls verifier refused ${bad.map((b) => `${b.prog}: ${b.message} (line ${b.line})`).join('; ')}`);
}

let vmlinuxDir: string | null | undefined;
/** A directory holding vmlinux.h dumped from the running kernel's BTF (removed at exit). */
export function vmlinuxInclude(): string | undefined {
  if (vmlinuxDir === undefined) {
    vmlinuxDir = null;
    const dir = mkdtempSync(path.join(tmpdir(), 'bpfls-fixes-vmlinux-'));
    const r = spawnSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      timeout: 60_000,
    });
    if (r.status === 0 && r.stdout) {
      writeFileSync(path.join(dir, 'vmlinux.h'), r.stdout);
      vmlinuxDir = dir;
      process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    } else rmSync(dir, { recursive: true, force: true });
  }
  return vmlinuxDir ?? undefined;
}
