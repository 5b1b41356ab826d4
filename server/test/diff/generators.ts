// Focused structured generators for the differential run, each aimed at one part of the verifier:
//   alu    - chains of 32/64-bit ALU ops (ISA v4 sign moves, sdiv/smod, byte swaps) and refining
//            branches on unknown scalars, whose result then indexes a map value, the stack, sizes a
//            helper call or becomes the return value: the verdict hangs on the bounds
//   mem    - stack (sizes, variable offsets, pointer spills and partial overwrites), map values,
//            context fields and writes, packet ranges, atomics
//   branch - nested branches on known and unknown values, bounded and unbounded loops, may_goto
//   call   - bpf-to-bpf calls (arguments, caller stack pointers, return values), helpers with
//            memory/size arguments, ring buffer references, bpf_loop callbacks, tail calls
// Each program is valid most of the time; "dirty" programs probe one rule or another.
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_ATOMIC, BPF_B, BPF_CALL, BPF_CMPXCHG, BPF_DIV, BPF_DW, BPF_END,
  BPF_EXIT, BPF_FETCH, BPF_H, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_JSET,
  BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_K, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG,
  BPF_OR, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_W, BPF_X, BPF_XCHG, BPF_XOR,
} from '../../src/bpf/isa/opcodes';
import { LD_IMM64, type Insn } from '../../src/bpf/isa/insn';
import { mutate, randomProgram, Rng, type GenMap, type GenProgram } from './gen';

const PT = { SOCKET_FILTER: 1, KPROBE: 2, SCHED_CLS: 3, TRACEPOINT: 5, XDP: 6, PERF_EVENT: 7, CGROUP_SKB: 8, RAW_TRACEPOINT: 17 };
const H = {
  map_lookup_elem: 1, map_update_elem: 2, map_delete_elem: 3, ktime_get_ns: 5, get_prandom_u32: 7, get_smp_processor_id: 8,
  tail_call: 12, get_current_pid_tgid: 14, get_current_comm: 16, perf_event_output: 25, probe_read_user: 112,
  probe_read_kernel: 113, ringbuf_output: 130, ringbuf_reserve: 131, ringbuf_submit: 132, ringbuf_discard: 133, loop: 181,
};
const MAP = { HASH: 1, ARRAY: 2, PROG_ARRAY: 3, PERF_EVENT_ARRAY: 4, PERCPU_ARRAY: 6, RINGBUF: 27 };
const SIZES = [BPF_B, BPF_H, BPF_W, BPF_DW];
const NBYTES: Record<number, number> = { [BPF_B]: 1, [BPF_H]: 2, [BPF_W]: 4, [BPF_DW]: 8 };
const JMP_OPS = [BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE];
const IMMS = [0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 100, 255, 256, 1000, 4095, 4096, 0xffff, 0x7fffffff, -1, -2, -8, -100, -256, -4096, -0x80000000];
const TRACING = [PT.KPROBE, PT.TRACEPOINT, PT.RAW_TRACEPOINT, PT.PERF_EVENT];
const NET = [PT.SOCKET_FILTER, PT.SCHED_CLS, PT.XDP, PT.CGROUP_SKB];
/** data / data_end offsets in the context */
const PKT: Record<number, [number, number]> = { [PT.XDP]: [0, 4], [PT.SCHED_CLS]: [76, 80], [PT.CGROUP_SKB]: [76, 80] };
const CTX_FIELDS: Record<number, [number, number][]> = {
  [PT.SOCKET_FILTER]: [[0, 4], [4, 4], [8, 4], [16, 4], [36, 4], [48, 4], [52, 4], [68, 4], [76, 4], [80, 4], [144, 4], [2, 2], [0, 1], [0, 8], [200, 4], [168, 8]],
  [PT.SCHED_CLS]: [[0, 4], [8, 4], [16, 4], [40, 4], [48, 4], [76, 4], [80, 4], [140, 4], [168, 8], [3, 1], [0, 8], [300, 4], [176, 8]],
  [PT.CGROUP_SKB]: [[0, 4], [8, 4], [16, 4], [76, 4], [80, 4], [44, 4], [0, 2], [168, 8], [140, 4]],
  [PT.XDP]: [[0, 4], [4, 4], [8, 4], [12, 4], [16, 4], [20, 4], [24, 4], [2, 2], [0, 8], [28, 4]],
  [PT.KPROBE]: [[0, 8], [8, 8], [104, 8], [112, 8], [160, 8], [168, 8], [4, 4], [3, 8], [0, 4], [160, 4]],
  [PT.TRACEPOINT]: [[8, 8], [16, 4], [24, 8], [0, 8], [4, 2], [0, 1]],
  [PT.RAW_TRACEPOINT]: [[0, 8], [8, 8], [16, 8], [4, 4], [40, 8]],
  [PT.PERF_EVENT]: [[0, 8], [168, 8], [176, 8], [4, 4], [184, 8]],
};
/** writable context fields: [offset, size] */
const CTX_WRITES: Record<number, [number, number][]> = {
  [PT.SOCKET_FILTER]: [[8, 4], [48, 4], [0, 4]],
  [PT.SCHED_CLS]: [[8, 4], [48, 4], [32, 4], [0, 4], [76, 4]],
  [PT.CGROUP_SKB]: [[8, 4], [48, 4], [0, 4]],
  [PT.XDP]: [[0, 4], [8, 4]],
  [PT.KPROBE]: [[0, 8]],
};

