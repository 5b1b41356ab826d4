// bpfls verify FILE [--prog NAME] [--json] [--log-level N]: the built-in verifier on each program
// of an object (.o), a C file (compiled with clang) or a BPF assembly file (assembled with clang).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, UsageError, parseArgs, readInputFile, readSourceFile } from '../command';
import { summarizeClangErrors } from '../summarize';
import { loadObject, sourceForInsn } from '../../bpf/loader';
import { verifyProgram } from '../../bpf/verifier';
import { findClang } from '../../toolchain/clang';
import { compile, compileOptionsFor } from '../../toolchain/compile';
import { progTypeName } from '../../bpf/progtypes';
import type { LoadedObject } from '../../bpf/loader/types';
import { kernelVerifyObject, type KernelVerdict } from '../../toolchain/kernel-verifier';
import { runningKernelLoadOptions, runningKernelVerifyOptions } from '../../toolchain/running-kernel';

const USAGE = `usage: bpfls verify FILE [--prog NAME] [--json] [--log-level N] [--insn-limit N] [--kernel]

Runs bpfls's verifier (a model of the Linux kernel's) on every program in FILE and reports the
kernel's verdict and error message. FILE is an ELF object (.o), BPF C (.c, compiled with clang) or
BPF assembly (.s, assembled with clang).
  --prog NAME       verify only the program whose function name is NAME
  --json            one JSON object per program per line:
                    {"file","prog","section","ok","error":{"message","insn","line"}|null,"processed","time_ms"}
  --log-level N     print the verifier log (1 or 2) in the kernel's format
  --insn-limit N    processed-instruction limit (default 1000000, the kernel's)
  --kernel          also load each program alone into the running kernel with bpftool (needs
                    root; nothing stays loaded) and print its verdict beside bpfls's; with --json
                    each line gets "kernel":{"ok","message","insn","line"} (ok null: not verified,
                    with "skip" saying why)
Exit status: 0 all programs accepted, 1 a program was rejected (by bpfls, or with --kernel by the
kernel), 2 usage or build errors.`;

