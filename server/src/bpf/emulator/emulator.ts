// The emulator's entry point: an object's maps and programs, run the way BPF_PROG_TEST_RUN runs them.
import type { Insn } from '../isa/insn';
import type { LoadedObject, LoadedProgram, MapDef } from '../loader/types';
import { MapType } from '../progtypes';
import { helperById } from '../../knowledge/helpers';
import { out } from './arith';
import { buildContext, type BuiltContext } from './context';
import { installHelpers, type HelperHost, type TaskInfo } from './helpers';
import { DEFAULT_INSN_BUDGET, FUNC_TAG, Vm, type DecodedProg } from './interpreter';
import { ArrayMap, createMap, EmuMap, MapOfMaps, ProgArrayMap, type MapRecord } from './maps';
import { EmulatorFault, RegionKind } from './memory';

export interface EmulatorOptions {
  /** simulated CPUs (per-CPU maps hold one value each) and the CPU programs run on */
  nrCpus?: number;
  cpu?: number;
  /** seed of bpf_get_prandom_u32 */
  seed?: number;
  task?: Partial<TaskInfo>;
  /** ktime at the start of a run; the clock then advances 1 ns per executed instruction */
  clockNs?: bigint;
  /** instruction budget of one run */
  maxInsns?: number;
  /** memory images readable with bpf_probe_read_* at their own addresses */
  images?: { addr: bigint; bytes: Uint8Array; name?: string }[];
  /** compiling programs to JavaScript: 'auto' (once hot, the default), 'always' or 'never' */
  jit?: 'auto' | 'always' | 'never';
}

export interface RunOptions {
  dataIn?: Uint8Array;
  ctxIn?: Uint8Array;
  /** runs the program this many times on the same context, like the test run's repeat */
  repeat?: number;
  /** r1..r5 set directly instead of a built context (conformance tests, raw programs) */
  args?: { hi: number; lo: number }[];
}

export interface RunResult {
  /** the low 32 bits of r0, as BPF_PROG_TEST_RUN reports it */
  retval: number;
  /** all of r0 */
  r0: bigint;
  dataOut: Uint8Array;
  ctxOut?: Uint8Array;
  /** instructions executed in one run */
  insns: number;
  /** mean wall time of one run */
  durationNs: number;
  /** bpf_trace_printk / trace_vprintk lines */
  trace: string[];
  /** ring buffer and perf event records */
  records: MapRecord[];
  /** a fault stops the run: the message and the instruction index */
  error?: { message: string; insn: number };
}

const DEFAULT_TASK: TaskInfo = { pid: 4242, tgid: 4242, uid: 0, gid: 0, comm: 'bpfls' };

function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) | 0;
  };
}

let helperNames: string[] | undefined;
function names(): string[] {
  if (!helperNames) {
    helperNames = [];
    for (let i = 0; i < 256; i++) helperNames[i] = helperById(i)?.name ?? '';
  }
  return helperNames;
}

export class Emulator {
  readonly vm = new Vm();
  /** maps by MapDef.index */
  readonly maps: EmuMap[] = [];
  private decoded = new Map<LoadedProgram, DecodedProg>();
  private host: HelperHost;

  constructor(readonly obj: LoadedObject, opts: EmulatorOptions = {}) {
    this.vm.budget = opts.maxInsns ?? DEFAULT_INSN_BUDGET;
    this.vm.jitMode = opts.jit ?? 'auto';
    this.vm.helperNames = names();
    const rnd = mulberry32(opts.seed ?? 1);
    this.host = {
      mem: this.vm.mem, nrCpus: opts.nrCpus ?? 1, cpu: opts.cpu ?? 0, records: [], ctx: undefined, trace: [],
      task: { ...DEFAULT_TASK, ...opts.task }, clockBase: opts.clockNs ?? 1_000_000_000n, random: rnd, locks: new Set(),
    };
    if (this.host.cpu >= this.host.nrCpus) throw new EmulatorFault(`cpu ${this.host.cpu} is not below the number of CPUs (${this.host.nrCpus})`);
    for (const im of opts.images ?? []) this.vm.mem.addImage(im.name ?? 'image', im.addr, im.bytes);
    installHelpers(this.vm, this.host);
    this.vm.ldAbsPacket = () => this.host.ctx?.packet?.region;
    for (const def of obj.maps) this.maps[def.index] = this.createMap(def);
    this.initSlots();
  }

  private createMap(def: MapDef): EmuMap {
    let d = def;
    if (def.type === MapType.RINGBUF || def.type === MapType.PERF_EVENT_ARRAY) {
      if (def.maxEntries === 0) d = { ...def, maxEntries: def.type === MapType.RINGBUF ? 4096 * 64 : this.host.nrCpus };
    }
    return createMap(d, this.host);
  }

  private initSlots(): void {
    for (const m of this.maps) {
      if (!m || !m.def.initSlots) continue;
      m.def.initSlots.forEach((name, i) => {
        if (name === null) return;
        if (m instanceof ProgArrayMap) {
          const p = this.obj.programs.find((q) => q.name === name);
          if (p) m.slots[i] = this.decode(p);
        } else if (m instanceof MapOfMaps) {
          const inner = this.maps.find((x) => x && x.name === name);
          if (inner) { const k = new Uint8Array(m.def.keySize); new DataView(k.buffer).setUint32(0, i, true); m.set(k, inner); }
        }
      });
    }
  }