const ins = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

/** A tiny assembler with forward/backward labels and trailing subprograms. */
class Asm {
  insns: Insn[] = [];
  private labels = new Map<string, number>();
  private fixups: { at: number; label: string; field: 'off' | 'imm' }[] = [];
  private n = 0;
  fresh(p = 'L'): string {
    return `${p}${this.n++}`;
  }
  emit(...xs: Insn[]): this {
    this.insns.push(...xs.map((x) => ({ ...x })));
    return this;
  }
  label(l: string): this {
    this.labels.set(l, this.insns.length);
    return this;
  }
  mov(dst: number, imm: number, is64 = true): this {
    return this.emit(ins((is64 ? BPF_ALU64 : BPF_ALU) | BPF_MOV | BPF_K, dst, 0, 0, imm));
  }
  movr(dst: number, src: number, is64 = true): this {
    return this.emit(ins((is64 ? BPF_ALU64 : BPF_ALU) | BPF_MOV | BPF_X, dst, src));
  }
  alu(op: number, dst: number, imm: number, is64 = true): this {
    return this.emit(ins((is64 ? BPF_ALU64 : BPF_ALU) | op | BPF_K, dst, 0, 0, imm));
  }
  alur(op: number, dst: number, src: number, is64 = true): this {
    return this.emit(ins((is64 ? BPF_ALU64 : BPF_ALU) | op | BPF_X, dst, src));
  }
  ldx(size: number, dst: number, src: number, off: number): this {
    return this.emit(ins(BPF_LDX | BPF_MEM | size, dst, src, off));
  }
  stx(size: number, dst: number, src: number, off: number): this {
    return this.emit(ins(BPF_STX | BPF_MEM | size, dst, src, off));
  }
  st(size: number, dst: number, off: number, imm: number): this {
    return this.emit(ins(BPF_ST | BPF_MEM | size, dst, 0, off, imm));
  }
  call(id: number): this {
    return this.emit(ins(BPF_JMP | BPF_CALL, 0, 0, 0, id));
  }
  callLocal(label: string): this {
    this.fixups.push({ at: this.insns.length, label, field: 'imm' });
    return this.emit(ins(BPF_JMP | BPF_CALL, 0, 1, 0, 0));
  }
  ldFunc(dst: number, label: string): this {
    this.fixups.push({ at: this.insns.length, label, field: 'imm' });
    return this.emit(ins(LD_IMM64, dst, 4, 0, 0), ins(0));
  }
  ldMap(dst: number, idx: number): this {
    return this.emit(ins(LD_IMM64, dst, 5, 0, idx), ins(0));
  }
  exit(): this {
    return this.emit(ins(BPF_JMP | BPF_EXIT));
  }
  /** conditional jump to a label: imm when src is undefined */
  jmp(op: number, dst: number, srcOrImm: { r: number } | number, label: string, is32 = false): this {
    this.fixups.push({ at: this.insns.length, label, field: 'off' });
    const cls = is32 ? BPF_JMP32 : BPF_JMP;
    if (typeof srcOrImm === 'number') return this.emit(ins(cls | op | BPF_K, dst, 0, 0, srcOrImm));
    return this.emit(ins(cls | op | BPF_X, dst, srcOrImm.r, 0, 0));
  }
  ja(label: string): this {
    this.fixups.push({ at: this.insns.length, label, field: 'off' });
    return this.emit(ins(BPF_JMP | BPF_JA));
  }
  mayGoto(label: string): this {
    this.fixups.push({ at: this.insns.length, label, field: 'off' });
    return this.emit(ins(BPF_JMP | 0xe0));
  }
  finish(): Insn[] {
    for (const f of this.fixups) {
      const t = this.labels.get(f.label);
      if (t === undefined) throw new Error(`generator bug: label ${f.label}`);
      this.insns[f.at][f.field] = t - f.at - 1;
    }
    return this.insns;
  }
}