async function objectFor(file: string): Promise<{ elf?: Uint8Array; error?: string }> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.o') return { elf: readInputFile(file) };
  if (ext !== '.c' && ext !== '.s' && ext !== '.h') {
    readInputFile(file); // a missing file is reported as such first
    return { error: `${file}: expected a .o, .c or .s file` };
  }
  const text = readSourceFile(file);
  const found = await findClang({ trusted: true });
  if (!found.ok) return { error: found.message };
  if (ext === '.c' || ext === '.h') {
    const options = compileOptionsFor(file, { extraIncludePaths: [], extraFlags: [], trusted: true });
    const r = await compile({ clang: found.clang, text, file: path.resolve(file), options });
    if (r.status !== 'ok' || !r.elf) {
      return { error: summarizeClangErrors(r.findings.map((f) => (f as unknown as { message: string }).message).join('\n') || r.stderr) || `clang failed (${r.status})` };
    }
    return { elf: r.elf };
  }
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfls-verify-'));
  try {
    const out = path.join(dir, 'a.o');
    const r = spawnSync(found.clang.path, ['-target', 'bpf', '-c', '-x', 'assembler', file, '-o', out], { encoding: 'utf8', timeout: 30000 });
    if (r.error || r.signal) return { error: `clang did not assemble ${file}: ${r.error?.message ?? `killed by ${r.signal} (time limit 30 s)`}` };
    if (r.status !== 0) return { error: summarizeClangErrors(r.stderr) || 'clang could not assemble the file' };
    return { elf: readFileSync(out) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const verify: Command = {
  name: 'verify',
  summary: 'verify BPF programs with the built-in verifier (kernel verdicts and messages)',
  usage: USAGE,
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, {
      strings: ['prog'], booleans: ['json', 'kernel'],
      // the kernel's limit is 1M; more is allowed for experiments, bounded so a run ends
      integers: { 'log-level': { min: 0, max: 2 }, 'insn-limit': { min: 1, max: 100_000_000 } },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one FILE');
    const file = positionals[0];
    const logLevel = (flags['log-level'] as number | undefined) ?? 0;
    const insnLimit = flags['insn-limit'] as number | undefined;
    const json = flags.json === true;
    let built: { elf?: Uint8Array; error?: string };
    try {
      built = await objectFor(file);
    } catch (e) {
      built = { error: (e as Error).message };
    }
    if (!built.elf) {
      process.stderr.write(`bpfls verify: ${built.error}\n`);
      return 2;
    }
    let targetBtf: Uint8Array | undefined;
    try { targetBtf = readFileSync('/sys/kernel/btf/vmlinux'); } catch { targetBtf = undefined; }
    const loaded = loadObject(built.elf, targetBtf ? { targetBtf, ...runningKernelLoadOptions() } : {});
    const obj: LoadedObject | undefined = loaded.object;
    if (!obj) {
      process.stderr.write(`bpfls verify: ${file}: ${loaded.errors.join('; ') || 'not a BPF object'}\n`);
      return 2;
    }
    if (obj.programs.length === 0) process.stderr.write(`bpfls verify: ${file}: no BPF programs found, nothing to verify\n`);
    const progs = obj.programs.filter((p) => (flags.prog === undefined ? true : p.name === flags.prog));
    if (flags.prog !== undefined && progs.length === 0) {
      process.stderr.write(`bpfls verify: no program named '${flags.prog}' in ${file} (have: ${obj.programs.map((p) => p.name).join(', ')})\n`);
      return 2;
    }
    let rejected = false;
    let kernel: Map<string, KernelVerdict> | undefined;
    if (flags.kernel === true) {
      const k = await kernelVerifyObject(built.elf, progs.map((p) => ({ name: p.name, section: p.section })));
      if (k.unavailable) process.stderr.write(`bpfls verify: the kernel verifier is not used: ${k.unavailable}\n`);
      kernel = new Map(k.verdicts.map((v) => [v.prog, v]));
    }
    for (const prog of progs) {
      const r = verifyProgram(obj, prog, { logLevel: logLevel as 0 | 1 | 2, insnLimit, ...(targetBtf ? runningKernelVerifyOptions() : {}) });
      if (!r.ok) rejected = true;
      const line = r.error ? sourceForInsn(prog, r.error.insn)?.line ?? null : null;
      const kv = kernel?.get(prog.name);
      if (kv?.ok === false) rejected = true;
      const kernelJson = kernel ? {
        kernel: {
          ok: kv?.ok ?? null, message: kv?.message ?? null, insn: kv?.insn ?? null,
          line: kv?.insn != null ? sourceForInsn(prog, kv.insn)?.line ?? null : null,
          ...(kv?.ok == null ? { skip: kv?.skip ?? 'the kernel verifier is not available' } : {}),
        },
      } : {};
      if (json) {
        process.stdout.write(JSON.stringify({
          file, prog: prog.name, section: prog.section, ok: r.ok,
          error: r.error ? { message: r.error.message, insn: r.error.insn, line } : null,
          processed: r.processed, time_ms: Math.round(r.stats.timeMs * 1000) / 1000,
          ...kernelJson,
        }) + '\n');
      } else {
        if (logLevel) process.stdout.write(r.log);
        const head = `${prog.name} (${prog.section}, ${progTypeName(prog.progType)})`;
        if (r.ok) process.stdout.write(`${head}: accepted, processed ${r.processed} insns\n`);
        else {
          const src = r.error ? sourceForInsn(prog, r.error.insn) : undefined;
          const where = src ? ` at ${src.fileName || file}:${src.line}` : "";
          process.stdout.write(`${head}: rejected at insn ${r.error?.insn}${where}: ${r.error?.message ?? 'verification did not complete'}\n`);
        }
        for (const n of r.notes) process.stdout.write(`  note: ${n}\n`);
        if (kernel) {
          const k = kernelJson.kernel!;
          const ksrc = kv?.insn != null ? sourceForInsn(prog, kv.insn) : undefined;
          const where = ksrc ? ` at ${ksrc.fileName || file}:${ksrc.line}` : '';
          process.stdout.write(k.ok === null ? `  kernel: not verified: ${k.skip}\n`
            : k.ok ? '  kernel: accepted\n' : `  kernel: rejected at insn ${k.insn}${where}: ${k.message}\n`);
        }
      }
    }
    return rejected ? 1 : 0;
  },
};