  /** bpf_trace_printk lines of the current run so far (the debugger shows them as they come) */
  get traceSoFar(): readonly string[] { return this.host.trace; }

  map(name: string): EmuMap | undefined { return this.maps.find((m) => m && m.name === name); }

  /** the program's decoded form (decoded once per emulator) */
  decode(p: LoadedProgram): DecodedProg {
    let d = this.decoded.get(p);
    if (!d) {
      d = this.decodeInsns(p.name, p.insns);
      this.decoded.set(p, d);
    }
    return d;
  }

  decodeInsns(name: string, insns: readonly Insn[]): DecodedProg {
    return this.vm.decode(name, insns, (src, imm, imm2, pc, prog) => {
      switch (src) {
        case 1: case 5: { // map by fd/index
          const m = this.maps[imm];
          if (!m) throw new EmulatorFault(`instruction ${pc} references map #${imm}, which the object does not define`);
          out.lo = m.region.addrLo(0); out.hi = m.region.addrHi();
          return;
        }
        case 2: case 6: { // address inside a map's value (global data)
          const m = this.maps[imm];
          if (!(m instanceof ArrayMap)) throw new EmulatorFault(`instruction ${pc} takes a value address in map #${imm}, which is not an array`);
          const r = m.value(0, this.host.cpu);
          out.lo = r.addrLo(imm2); out.hi = r.addrHi();
          return;
        }
        case 4: // function pointer (bpf_loop, for_each_map_elem callbacks)
          out.hi = FUNC_TAG | prog.id; out.lo = pc + imm + 1;
          return;
        case 3: throw new EmulatorFault(`instruction ${pc}: kernel symbols (ksym, BTF id ${imm}) are not emulated`);
        default: throw new EmulatorFault(`instruction ${pc}: ld_imm64 with unknown source ${src}`);
      }
    });
  }

  /** runs one program of the object like BPF_PROG_TEST_RUN */
  run(progName: string, opts: RunOptions = {}): RunResult {
    const p = this.obj.programs.find((q) => q.name === progName) ?? this.obj.programs.find((q) => q.section === progName);
    if (!p) throw new EmulatorFault(`no program named '${progName}' (programs: ${this.obj.programs.map((q) => q.name).join(', ') || 'none'})`);
    return this.runDecoded(this.decode(p), p.progType, opts);
  }

  runDecoded(prog: DecodedProg, progType: number, opts: RunOptions = {}): RunResult {
    const host = this.host, vm = this.vm;
    host.trace = []; host.records = []; host.locks.clear();
    const result: RunResult = { retval: 0, r0: 0n, dataOut: new Uint8Array(0), insns: 0, durationNs: 0, trace: host.trace, records: host.records };
    let ctx: BuiltContext | undefined;
    try {
      if (opts.args) {
        host.ctx = undefined;
      } else {
        ctx = buildContext(vm.mem, progType, opts.dataIn, opts.ctxIn);
        host.ctx = ctx;
      }
    } catch (e) {
      if (e instanceof EmulatorFault) { result.error = { message: e.message, insn: -1 }; return result; }
      throw e;
    }
    const repeat = Math.max(1, opts.repeat ?? 1);
    const t0 = process.hrtime.bigint();
    try {
      for (let i = 0; i < repeat; i++) {
        vm.resetStacks();
        ctx?.beforeRun?.();
        vm.run(prog, ctx ? [ctx.r1] : (opts.args ?? []));
        ctx?.afterRun?.();
      }
    } catch (e) {
      if (e instanceof EmulatorFault) result.error = { message: e.message, insn: e.insn };
      else if (e instanceof RangeError) result.error = { message: `emulator stack exhausted: ${e.message}`, insn: -1 };
      else throw e;
    } finally {
      this.releaseRun(ctx);
    }
    const t1 = process.hrtime.bigint();
    result.durationNs = Number(t1 - t0) / repeat;
    result.insns = vm.count;
    result.retval = vm.L[0] >>> 0;
    result.r0 = (BigInt(vm.H[0] >>> 0) << 32n) | BigInt(vm.L[0] >>> 0);
    if (ctx && !result.error) {
      result.dataOut = ctx.dataOut();
      result.ctxOut = ctx.ctxOut();
    }
    return result;
  }

  private releaseRun(ctx: BuiltContext | undefined): void {
    if (!ctx) return;
    if (ctx.packet) this.vm.mem.remove(ctx.packet.region);
    // ctx regions stay readable for dataOut/ctxOut; they are small and die with the emulator
  }
}

/** an object with one program of raw instructions and no maps (conformance tests, generated programs) */
export function rawObject(insns: Insn[], progType: number, name = 'prog'): LoadedObject {
  return {
    programs: [{ name, section: name, progType, expectedAttachType: 0, autoload: true, sleepable: false, insns, lineInfo: [], funcInfo: [], license: 'GPL', kernVersion: 0, problems: [] }],
    maps: [], license: 'GPL', kernVersion: 0, notes: [],
  };
}

export { RegionKind };