interface Ctx {
  rng: Rng;
  dirty: number;
  a: Asm;
  progType: number;
  maps: GenMap[];
}

/** true with probability p in a clean program, less often in a dirty one */
function good(c: Ctx, p: number): boolean {
  return c.rng.next() < 1 - (1 - p) * c.dirty;
}

function newCtx(rng: Rng, types: number[]): Ctx {
  return { rng, dirty: rng.chance(0.45) ? 1 : 0.05, a: new Asm(), progType: rng.pick(types), maps: [] };
}

function addMap(c: Ctx, m: GenMap): number {
  c.maps.push(m);
  return c.maps.length - 1;
}

/** r0 = lookup(map, key 0 on the stack at fp-4); jumps to out if NULL (unless dirty). Clobbers r1-r5. */
function lookup(c: Ctx, map: number, out: string, keyOff = -4): void {
  const { a, rng } = c;
  a.st(BPF_W, 10, keyOff, good(c, 0.9) ? 0 : rng.pick([1, 7, 300]));
  a.movr(2, 10).alu(BPF_ADD, 2, good(c, 0.97) ? keyOff : keyOff - 8);
  a.ldMap(1, map).call(H.map_lookup_elem);
  if (good(c, 0.9)) a.jmp(BPF_JEQ, 0, 0, out);
}

/** An unknown scalar into dst: from a helper, a map value or a context field. Clobbers r0-r5. */
function unknown(c: Ctx, dst: number, valueReg?: number): void {
  const { a, rng } = c;
  const k = rng.int(0, valueReg !== undefined ? 3 : 2);
  if (k === 0) a.call(rng.pick([H.get_prandom_u32, H.ktime_get_ns, H.get_current_pid_tgid, H.get_smp_processor_id])).movr(dst, 0);
  else if (k === 1 && NET.includes(c.progType) && c.progType !== PT.XDP) a.ldx(BPF_W, dst, 6, rng.pick([0, 8, 16, 48]));
  else if (k === 1 && c.progType === PT.XDP) a.ldx(BPF_W, dst, 6, 12);
  else if (k === 1) a.ldx(BPF_DW, dst, 6, c.progType === PT.TRACEPOINT ? 8 : 0);
  else if (k === 2) a.call(H.get_prandom_u32).movr(dst, 0);
  else a.ldx(rng.pick([BPF_B, BPF_H, BPF_W, BPF_DW]), dst, valueReg!, 0);
}

function retval(c: Ctx): void {
  c.a.mov(0, good(c, 0.95) ? c.rng.int(0, 1) : c.rng.pick([2, -1, 7]));
  c.a.exit();
}

function program(c: Ctx, name: string, kind: string): GenProgram {
  return { name, progType: c.progType, expectedAttachType: 0, license: good(c, 0.97) ? 'GPL' : 'MIT', insns: c.a.finish(), maps: c.maps, origin: kind };
}

// ---- alu ---------------------------------------------------------------------------------------

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END];

function randomAlu(c: Ctx, regs: number[]): void {
  const { a, rng } = c;
  const dst = rng.pick(regs);
  const is64 = rng.chance(0.6);
  const op = rng.pick(ALU_OPS);
  const cls = is64 ? BPF_ALU64 : BPF_ALU;
  if (op === BPF_END) {
    // byte swap: to_le/to_be (BPF_ALU) or bswap (BPF_ALU64), 16/32/64
    a.emit(ins(cls | BPF_END | (rng.chance(0.5) ? 0x08 : 0), dst, 0, 0, good(c, 0.95) ? rng.pick([16, 32, 64]) : rng.pick([8, 0, 24])));
    return;
  }
  if (op === BPF_NEG) {
    a.emit(ins(cls | BPF_NEG, dst));
    return;
  }
  if (op === BPF_MOV && rng.chance(0.3)) {
    // movsx (ISA v4): off 8/16/32
    const off = good(c, 0.95) ? rng.pick(is64 ? [8, 16, 32] : [8, 16]) : rng.pick([1, 24, 64]);
    a.emit(ins(cls | BPF_MOV | BPF_X, dst, rng.pick(regs), off));
    return;
  }
  const signed = (op === BPF_DIV || op === BPF_MOD) && rng.chance(0.3) ? 1 : 0;
  if (rng.chance(0.35)) {
    a.emit(ins(cls | op | BPF_X, dst, rng.pick(regs), signed));
  } else {
    let imm = rng.pick(IMMS);
    if ((op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) && good(c, 0.9)) imm = rng.int(0, is64 ? 63 : 31);
    if ((op === BPF_DIV || op === BPF_MOD) && good(c, 0.95) && imm === 0) imm = 3;
    a.emit(ins(cls | op | BPF_K, dst, 0, signed, imm));
  }
}

