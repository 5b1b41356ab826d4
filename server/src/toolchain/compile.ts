// Compiles BPF C with the user's clang: -target bpf -O2 -g, the multiarch include dir,
// a nearby vmlinux.h, the project's compile_commands.json flags and the user's extra flags.
// Cancellable (the whole process group is killed) and bounded in time.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Finding } from '../analysis/types';
import type { ClangInfo } from './clang';
import { flagsFromCompileCommands, untrustedFlags } from './compile-commands';
import { parseClangDiagnostics } from './diagnostics';

export interface CompileSettings {
  extraIncludePaths: string[];
  extraFlags: string[];
  /** Workspace Trust: untrusted workspaces contribute no flags that could make clang run code. */
  trusted: boolean;
}

export interface CompileOptions {
  /** Extra -I directories (absolute). */
  includePaths: string[];
  /** Flags after the defaults (compile_commands.json, then the user's). */
  flags: string[];
  cwd: string;
  /** Human-readable notes on where flags came from (shown in logs). */
  notes: string[];
}

export interface CompileResult {
  status: 'ok' | 'errors' | 'cancelled' | 'timeout' | 'failed';
  /** The ELF object (status 'ok', and also 'errors' never has one). */
  elf?: Uint8Array;
  findings: Finding[];
  /** argv that was run, for logs and `bpfls check --verbose`. */
  command: string[];
  durationMs: number;
  stderr: string;
}

/** The __TARGET_ARCH_* bpf_tracing.h needs for PT_REGS_* / BPF_KPROBE on this machine. */
export function targetArch(machine = os.machine()): string | undefined {
  const map: Record<string, string> = {
    x86_64: 'x86', aarch64: 'arm64', arm64: 'arm64', s390x: 's390', ppc64le: 'powerpc', ppc64: 'powerpc',
    riscv64: 'riscv', loongarch64: 'loongarch', mips64: 'mips', armv7l: 'arm', i686: 'x86', sparc64: 'sparc',
  };
  return map[machine];
}

/** /usr/include/<triple> (where asm/types.h lives on Debian and Ubuntu), if present. */
export function multiarchIncludeDir(machine = os.machine()): string | undefined {
  const triple: Record<string, string> = {
    x86_64: 'x86_64-linux-gnu', aarch64: 'aarch64-linux-gnu', s390x: 's390x-linux-gnu',
    ppc64le: 'powerpc64le-linux-gnu', riscv64: 'riscv64-linux-gnu', armv7l: 'arm-linux-gnueabihf',
  };
  const t = triple[machine];
  const dir = t ? `/usr/include/${t}` : undefined;
  return dir && fs.existsSync(dir) ? dir : undefined;
}

