// `bpfls run FILE --prog NAME`: runs one program in the emulator the way `bpftool prog run` runs it
// in the kernel (BPF_PROG_TEST_RUN), with data_in / ctx_in / repeat, and prints the result.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, UsageError, parseArgs } from '../command';
import { loadObject } from '../../bpf/loader';
import { classifySection } from '../../bpf/loader/sections';
import { assemble, asmErrors } from '../../bpf/asm/assembler';
import { writeElf } from '../../bpf/asm/elf-writer';
import type { LoadedObject } from '../../bpf/loader/types';
import { Emulator } from '../../bpf/emulator/emulator';
import type { TaskInfo } from '../../bpf/emulator/helpers';
import { describeRetval } from '../../bpf/emulator/retval';
import { findClang } from '../../toolchain/clang';
import { compile, compileOptionsFor } from '../../toolchain/compile';

/** Loads FILE (.o, .c compiled with clang, or .s assembled) into programs; errors are for the user. */
export async function loadForRun(file: string): Promise<{ object?: LoadedObject; errors: string[] }> {
  const ext = path.extname(file).toLowerCase();
  let bytes: Buffer;
  try { bytes = readFileSync(file); } catch (e) { return { errors: [`cannot read ${file}: ${(e as Error).message}`] }; }
  if (ext === '.c') {
    const found = await findClang({ trusted: true });
    if (!found.ok) return { errors: [found.message] };
    const abs = path.resolve(file);
    const r = await compile({ clang: found.clang, text: bytes.toString('utf8'), file: abs, options: compileOptionsFor(abs, { extraIncludePaths: [], extraFlags: [], trusted: true }) });
    if (r.status !== 'ok' || !r.elf) return { errors: [`clang failed (${r.status}):\n${r.stderr.trim()}`] };
    return loadObject(r.elf);
  }
  if (ext === '.s' || ext === '.asm' || ext === '.S') {
    const r = assemble(bytes.toString('utf8'));
    const errs = asmErrors(r);
    if (errs.length) return { errors: errs.map((e) => `${file}:${e.range.line + 1}:${e.range.start + 1}: ${e.message}`) };
    // through an ELF object, like clang's, so maps and global data work
    const loaded = loadObject(writeElf(r, { license: 'GPL' }).bytes);
    if (loaded.object && loaded.object.programs.length) return loaded;
    // code outside any program section: each code section is a program of unknown type
    const programs = r.sections.filter((s) => s.kind === 'code' && s.count > 0).map((s) => {
      const info = classifySection(s.name);
      const fn = [...r.labels.values()].find((l) => l.section === s.name && l.index === s.start && r.symbols.get(l.name)?.type === 'func');
      return {
        name: fn?.name ?? s.name, section: s.name, progType: info.progType, expectedAttachType: info.expectedAttachType,
        autoload: true, sleepable: false, insns: r.insns.slice(s.start, s.start + s.count), lineInfo: [], funcInfo: [],
        license: 'GPL', kernVersion: 0, problems: [],
      };
    });
    return { object: { programs, maps: [], license: 'GPL', kernVersion: 0, notes: [] }, errors: [] };
  }
  return loadObject(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

const MAX_REPEAT = 10_000_000;

class InputError extends Error {}

function readInput(file: string | undefined, what: string): Uint8Array | undefined {
  if (file === undefined) return undefined;
  try { return new Uint8Array(readFileSync(file)); } catch (e) { throw new InputError(`cannot read ${what} ${file}: ${(e as Error).message}`); }
}

function positiveInt(v: string | boolean | string[] | undefined, name: string, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} needs a positive integer`);
  return n;
}

export const run: Command = {
  name: 'run',
  summary: 'run a program in the emulator like BPF_PROG_TEST_RUN (bpftool prog run)',
  usage: [
    'usage: bpfls run FILE --prog NAME [--data-in F] [--ctx-in F] [--data-out F] [--ctx-out F]',
    '                 [--repeat N] [--max-insns N] [--seed N] [--cpus N] [--task PID,TGID,UID,GID,COMM]',
    '                 [--mem ADDR=FILE]... [--jit auto|always|never] [--json]',
    '',
    'FILE is a BPF object (.o), BPF C (.c, compiled with clang) or assembly (.s).',
    'The program runs on a context built the way the kernel\'s test run builds it: data_in is the',
    'packet (xdp, tc, socket filter, cgroup_skb, flow dissector), ctx_in the context struct',
    '(xdp_md, __sk_buff, raw tracepoint args, syscall ctx). Maps persist across --repeat runs.',
    'With --json: {"retval","data_out","insns","duration_ns"} (data_out in hex), plus "trace",',
    '"ctx_out" and "error" when present. Exit 0 on success, 1 when the program faults.',
    '--task sets what bpf_get_current_pid_tgid/uid_gid/comm return; --mem maps a file at a',
    'kernel or user address for bpf_probe_read_*; --seed seeds bpf_get_prandom_u32.',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, {
      strings: ['prog', 'data-in', 'ctx-in', 'data-out', 'ctx-out', 'repeat', 'max-insns', 'seed', 'cpus', 'task', 'jit'],
      booleans: ['json'],
      multi: ['mem'],
    });
    if (positionals.length !== 1) throw new UsageError('bpfls run needs exactly one FILE');
    const file = positionals[0];
    const repeat = positiveInt(flags.repeat, 'repeat', 1);
    // every repetition is interpreted: bound the run (1e6 repetitions of a small program take seconds)
    if (repeat > MAX_REPEAT) throw new UsageError(`--repeat is at most ${MAX_REPEAT} (each repetition runs in the emulator)`);
    const maxInsns = positiveInt(flags['max-insns'], 'max-insns', 1_000_000);
    const nrCpus = positiveInt(flags.cpus, 'cpus', 1);
    const seed = flags.seed !== undefined ? Number(flags.seed) : 1;
    if (!Number.isInteger(seed)) throw new UsageError('--seed needs an integer');
    const jit = (flags.jit ?? 'auto') as string;
    if (jit !== 'auto' && jit !== 'always' && jit !== 'never') throw new UsageError('--jit is auto, always or never');
    let task: Partial<TaskInfo> | undefined;
    if (flags.task !== undefined) {
      const parts = String(flags.task).split(',');
      const nums = parts.slice(0, 4).map(Number);
      if (parts.length < 4 || nums.some((x) => !Number.isInteger(x) || x < 0)) throw new UsageError('--task needs PID,TGID,UID,GID[,COMM]');
      task = { pid: nums[0], tgid: nums[1], uid: nums[2], gid: nums[3], ...(parts[4] !== undefined ? { comm: parts.slice(4).join(',') } : {}) };
    }
    const images: { addr: bigint; bytes: Uint8Array; name: string }[] = [];
    for (const m of (flags.mem as string[] | undefined) ?? []) {
      const eq = m.indexOf('=');
      let addr: bigint;
      try { addr = BigInt(m.slice(0, eq)); } catch { throw new UsageError(`--mem needs ADDR=FILE with a numeric address, got ${m}`); }
      if (eq < 0 || addr < 0n || addr >= 1n << 64n) throw new UsageError(`--mem needs ADDR=FILE, got ${m}`);
      try { images.push({ addr, bytes: new Uint8Array(readFileSync(m.slice(eq + 1))), name: path.basename(m.slice(eq + 1)) }); } catch (e) {
        process.stderr.write(`bpfls run: cannot read ${m.slice(eq + 1)}: ${(e as Error).message}\n`);
        return 2;
      }
    }
    let dataIn: Uint8Array | undefined, ctxIn: Uint8Array | undefined;
    try {
      dataIn = readInput(flags['data-in'] as string | undefined, 'data_in');
      ctxIn = readInput(flags['ctx-in'] as string | undefined, 'ctx_in');
    } catch (e) {
      process.stderr.write(`bpfls run: ${(e as Error).message}\n`);
      return 2;
    }
    const loaded = await loadForRun(file);
    if (!loaded.object) {
      process.stderr.write(`bpfls run: ${file}: ${loaded.errors.join('\n') || 'cannot load'}\n`);
      return 1;
    }
    const obj = loaded.object;
    let progName = flags.prog as string | undefined;
    if (progName === undefined) {
      if (obj.programs.length !== 1) throw new UsageError(`--prog is needed: ${file} has programs ${obj.programs.map((p) => p.name).join(', ') || '(none)'}`);
      progName = obj.programs[0].name;
    }
    const prog = obj.programs.find((p) => p.name === progName) ?? obj.programs.find((p) => p.section === progName);
    if (!prog) {
      process.stderr.write(`bpfls run: ${file} has no program '${progName}' (programs: ${obj.programs.map((p) => p.name).join(', ') || 'none'})\n`);
      return 1;
    }
    let emu: Emulator;
    try {
      emu = new Emulator(obj, { maxInsns, seed, nrCpus, task, images, jit });
    } catch (e) {
      process.stderr.write(`bpfls run: ${(e as Error).message}\n`);
      return 1;
    }
    const r = emu.run(prog.name, { dataIn, ctxIn, repeat });
    try {
      if (flags['data-out'] && !r.error) writeFileSync(flags['data-out'] as string, r.dataOut);
      if (flags['ctx-out'] && r.ctxOut) writeFileSync(flags['ctx-out'] as string, r.ctxOut);
    } catch (e) {
      process.stderr.write(`bpfls run: cannot write output: ${(e as Error).message}\n`);
      return 2;
    }
    if (flags.json) {
      const o: Record<string, unknown> = {
        retval: r.retval, data_out: Buffer.from(r.dataOut).toString('hex'), insns: r.insns, duration_ns: Math.round(r.durationNs),
      };
      if (r.ctxOut) o.ctx_out = Buffer.from(r.ctxOut).toString('hex');
      if (r.trace.length) o.trace = r.trace;
      if (r.records.length) o.records = r.records.map((x) => ({ map: x.map, data: Buffer.from(x.data).toString('hex'), ...(x.submitted === false ? { discarded: true } : {}) }));
      if (r.error) o.error = { message: r.error.message, insn: r.error.insn };
      process.stdout.write(JSON.stringify(o) + '\n');
    } else {
      if (r.error) {
        process.stderr.write(`bpfls run: ${prog.name}: ${r.error.insn >= 0 ? `instruction ${r.error.insn}: ` : ''}${r.error.message}\n`);
      } else {
        const meaning = describeRetval(prog.progType, r.retval);
        process.stdout.write(`Return value: ${r.retval}${meaning ? ` (${meaning})` : ''}, duration (average): ${Math.round(r.durationNs)}ns, instructions: ${r.insns}\n`);
        for (const t of r.trace) process.stdout.write(`trace: ${t}\n`);
        for (const x of r.records) process.stdout.write(`record ${x.map}: ${Buffer.from(x.data).toString('hex')}${x.submitted === false ? ' (discarded)' : ''}\n`);
      }
    }
    return r.error ? 1 : 0;
  },
};