/** a branch that refines dst's bounds and exits (or skips) on the other side */
function refine(c: Ctx, reg: number, regs: number[]): void {
  const { a, rng } = c;
  const skip = a.fresh();
  const op = rng.pick(JMP_OPS);
  const is32 = rng.chance(0.25);
  if (rng.chance(0.2)) a.jmp(op, reg, { r: rng.pick(regs) }, skip, is32);
  else a.jmp(op, reg, rng.pick(IMMS), skip, is32);
  if (rng.chance(0.5)) {
    a.mov(0, 0).exit();
    a.label(skip);
  } else {
    // fall-through path does some arithmetic, both meet
    randomAlu(c, regs);
    a.label(skip);
  }
}

export function aluProgram(rng: Rng, name: string): GenProgram {
  const c = newCtx(rng, [...NET, ...TRACING]);
  const { a } = c;
  const vsize = rng.pick([8, 16, 32, 64, 256]);
  const map = addMap(c, { type: good(c, 0.8) ? MAP.ARRAY : MAP.HASH, keySize: 4, valueSize: vsize, maxEntries: rng.pick([1, 16]) });
  a.movr(6, 1);
  lookup(c, map, 'out');
  a.movr(7, 0);
  const regs = [8, 9];
  unknown(c, 8, 7);
  if (rng.chance(0.6)) unknown(c, 9, 7);
  else a.mov(9, rng.pick(IMMS));
  const steps = rng.int(2, 10);
  for (let i = 0; i < steps; i++) {
    if (rng.chance(0.35)) refine(c, rng.pick(regs), regs);
    else randomAlu(c, regs);
  }
  // use the result where its bounds matter
  const r = rng.pick(regs);
  const use = rng.int(0, 4);
  if (use === 0) {
    // index a map value
    const size = rng.pick(SIZES);
    a.movr(1, 7).alur(BPF_ADD, 1, r);
    if (rng.chance(0.5)) a.ldx(size, 0, 1, 0);
    else a.stx(size, 1, r === 8 ? 9 : 8, 0);
  } else if (use === 1) {
    // variable stack offset
    if (good(c, 0.9)) for (let o = -8; o >= -64; o -= 8) a.st(BPF_DW, 10, o, 0);
    a.movr(1, 10).alu(BPF_ADD, 1, -64).alur(BPF_ADD, 1, r);
    if (rng.chance(0.5)) a.ldx(rng.pick(SIZES), 0, 1, 0);
    else a.st(rng.pick(SIZES), 1, 0, 1);
  } else if (use === 2 && TRACING.includes(c.progType)) {
    // helper size argument
    a.movr(1, 10).alu(BPF_ADD, 1, -64).movr(2, r).mov(3, 0).call(rng.chance(0.5) ? H.probe_read_kernel : H.probe_read_user);
  } else if (use === 3) {
    // pointer arithmetic on the context or stack pointer, then an access
    a.movr(1, rng.chance(0.5) ? 6 : 10).alur(rng.chance(0.85) ? BPF_ADD : BPF_SUB, 1, r).ldx(BPF_B, 0, 1, 0);
  } else {
    // the result as return value (cgroup_skb: 0 or 1 only)
    a.movr(0, r);
    if (c.progType === PT.CGROUP_SKB && good(c, 0.6)) a.alu(BPF_AND, 0, 1);
    a.exit();
  }
  a.label('out');
  retval(c);
  return program(c, name, 'alu');
}

// ---- mem ---------------------------------------------------------------------------------------