/** The nearest directory holding vmlinux.h: the file's directory or an ancestor (or their include/, vmlinux/). */
export function findVmlinuxDir(file: string, stopAt?: string): string | undefined {
  let dir = path.dirname(path.resolve(file));
  for (let depth = 0; depth < 8; depth++) {
    for (const d of [dir, path.join(dir, 'include'), path.join(dir, 'vmlinux'), path.join(dir, 'headers')]) {
      if (fs.existsSync(path.join(d, 'vmlinux.h'))) return d;
    }
    if (stopAt && path.resolve(dir) === path.resolve(stopAt)) break;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** Works out include paths and flags for compiling `file`. */
export function compileOptionsFor(file: string, s: CompileSettings, workspaceRoot?: string): CompileOptions {
  const notes: string[] = [];
  const includePaths: string[] = [];
  const flags: string[] = [];
  const docDir = path.dirname(path.resolve(file));
  let cwd = fs.existsSync(docDir) ? docDir : process.cwd();
  const multi = multiarchIncludeDir();
  if (multi) includePaths.push(multi);
  const vml = findVmlinuxDir(file, workspaceRoot);
  if (vml) {
    includePaths.push(vml);
    notes.push(`vmlinux.h from ${vml}`);
  }
  const base = workspaceRoot ?? docDir;
  for (const p of s.extraIncludePaths) includePaths.push(path.resolve(base, p));
  const cc = flagsFromCompileCommands(file, workspaceRoot);
  if (cc) {
    const safe = s.trusted ? cc.flags : untrustedFlags(cc.flags).kept;
    flags.push(...safe);
    if (fs.existsSync(cc.directory)) cwd = cc.directory;
    notes.push(`flags from ${cc.database}`);
  }
  if (s.trusted) flags.push(...s.extraFlags);
  else {
    const { kept, dropped } = untrustedFlags(s.extraFlags);
    flags.push(...kept);
    if (dropped.length) notes.push(`untrusted workspace: ignored bpfls.extraFlags that could load code or write files: ${dropped.join(' ')}`);
  }
  return { includePaths, flags, cwd, notes };
}

/** At most this many clang processes at once (machines are shared; editors open many files). */
const MAX_PARALLEL = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function acquire(signal?: AbortSignal): Promise<boolean> {
  while (running >= MAX_PARALLEL) {
    if (signal?.aborted) return false;
    await new Promise<void>((r) => waiting.push(r));
  }
  if (signal?.aborted) return false;
  running++;
  return true;
}
function release(): void {
  running--;
  waiting.shift()?.();
}

export interface CompileRequest {
  clang: ClangInfo;
  /** The document's current text (may differ from the file on disk). */
  text: string;
  /** Absolute path of the document; clang sees the text under this name (via #line). */
  file: string;
  options: CompileOptions;
  signal?: AbortSignal;
  /** Wall-clock bound; default 30 s. */
  timeoutMs?: number;
}

/** The argv for compiling stdin to an object on stdout. */
export function clangArgs(req: Pick<CompileRequest, 'file' | 'options'>): string[] {
  const arch = targetArch();
  return [
    '-target', 'bpf', '-O2', '-g',
    ...(arch ? [`-D__TARGET_ARCH_${arch}`] : []),
    ...req.options.includePaths.map((p) => `-I${p}`),
    `-iquote${path.dirname(req.file)}`,
    ...req.options.flags,
    '-fno-color-diagnostics', '-fdiagnostics-parseable-fixits', '-fdiagnostics-print-source-range-info',
    '-x', 'c', '-', '-c', '-o', '-',
  ];
}

const MAX_OUTPUT = 256 << 20;

/** The name clang is told via #line: the path, with line breaks (which #line cannot hold) replaced. */
function lineDirectiveName(file: string): string {
  return file.replace(/[\r\n]/g, '_');
}

export async function compile(req: CompileRequest): Promise<CompileResult> {
  const args = clangArgs(req);
  const command = [req.clang.path, ...args];
  const t0 = performance.now();
  const done = (r: Omit<CompileResult, 'command' | 'durationMs'>): CompileResult => ({ ...r, command, durationMs: performance.now() - t0 });
  if (!(await acquire(req.signal))) return done({ status: 'cancelled', findings: [], stderr: '' });
  try {
    return await new Promise<CompileResult>((resolve) => {
      // The #line prelude makes clang name the document (diagnostics, BTF line info) by its path.
      const prelude = `#line 1 "${lineDirectiveName(req.file).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\n`;
      const child = spawn(req.clang.path, args, { cwd: req.options.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      let settled = false;
      let ended: 'cancelled' | 'timeout' | undefined;
      const killGroup = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const onAbort = () => {
        ended ??= 'cancelled';
        killGroup();
      };
      const timer = setTimeout(() => {
        ended ??= 'timeout';
        killGroup();
      }, req.timeoutMs ?? 30_000);
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (r: Omit<CompileResult, 'command' | 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        resolve(done(r));
      };
      child.stdout.on('data', (b: Buffer) => {
        outLen += b.length;
        if (outLen > MAX_OUTPUT) killGroup();
        else out.push(b);
      });
      child.stderr.on('data', (b: Buffer) => {
        errLen += b.length;
        if (errLen <= 1 << 20) err.push(b);
      });
      child.stdin.on('error', () => {}); // EPIPE when clang exits before reading everything
      child.on('error', (e) => finish({ status: 'failed', findings: [], stderr: `could not run ${req.clang.path}: ${e.message}` }));
      child.on('close', (code) => {
        const stderr = Buffer.concat(err).toString('utf8');
        if (ended === 'cancelled') return finish({ status: 'cancelled', findings: [], stderr });
        if (ended === 'timeout') {
          return finish({
            status: 'timeout', stderr,
            findings: [{
              range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
              severity: 'warning', code: 'bpfls.compile-timeout', source: 'bpfls',
              message: `clang did not finish within ${Math.round((req.timeoutMs ?? 30_000) / 1000)} s; compile diagnostics are unavailable`,
            }],
          });
        }
        const findings = parseClangDiagnostics(stderr, { mainFile: lineDirectiveName(req.file), text: req.text, physicalLineOffset: 1 });
        if (code === 0) {
          const elf = Buffer.concat(out);
          return finish({ status: 'ok', elf: new Uint8Array(elf.buffer, elf.byteOffset, elf.byteLength), findings, stderr });
        }
        if (!findings.some((f) => f.severity === 'error')) {
          findings.push({
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
            severity: 'error', code: 'clang.driver', source: 'clang',
            message: `clang failed (exit ${code})${stderr.trim() ? ': ' + stderr.trim().split('\n').slice(-3).join(' | ') : ''}`,
          });
        }
        finish({ status: 'errors', findings, stderr });
      });
      child.stdin.end(prelude + req.text);
    });
  } finally {
    release();
  }
}
