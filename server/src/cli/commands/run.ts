// `bpfls run FILE --prog NAME`: runs one program in the emulator the way `bpftool prog run` runs it
// in the kernel (BPF_PROG_TEST_RUN), with data_in / ctx_in / repeat, and prints the result.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, UsageError, describeFileError, parseArgs, parseIntegerOption, readInputFile, readSourceFile } from '../command';
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
import { firstErrors, summarizeClangErrors } from '../summarize';

/**
 * Loads FILE (.o, .c compiled with clang, or .s assembled) into programs; errors are for the user,
 * `located` when they name the file already (else the caller prefixes it).
 */
export async function loadForRun(file: string): Promise<{ object?: LoadedObject; errors: string[]; located?: boolean }> {
  const ext = path.extname(file).toLowerCase();
  let bytes: Buffer;
  try {
    bytes = ext === '.c' || ext === '.s' || ext === '.asm' ? Buffer.from(readSourceFile(file), 'utf8') : readInputFile(file);
  } catch (e) { return { errors: [(e as Error).message], located: true }; }
  if (ext === '.c') {
    const found = await findClang({ trusted: true });
    if (!found.ok) return { errors: [found.message] };
    const abs = path.resolve(file);
    const r = await compile({ clang: found.clang, text: bytes.toString('utf8'), file: abs, options: compileOptionsFor(abs, { extraIncludePaths: [], extraFlags: [], trusted: true }) });
    if (r.status !== 'ok' || !r.elf) {
      const clangSaid = summarizeClangErrors(r.findings.map((f) => f.message).join('\n') || r.stderr);
      return { errors: [clangSaid || `clang failed (${r.status})`], located: !!clangSaid };
    }
    return loadObject(r.elf);
  }
  if (ext === '.s' || ext === '.asm' || ext === '.S') {
    const r = assemble(bytes.toString('utf8'));
    const errs = asmErrors(r);
    if (errs.length) return { errors: [firstErrors(errs.map((e) => `${file}:${e.range.line + 1}:${e.range.start + 1}: error: ${e.message}`))], located: true };
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

// every repetition is interpreted: bound the run (1e6 repetitions of a small program take seconds)
const MAX_REPEAT = 10_000_000;
/** a few seconds of emulation per repetition at most */
const MAX_INSNS = 1_000_000_000;
/** data_in / ctx_in: the kernel's test run caps data_in below 4 GB; far more than any packet */
const MAX_DATA_BYTES = 64 * 1024 * 1024;

function readInput(file: string | undefined, what: string): Uint8Array | undefined {
  if (file === undefined) return undefined;
  return new Uint8Array(readInputFile(file, { what, maxBytes: MAX_DATA_BYTES }));
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
      strings: ['prog', 'data-in', 'ctx-in', 'data-out', 'ctx-out', 'task', 'jit'],
      booleans: ['json'],
      multi: ['mem'],
      integers: {
        repeat: { min: 1, max: MAX_REPEAT },
        'max-insns': { min: 1, max: MAX_INSNS },
        cpus: { min: 1, max: 1024 },
        // bpf_get_prandom_u32's generator takes 32 bits
        seed: { min: -(2 ** 31), max: 2 ** 32 - 1 },
      },
    });
    if (positionals.length !== 1) throw new UsageError('bpfls run needs exactly one FILE');
    const file = positionals[0];
    const repeat = (flags.repeat as number | undefined) ?? 1;
    const maxInsns = (flags['max-insns'] as number | undefined) ?? 1_000_000;
    const nrCpus = (flags.cpus as number | undefined) ?? 1;
    const seed = (flags.seed as number | undefined) ?? 1;
    const jit = (flags.jit ?? 'auto') as string;
    if (jit !== 'auto' && jit !== 'always' && jit !== 'never') throw new UsageError('--jit is auto, always or never');
    let task: Partial<TaskInfo> | undefined;
    if (flags.task !== undefined) {
      const parts = String(flags.task).split(',');
      if (parts.length < 4) throw new UsageError('--task needs PID,TGID,UID,GID[,COMM]');
      // each is a u32 in the kernel (pid_t, uid_t)
      const nums = parts.slice(0, 4).map((p, k) => parseIntegerOption(`task (${['PID', 'TGID', 'UID', 'GID'][k]})`, p, { min: 0, max: 2 ** 32 - 1 }));
      task = { pid: nums[0], tgid: nums[1], uid: nums[2], gid: nums[3], ...(parts[4] !== undefined ? { comm: parts.slice(4).join(',') } : {}) };
    }
    const images: { addr: bigint; bytes: Uint8Array; name: string }[] = [];
    for (const m of (flags.mem as string[] | undefined) ?? []) {
      const eq = m.indexOf('=');
      let addr: bigint;
      try { addr = BigInt(m.slice(0, eq)); } catch { throw new UsageError(`--mem needs ADDR=FILE with a numeric address, got ${m}`); }
      if (eq < 0 || addr < 0n || addr >= 1n << 64n) throw new UsageError(`--mem needs ADDR=FILE, got ${m}`);
      images.push({ addr, bytes: new Uint8Array(readInputFile(m.slice(eq + 1), { what: '--mem file', maxBytes: MAX_DATA_BYTES })), name: path.basename(m.slice(eq + 1)) });
    }
    const dataIn = readInput(flags['data-in'] as string | undefined, 'data_in file');
    const ctxIn = readInput(flags['ctx-in'] as string | undefined, 'ctx_in file');
    const loaded = await loadForRun(file);
    if (!loaded.object) {
      process.stderr.write(`bpfls run: ${loaded.located ? '' : `${file}: `}${loaded.errors.join('\n') || 'cannot load'}\n`);
      return 2;
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
    for (const [flag, bytes] of [['data-out', r.error ? undefined : r.dataOut], ['ctx-out', r.ctxOut]] as const) {
      const out = flags[flag] as string | undefined;
      if (!out || !bytes) continue;
      try { writeFileSync(out, bytes); } catch (e) {
        process.stderr.write(`bpfls run: cannot write ${out}: ${describeFileError(e)}\n`);
        return 2;
      }
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