export function memProgram(rng: Rng, name: string): GenProgram {
  const c = newCtx(rng, [...NET, ...TRACING]);
  const { a } = c;
  a.movr(6, 1);
  const vsize = rng.pick([4, 8, 16, 24, 48]);
  const map = addMap(c, { type: rng.pick([MAP.ARRAY, MAP.HASH, MAP.PERCPU_ARRAY]), keySize: 4, valueSize: vsize, maxEntries: 4 });
  let haveValue = false;
  if (rng.chance(0.6)) {
    lookup(c, map, 'out', -8);
    a.movr(7, 0);
    haveValue = true;
  }
  const written = new Set<number>(); // stack bytes written (approximate, straight-line)
  const n = rng.int(3, 12);
  for (let i = 0; i < n; i++) {
    const k = rng.int(0, 8);
    if (k <= 2) {
      // stack store/load of a scalar, of a pointer, partial overwrite
      const size = rng.pick(SIZES);
      const nb = NBYTES[size];
      const slot = -8 * rng.int(2, 8);
      const off = good(c, 0.9) ? slot + (good(c, 0.7) ? 0 : rng.int(0, 7) & ~(nb - 1)) : rng.pick([-513, -520, 0, 4, slot + 3]);
      if (rng.chance(0.5)) {
        const src = rng.pick(haveValue ? [6, 7, 10, 8] : [6, 10, 8]);
        if (src === 8) a.mov(8, rng.pick(IMMS));
        a.stx(src === 8 ? size : good(c, 0.85) ? BPF_DW : size, 10, src, src === 8 ? off : slot);
        for (let b = 0; b < 8; b++) written.add((src === 8 ? off : slot) + b);
      } else {
        const rd = good(c, 0.8) && written.size ? Math.min(...written) & ~7 : off;
        a.ldx(good(c, 0.5) ? BPF_DW : size, 1, 10, rd);
        // a filled pointer is used as one
        if (rng.chance(0.4)) a.ldx(BPF_B, 0, 1, 0);
      }
    } else if (k === 3 && haveValue) {
      // map value at a constant or variable offset
      const size = rng.pick(SIZES);
      const nb = NBYTES[size];
      if (rng.chance(0.5)) {
        const off = good(c, 0.85) ? rng.int(0, Math.max(0, vsize - nb)) : rng.pick([vsize - nb + 1, vsize, -1]);
        if (rng.chance(0.5)) a.ldx(size, 0, 7, off);
        else a.st(size, 7, off, rng.pick(IMMS));
      } else {
        unknown(c, 2, 7);
        const mask = good(c, 0.75) ? rng.pick([0, 1, 3, 7, 15].filter((m) => m + nb <= vsize)) : rng.pick([vsize - 1, vsize, 0xff]);
        a.alu(BPF_AND, 2, mask).movr(3, 7).alur(BPF_ADD, 3, 2).ldx(size, 0, 3, 0);
      }
    } else if (k === 4) {
      // context read or write
      const fields = CTX_FIELDS[c.progType] ?? [[0, 4]];
      if (good(c, 0.85) || !CTX_WRITES[c.progType]) {
        const [off, nb] = good(c, 0.7) ? fields[rng.int(0, Math.min(4, fields.length - 1))] : rng.pick(fields);
        a.ldx(nb === 1 ? BPF_B : nb === 2 ? BPF_H : nb === 4 ? BPF_W : BPF_DW, 0, 6, off);
      } else {
        const [off, nb] = rng.pick(CTX_WRITES[c.progType]!);
        const size = nb === 4 ? BPF_W : BPF_DW;
        if (rng.chance(0.5)) a.st(size, 6, off, 1);
        else a.mov(1, 2).stx(good(c, 0.8) ? size : BPF_B, 6, 1, off);
      }
    } else if (k === 5 && PKT[c.progType]) {
      // packet access behind a bounds check, at a constant or variable offset
      const [dOff, eOff] = PKT[c.progType];
      const len = rng.pick([1, 2, 8, 14, 20, 34, 54]);
      const size = rng.pick(SIZES);
      const skip = a.fresh();
      a.ldx(BPF_W, 2, 6, dOff).ldx(BPF_W, 3, 6, eOff);
      if (rng.chance(0.3)) {
        a.ldx(BPF_B, 4, 6, c.progType === PT.XDP ? 12 : 16);
        a.alu(BPF_AND, 4, good(c, 0.8) ? rng.pick([7, 15, 31]) : 0xffff).alur(BPF_ADD, 2, 4);
      }
      a.movr(4, 2).alu(BPF_ADD, 4, len);
      const op = good(c, 0.9) ? rng.pick([BPF_JGT, BPF_JGE]) : rng.pick([BPF_JLT, BPF_JEQ, BPF_JNE]);
      if (rng.chance(0.7)) a.jmp(op, 4, { r: 3 }, skip);
      else a.jmp(op === BPF_JGT ? BPF_JLT : op === BPF_JGE ? BPF_JLE : op, 3, { r: 4 }, skip);
      const off = good(c, 0.85) ? rng.int(0, Math.max(0, len - NBYTES[size])) : len - NBYTES[size] + rng.int(1, 3);
      if (rng.chance(0.75) || c.progType === PT.CGROUP_SKB) a.ldx(size, 0, 2, off);
      else a.st(size, 2, off, 0);
      a.label(skip);
    } else if (k === 6) {
      // atomics on the stack or a map value
      const onValue = haveValue && rng.chance(0.6);
      const base = onValue ? 7 : 10;
      const off = onValue ? (good(c, 0.9) ? 0 : vsize) : -16;
      if (!onValue && good(c, 0.85)) a.st(BPF_DW, 10, -16, 0);
      const size = good(c, 0.8) ? rng.pick([BPF_DW, BPF_W]) : rng.pick([BPF_B, BPF_H]);
      const op = rng.pick([BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_ADD | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG]);
      a.mov(1, 1);
      if (op === BPF_CMPXCHG) a.mov(0, 0);
      if (size === BPF_W && onValue && vsize < 4) break;
      a.emit(ins(BPF_STX | BPF_ATOMIC | size, base, good(c, 0.95) ? 1 : 6, off, op));
    } else if (k === 7) {
      // sign-extending loads (ISA v4) from stack or value
      const base = haveValue && rng.chance(0.5) ? 7 : 10;
      if (base === 10 && good(c, 0.8)) a.st(BPF_DW, 10, -24, -5);
      a.emit(ins(BPF_LDX | BPF_MEMSX | rng.pick([BPF_B, BPF_H, BPF_W, ...(good(c, 0.9) ? [] : [BPF_DW])]), 0, base, base === 10 ? -24 : 0));
    } else {
      // uninitialised stack read through a helper argument (map key)
      a.movr(2, 10).alu(BPF_ADD, 2, good(c, 0.6) ? -8 : rng.pick([-64, -100, -40]));
      if (rng.chance(0.5)) a.st(BPF_W, 10, -8, 0);
      a.ldMap(1, map).call(H.map_lookup_elem);
    }
  }
  a.label('out');
  retval(c);
  return program(c, name, 'mem');
}

// ---- branch ------------------------------------------------------------------------------------

export function branchProgram(rng: Rng, name: string): GenProgram {
  const c = newCtx(rng, [...NET, ...TRACING]);
  const { a } = c;
  a.movr(6, 1);
  unknown(c, 8);
  a.mov(9, rng.pick([0, 1, 5, 10, -1]));
  a.st(BPF_DW, 10, -8, 0);
  const n = rng.int(2, 7);
  let loops = 0;
  for (let i = 0; i < n; i++) {
    const k = rng.int(0, 5);
    if (k <= 1) {
      // nested diamonds on unknown or known values; one arm may leave a register uninitialised
      const l1 = a.fresh();
      const l2 = a.fresh();
      a.jmp(rng.pick(JMP_OPS), rng.pick([8, 9]), rng.chance(0.3) ? { r: rng.pick([8, 9]) } : rng.pick(IMMS), l1, rng.chance(0.2));
      if (good(c, 0.9)) a.mov(3, rng.pick(IMMS));
      a.alu(rng.pick([BPF_ADD, BPF_AND, BPF_OR, BPF_RSH]), 8, rng.int(1, 31));
      a.ja(l2);
      a.label(l1);
      a.mov(3, rng.pick(IMMS));
      if (rng.chance(0.4)) {
        const l3 = a.fresh();
        a.jmp(rng.pick(JMP_OPS), 8, rng.pick(IMMS), l3);
        a.alu(BPF_MUL, 8, rng.int(1, 5));
        a.label(l3);
      }
      a.label(l2);
      a.alur(BPF_ADD, 9, 3);
    } else if (k === 2 && loops < 2) {
      // counted loop, up or down, 64 or 32 bit, sometimes with an early break
      loops++;
      const top = a.fresh();
      const done = a.fresh();
      const bound = good(c, 0.9) ? rng.pick([3, 10, 64, 200]) : rng.pick([100000, -1]);
      const is32 = rng.chance(0.3);
      const up = rng.chance(0.6);
      a.mov(1, up ? 0 : bound);
      a.label(top);
      a.alur(BPF_ADD, 9, 1);
      if (rng.chance(0.3)) a.jmp(BPF_JEQ, 9, rng.pick(IMMS), done);
      if (up) a.alu(BPF_ADD, 1, good(c, 0.95) ? 1 : 0, !is32);
      else a.alu(BPF_SUB, 1, good(c, 0.95) ? 1 : -1, !is32);
      if (up) a.jmp(good(c, 0.9) ? BPF_JLT : BPF_JNE, 1, bound, top, is32);
      else a.jmp(good(c, 0.9) ? BPF_JGT : BPF_JSGE, 1, 0, top, is32);
      a.label(done);
    } else if (k === 3 && loops < 2) {
      // loop bounded by an unknown (masked) value, or by may_goto
      loops++;
      const top = a.fresh();
      const done = a.fresh();
      a.movr(2, 8);
      if (good(c, 0.8)) a.alu(BPF_AND, 2, rng.pick([7, 63, 255]));
      a.mov(1, 0);
      a.label(top);
      if (rng.chance(0.4)) a.mayGoto(done);
      a.jmp(BPF_JGE, 1, { r: 2 }, done);
      a.alu(BPF_ADD, 1, 1).alur(BPF_XOR, 9, 1);
      a.ja(top);
      a.label(done);
    } else if (k === 4) {
      // dead code behind a constant condition; the dead arm is invalid
      const l = a.fresh();
      a.mov(4, 5);
      a.jmp(good(c, 0.8) ? BPF_JGT : BPF_JLT, 4, 3, l);
      a.ldx(BPF_DW, 0, 10, -400); // never reached while r4 = 5 > 3
      a.label(l);
    } else {
      // stack slot written on one path only, read after the join
      const l = a.fresh();
      a.jmp(rng.pick(JMP_OPS), 8, rng.pick(IMMS), l);
      a.st(BPF_DW, 10, -16, 1);
      a.label(l);
      if (good(c, 0.8)) a.st(BPF_DW, 10, -16, 2);
      a.ldx(BPF_DW, 9, 10, -16);
    }
  }
  a.movr(0, 9);
  if (c.progType === PT.CGROUP_SKB && good(c, 0.8)) a.alu(BPF_AND, 0, 1);
  a.exit();
  return program(c, name, 'branch');
}

// ---- call --------------------------------------------------------------------------------------

export function callProgram(rng: Rng, name: string): GenProgram {
  const c = newCtx(rng, [...NET, ...TRACING]);
  const { a } = c;
  const subs: (() => void)[] = [];
  a.movr(6, 1);
  a.st(BPF_DW, 10, -8, 0).st(BPF_DW, 10, -16, 0);
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    const k = rng.int(0, 6);
    if (k <= 1) {
      // bpf-to-bpf call with scalar/pointer arguments
      const f = a.fresh('f');
      const argKind = rng.int(0, 3);
      if (argKind === 0) a.mov(1, rng.pick(IMMS));
      else if (argKind === 1) a.movr(1, 10).alu(BPF_ADD, 1, good(c, 0.9) ? -8 : -4);
      else if (argKind === 2) a.movr(1, 6);
      if (rng.chance(0.5)) a.mov(2, rng.int(0, 16));
      a.callLocal(f);
      if (rng.chance(0.5)) a.movr(8, 0).alu(BPF_AND, 8, 7);
      const readsR2 = rng.chance(0.3);
      subs.push(() => {
        a.label(f);
        if (argKind === 1) {
          // read or write the caller's stack through the pointer
          if (rng.chance(0.5)) a.ldx(good(c, 0.9) ? BPF_DW : BPF_DW, 0, 1, good(c, 0.9) ? 0 : 8);
          else a.st(BPF_DW, 1, good(c, 0.9) ? 0 : -504, 7);
        } else if (argKind === 2) {
          a.ldx(BPF_W, 0, 1, 0);
        } else if (argKind === 0) {
          a.movr(0, 1).alu(BPF_AND, 0, 15);
        }
        if (readsR2) a.alur(BPF_ADD, 0, 2);
        if (good(c, 0.93)) {
          if (argKind === 3 || rng.chance(0.3)) a.mov(0, rng.int(0, 1));
        }
        // a local frame in the callee
        if (rng.chance(0.3)) a.st(BPF_DW, 10, -8, 1).ldx(BPF_DW, 3, 10, -8);
        a.exit();
      });
    } else if (k === 2 && TRACING.includes(c.progType)) {
      // probe_read / get_current_comm into a stack buffer
      const size = good(c, 0.9) ? rng.pick([1, 8, 16]) : rng.pick([0, 17, 24, -1]);
      a.movr(1, 10).alu(BPF_ADD, 1, -16).mov(2, size);
      if (rng.chance(0.5)) a.call(H.get_current_comm);
      else a.mov(3, 0).call(H.probe_read_kernel);
    } else if (k === 3) {
      // ring buffer reserve, write, submit or discard (or leak)
      const rb = addMap(c, { type: MAP.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
      const skip = a.fresh();
      const size = good(c, 0.9) ? rng.pick([8, 16]) : rng.pick([0, 5000]);
      a.ldMap(1, rb).mov(2, size).mov(3, 0).call(H.ringbuf_reserve);
      if (good(c, 0.9)) a.jmp(BPF_JEQ, 0, 0, skip);
      a.st(BPF_DW, 0, good(c, 0.9) ? 0 : 8, 1);
      if (good(c, 0.9)) a.movr(1, 0).mov(2, 0).call(rng.chance(0.5) ? H.ringbuf_submit : H.ringbuf_discard);
      a.label(skip);
    } else if (k === 4) {
      // bpf_loop with a callback
      const cb = a.fresh('cb');
      a.mov(1, good(c, 0.9) ? rng.pick([1, 10, 100]) : rng.pick([1 << 24, -1]));
      a.ldFunc(2, cb).movr(3, 10).alu(BPF_ADD, 3, -8).mov(4, good(c, 0.95) ? 0 : 1).call(H.loop);
      subs.push(() => {
        a.label(cb);
        // r1 = index, r2 = ctx (caller's stack pointer)
        if (rng.chance(0.6)) a.ldx(BPF_DW, 3, 2, good(c, 0.9) ? 0 : 8).alur(BPF_ADD, 3, 1).stx(BPF_DW, 2, 3, 0);
        a.mov(0, good(c, 0.9) ? rng.int(0, 1) : rng.pick([2, -1]));
        a.exit();
      });
    } else if (k === 5) {
      // map update / delete with key and value on the stack
      const m = addMap(c, { type: rng.pick([MAP.HASH, MAP.ARRAY]), keySize: 4, valueSize: 8, maxEntries: 8 });
      a.ldMap(1, m).movr(2, 10).alu(BPF_ADD, 2, -8);
      if (rng.chance(0.6)) a.movr(3, 10).alu(BPF_ADD, 3, good(c, 0.9) ? -16 : -32).mov(4, 0).call(H.map_update_elem);
      else a.call(H.map_delete_elem);
    } else {
      // tail call or perf event output
      if (rng.chance(0.5)) {
        const pa = addMap(c, { type: MAP.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 });
        a.movr(1, 6).ldMap(2, pa).mov(3, good(c, 0.9) ? rng.int(0, 3) : 9).call(H.tail_call);
      } else {
        const pe = addMap(c, { type: MAP.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 0 });
        c.maps[pe].maxEntries = 4;
        a.movr(1, good(c, 0.95) ? 6 : 10).ldMap(2, pe).mov(3, 0xffffffff).movr(4, 10).alu(BPF_ADD, 4, -16).mov(5, good(c, 0.9) ? 8 : 32).call(H.perf_event_output);
      }
    }
  }
  a.mov(0, 0);
  if (good(c, 0.95)) a.exit();
  else a.ja('tail'); // falls into a subprogram
  a.label('tail');
  for (const s of subs) s();
  if (!subs.length) a.exit();
  return program(c, name, 'call');
}

export const GENERATORS: Record<string, (rng: Rng, name: string) => GenProgram> = {
  alu: aluProgram, mem: memProgram, branch: branchProgram, call: callProgram,
};

/** Share of each generator in a mixed set (the original structured random generator as "random"). */
const MIX: [string, number][] = [['random', 0.25], ['alu', 0.22], ['mem', 0.22], ['branch', 0.15], ['call', 0.16]];

/**
 * `count` programs from `seed`, drawn from every generator; 30% get one mutation. Names carry the
 * seed and index; origin says which generator (and mutation) made each.
 */
export function generateMix(seed: number, count: number): GenProgram[] {
  const rng = new Rng(seed ^ 0x5eed);
  const out: GenProgram[] = [];
  for (let i = 0; i < count; i++) {
    const name = `x${seed}_${i}`;
    let r = rng.next();
    let kind = MIX[MIX.length - 1][0];
    for (const [k, w] of MIX) {
      if (r < w) {
        kind = k;
        break;
      }
      r -= w;
    }
    const base = kind === 'random' ? randomProgram(rng, name) : GENERATORS[kind](rng, name);
    base.origin = kind;
    if (rng.chance(0.3)) {
      const m = mutate(base, rng, name);
      out.push({ ...m, origin: `${kind} ${m.origin.replace(/^mutant of \S+: /, 'mutant: ')}` });
    } else {
      out.push(base);
    }
  }
  return out;
}
