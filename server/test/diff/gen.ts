// Random BPF programs for differential testing against the kernel: structured random code (ALU,
// jumps, stack, map values, ctx, packet, helper calls, small loops) that is often but not always
// valid, and mutations of valid programs. Deterministic for a seed, so a run can be repeated.
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_B, BPF_CALL, BPF_DIV, BPF_DW, BPF_END, BPF_EXIT,
  BPF_H, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_JSET,
  BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_K, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MOD, BPF_MOV, BPF_MUL,
  BPF_NEG, BPF_OR, BPF_PSEUDO_MAP_IDX, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_W, BPF_X, BPF_XOR,
  BPF_ATOMIC, insnClass,
} from '../../src/bpf/isa/opcodes';
import { LD_IMM64, encodeInsns, type Insn } from '../../src/bpf/isa/insn';
import type { LoadedObject, LoadedProgram, MapDef } from '../../src/bpf/loader/types';
import { parseBtf } from '../../src/bpf/btf/btf';
import type { RawSpec } from './oracle';

export interface GenMap {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
}

export interface GenProgram {
  name: string;
  progType: number;
  expectedAttachType: number;
  license: string;
  insns: Insn[];
  maps: GenMap[];
  /** how it was made, for reports: "random" or "mutant of <name>: <what changed>" */
  origin: string;
  /** kernel BTF the program's kfunc calls refer to (mutants of corpus programs) */
  targetBtf?: LoadedObject['targetBtf'];
}

/** Small, fast, seedable PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
}

const PT = { SOCKET_FILTER: 1, KPROBE: 2, SCHED_CLS: 3, TRACEPOINT: 5, XDP: 6, PERF_EVENT: 7, CGROUP_SKB: 8, RAW_TRACEPOINT: 17 };
const HELPER = { map_lookup_elem: 1, ktime_get_ns: 5, get_prandom_u32: 7, get_smp_processor_id: 8 };
const MAP_ARRAY = 2;
const MAP_HASH = 1;

const ins = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
const mov64i = (dst: number, imm: number) => ins(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
const mov64r = (dst: number, src: number) => ins(BPF_ALU64 | BPF_MOV | BPF_X, dst, src);
const alu64i = (op: number, dst: number, imm: number) => ins(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
const ldx = (size: number, dst: number, src: number, off: number) => ins(BPF_LDX | BPF_MEM | size, dst, src, off);
const stx = (size: number, dst: number, src: number, off: number) => ins(BPF_STX | BPF_MEM | size, dst, src, off);
const st = (size: number, dst: number, off: number, imm: number) => ins(BPF_ST | BPF_MEM | size, dst, 0, off, imm);
const call = (id: number) => ins(BPF_JMP | BPF_CALL, 0, 0, 0, id);
const exit = () => ins(BPF_JMP | BPF_EXIT);
const ldMap = (dst: number, mapIndex: number): Insn[] => [ins(LD_IMM64, dst, BPF_PSEUDO_MAP_IDX, 0, mapIndex), ins(0)];

/** Context fields worth reading per program type: [offset, size]; some are invalid on purpose. */
const CTX_FIELDS: Record<number, [number, number][]> = {
  [PT.SOCKET_FILTER]: [[0, 4], [4, 4], [8, 4], [16, 4], [48, 4], [52, 4], [68, 4], [76, 4], [80, 4], [2, 2], [0, 1], [0, 8], [200, 4]],
  [PT.SCHED_CLS]: [[0, 4], [8, 4], [16, 4], [48, 4], [76, 4], [80, 4], [140, 4], [3, 1], [0, 8], [300, 4]],
  [PT.CGROUP_SKB]: [[0, 4], [8, 4], [16, 4], [76, 4], [80, 4], [44, 4], [0, 2]],
  [PT.XDP]: [[0, 4], [4, 4], [8, 4], [12, 4], [16, 4], [20, 4], [24, 4], [2, 2], [0, 8]],
  [PT.KPROBE]: [[0, 8], [8, 8], [104, 8], [112, 8], [160, 8], [168, 8], [4, 4], [3, 8]],
  [PT.TRACEPOINT]: [[8, 8], [16, 4], [24, 8], [0, 8], [4, 2]],
  [PT.RAW_TRACEPOINT]: [[0, 8], [8, 8], [16, 8], [4, 4]],
  [PT.PERF_EVENT]: [[0, 8], [168, 8], [176, 8], [4, 4]],
};
/** data / data_end offsets in the context, for packet-access snippets */
const PKT_FIELDS: Record<number, [number, number]> = { [PT.XDP]: [0, 4], [PT.SCHED_CLS]: [76, 80], [PT.CGROUP_SKB]: [76, 80] };

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH];
const JMP_OPS = [BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE];
const IMMS = [0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 4095, 0x7fffffff, -1, -2, -8, -256, -0x80000000];
const SIZES = [BPF_B, BPF_H, BPF_W, BPF_DW];
const SIZE_BYTES: Record<number, number> = { [BPF_B]: 1, [BPF_H]: 2, [BPF_W]: 4, [BPF_DW]: 8 };

/** A block of instructions; a jump's target is a later block index (resolved after layout). */
interface Block {
  insns: Insn[];
  /** index in insns of a jump whose target is block `target` */
  jumpAt?: number;
  target?: number;
}

/**
 * One structured random program. Registers: r6 = ctx, r7 = map value (when the program looks one
 * up), r10 = frame; r0-r5, r8, r9 carry scalars. Most operands come from registers known to be
 * written, so most programs pass; the rest probe one rule or another.
 */
export function randomProgram(rng: Rng, name: string): GenProgram {
  const progType = rng.pick([PT.SOCKET_FILTER, PT.SOCKET_FILTER, PT.XDP, PT.XDP, PT.SCHED_CLS, PT.CGROUP_SKB,
    PT.KPROBE, PT.TRACEPOINT, PT.RAW_TRACEPOINT, PT.PERF_EVENT]);
  const valueSize = rng.pick([4, 8, 16, 48, 64]);
  // most programs are "clean": each rule-probing choice is 25 times rarer there
  const dirt = rng.chance(0.4) ? 1 : 0.04;
  const good = (p: number): boolean => rng.next() < 1 - (1 - p) * dirt;
  const maps: GenMap[] = [{ type: good(0.7) ? MAP_ARRAY : MAP_HASH, keySize: 4, valueSize, maxEntries: rng.pick([1, 4, 256]) }];
  const blocks: Block[] = [];
  // registers known to hold an initialised scalar (r6, r7 and r10 hold pointers throughout)
  const init = new Set<number>();
  const stackInit = new Set<number>(); // 8-byte slots (by offset) written on every path so far (approximate)
  const scalarRegs = [0, 1, 2, 3, 4, 5, 8, 9];
  const pickInit = (): number => {
    const cands = scalarRegs.filter((r) => init.has(r));
    if (cands.length === 0 || !good(0.96)) return rng.pick(scalarRegs);
    return rng.pick(cands);
  };
  const pickDst = (): number => rng.pick(scalarRegs);
  const afterCall = () => {
    for (const r of [1, 2, 3, 4, 5]) init.delete(r);
    init.add(0);
  };

  const prologue: Insn[] = [mov64r(6, 1)];
  for (const r of [8, 9]) {
    if (good(0.9)) {
      prologue.push(mov64i(r, rng.pick(IMMS)));
      init.add(r);
    }
  }
  if (good(0.8)) {
    for (let off = -8; off >= -48; off -= 8) {
      prologue.push(st(BPF_DW, 10, off, 0));
      stackInit.add(off);
    }
  }
  blocks.push({ insns: prologue });
  let haveValue = false;
  if (good(0.7)) {
    const checkNull = good(0.88);
    const b: Insn[] = [st(BPF_W, 10, -4, good(0.9) ? 0 : rng.int(0, 300)), mov64r(2, 10), alu64i(BPF_ADD, 2, -4), ...ldMap(1, 0),
      call(HELPER.map_lookup_elem)];
    if (checkNull) b.push(ins(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 2, 0), mov64i(0, 0), exit());
    b.push(mov64r(7, 0));
    blocks.push({ insns: b });
    afterCall();
    init.delete(0);
    haveValue = true;
    stackInit.add(-8);
  }
  const nActions = rng.int(3, 28);
  let loopBudget = 1;
  // registers and stack slots initialised at each pending jump, met where the jump lands
  const joins = new Map<number, { regs: Set<number>; stack: Set<number> }[]>();
  const meet = () => {
    for (const j of joins.get(blocks.length) ?? []) {
      for (const r of [...init]) if (!j.regs.has(r)) init.delete(r);
      for (const o of [...stackInit]) if (!j.stack.has(o)) stackInit.delete(o);
    }
    joins.delete(blocks.length);
  };
  for (let a = 0; a < nActions; a++) {
    meet();
    const kind = rng.next();
    if (kind < 0.3) {
      // ALU on a scalar
      const is64 = good(0.75);
      const op = init.size === 0 ? BPF_MOV : rng.pick(ALU_OPS);
      const dst = op === BPF_MOV ? pickDst() : pickInit();
      const useReg = op !== BPF_NEG && rng.chance(0.35);
      let imm = op === BPF_NEG ? 0 : rng.pick(IMMS);
      if ((op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) && good(0.9)) imm = rng.int(0, is64 ? 63 : 31);
      if ((op === BPF_DIV || op === BPF_MOD) && !useReg && good(0.9)) imm = rng.int(1, 64);
      const code = (is64 ? BPF_ALU64 : BPF_ALU) | op | (useReg ? BPF_X : BPF_K);
      blocks.push({ insns: [ins(code, dst, useReg ? pickInit() : 0, 0, useReg ? 0 : imm)] });
      init.add(dst);
    } else if (kind < 0.37) {
      // load a small known or random value
      const dst = pickDst();
      if (rng.chance(0.5)) {
        blocks.push({ insns: [mov64i(dst, rng.pick(IMMS))] });
      } else {
        blocks.push({ insns: [call(rng.pick([HELPER.get_prandom_u32, HELPER.ktime_get_ns, HELPER.get_smp_processor_id])), mov64r(dst, 0)] });
        afterCall();
      }
      init.add(dst);
    } else if (kind < 0.5) {
      // forward conditional jump to a later block
      const is32 = rng.chance(0.2);
      const useReg = rng.chance(0.3);
      const code = (is32 ? BPF_JMP32 : BPF_JMP) | rng.pick(JMP_OPS) | (useReg ? BPF_X : BPF_K);
      const target = Math.min(blocks.length + rng.int(1, 5), blocks.length + nActions - a);
      const at = { regs: new Set(init), stack: new Set(stackInit) };
      joins.set(target, [...(joins.get(target) ?? []), at]);
      blocks.push({ insns: [ins(code, pickInit(), useReg ? pickInit() : 0, 0, useReg ? 0 : rng.pick(IMMS))], jumpAt: 0, target });
    } else if (kind < 0.62) {
      // stack store / load
      const size = rng.pick(SIZES);
      const n = SIZE_BYTES[size];
      const slot = -8 * rng.int(1, 6);
      const off = good(0.92) ? slot + (good(0.8) ? 0 : rng.int(0, 8 - n) & ~(n - 1)) : rng.pick([-516, -520, 0, 8, -3]);
      if (rng.chance(0.55)) {
        const src = pickInit();
        blocks.push({ insns: [good(0.7) ? stx(size, 10, src, off) : st(size, 10, off, rng.pick(IMMS))] });
        if (n === 8 && off % 8 === 0 && off < 0 && off >= -512) stackInit.add(off);
      } else {
        const dst = pickDst();
        const readOff = good(0.75) && stackInit.size ? rng.pick([...stackInit]) : off;
        blocks.push({ insns: [ldx(good(0.7) ? BPF_DW : size, dst, 10, readOff)] });
        init.add(dst);
      }
    } else if (kind < 0.76 && haveValue) {
      // map value access, at a constant or a bounded variable offset
      const size = rng.pick(SIZES.filter((z) => SIZE_BYTES[z] <= valueSize || !good(0.9)));
      const n = SIZE_BYTES[size];
      if (rng.chance(0.5)) {
        const off = good(0.85) ? rng.int(0, Math.max(0, valueSize - n)) : rng.pick([valueSize - n + 1, valueSize, -1, -n]);
        const b = rng.chance(0.5) ? ldx(size, pickDst(), 7, off) : stx(size, 7, pickInit(), off);
        if (b.code === (BPF_LDX | BPF_MEM | size)) init.add(b.dst);
        blocks.push({ insns: [b] });
      } else {
        const dst = rng.pick([8, 9]);
        init.delete(dst);
        const idx = init.size ? pickInit() : 0;
        const mask = good(0.7) ? valueSize - n : rng.pick([valueSize - 1, valueSize, 3, 7, 15, 0xff, -1]);
        const b: Insn[] = [mov64r(dst, 7)];
        if (good(0.85)) b.push(alu64i(BPF_AND, idx, mask));
        b.push(ins(BPF_ALU64 | BPF_ADD | BPF_X, dst, idx), ldx(size, 0, dst, 0));
        blocks.push({ insns: b });
        init.delete(dst);
        init.add(0).add(idx);
      }
    } else if (kind < 0.84) {
      // context read (and occasionally a write)
      const fields = CTX_FIELDS[progType] ?? [[0, 4]];
      const [off, n] = good(0.7) ? fields[rng.int(0, Math.min(3, fields.length - 1))] : rng.pick(fields);
      const size = n === 1 ? BPF_B : n === 2 ? BPF_H : n === 4 ? BPF_W : BPF_DW;
      const dst = pickDst();
      blocks.push({ insns: [good(0.92) ? ldx(size, dst, 6, off) : stx(size, 6, pickInit(), off)] });
      init.add(dst);
    } else if (kind < 0.92 && PKT_FIELDS[progType]) {
      // packet access behind (usually) a bounds check
      const [dOff, eOff] = PKT_FIELDS[progType];
      const len = rng.pick([1, 2, 4, 8, 14, 20, 34]);
      const size = rng.pick(SIZES);
      const n = SIZE_BYTES[size];
      const off = good(0.85) ? rng.int(0, Math.max(0, len - n)) : len - n + rng.int(1, 4);
      const checked = good(0.9);
      const b: Insn[] = [ldx(BPF_W, 2, 6, dOff), ldx(BPF_W, 3, 6, eOff), mov64r(4, 2), alu64i(BPF_ADD, 4, len)];
      if (checked) b.push(ins(BPF_JMP | (good(0.9) ? BPF_JGT : BPF_JGE) | BPF_X, 4, 3, 1, 0));
      b.push(ldx(size, 5, 2, off));
      blocks.push({ insns: b });
      init.delete(2);
      init.delete(3);
      init.delete(4);
      if (checked) init.delete(5);
      else init.add(5);
    } else if (kind < 0.95 && loopBudget > 0) {
      // a small bounded loop (or, rarely, one that never ends)
      loopBudget--;
      const r = rng.pick([8, 9]);
      const bound = rng.pick([4, 16, 100]);
      const step = good(0.95) ? 1 : 0;
      blocks.push({ insns: [mov64i(r, 0), alu64i(BPF_ADD, r, step), ins(BPF_JMP | BPF_JLT | BPF_K, r, 0, -2, bound)] });
      init.add(r);
    } else if (haveValue && rng.chance(0.5)) {
      // atomic add to the map value
      const size = rng.chance(0.5) ? BPF_DW : BPF_W;
      blocks.push({ insns: [ins(BPF_STX | BPF_ATOMIC | size, 7, pickInit(), rng.pick([0, 0, 4, valueSize - 8]), BPF_ADD)] });
    } else {
      // pointer arithmetic on the value or a copy of the context
      const base = haveValue && good(0.85) ? 7 : good(0.8) ? 10 : 6;
      const dst = rng.pick([8, 9]);
      blocks.push({ insns: [mov64r(dst, base), alu64i(good(0.9) ? BPF_ADD : rng.pick([BPF_SUB, BPF_AND]), dst, good(0.8) ? 8 : rng.pick([4, -8, 1])),
        ldx(rng.pick([BPF_B, BPF_W]), 0, dst, base === 10 ? -16 : 0)] });
      init.delete(dst);
      init.add(0);
    }
  }
  for (const k of [...joins.keys()]) if (k > blocks.length) joins.set(blocks.length, [...(joins.get(blocks.length) ?? []), ...joins.get(k)!]);
  meet();
  const end: Insn[] = [];
  if (!init.has(0) || rng.chance(0.6)) end.push(mov64i(0, good(0.95) ? rng.int(0, 2) : rng.pick(IMMS)));
  else if (progType === PT.CGROUP_SKB) end.push(alu64i(BPF_AND, 0, 1));
  end.push(exit());
  blocks.push({ insns: end });
  return { name, progType, expectedAttachType: 0, license: 'GPL', insns: layout(blocks, rng), maps, origin: 'random' };
}

function layout(blocks: Block[], rng: Rng): Insn[] {
  const starts: number[] = [];
  let n = 0;
  for (const b of blocks) {
    starts.push(n);
    n += b.insns.length;
  }
  const out: Insn[] = [];
  blocks.forEach((b, i) => {
    const copy = b.insns.map((x) => ({ ...x }));
    if (b.jumpAt !== undefined) {
      const target = Math.min(b.target ?? blocks.length - 1, blocks.length - 1);
      const from = starts[i] + b.jumpAt;
      copy[b.jumpAt].off = starts[target] - from - 1;
    }
    out.push(...copy);
  });
  return out;
}

/** Index of slots that start an instruction (the second half of LD_IMM64 is not one). */
function insnStarts(insns: Insn[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < insns.length; i++) {
    out.push(i);
    if (insns[i].code === LD_IMM64) i++;
  }
  return out;
}

/** One small change to a valid program: operand, register, size, offset, opcode, or a dropped check. */
export function mutate(p: GenProgram, rng: Rng, name: string): GenProgram {
  const insns = p.insns.map((x) => ({ ...x }));
  const starts = insnStarts(insns).filter((i) => insns[i].code !== LD_IMM64 && insns[i].code !== (BPF_JMP | BPF_EXIT));
  if (starts.length === 0) return { ...p, name, insns, origin: `mutant of ${p.name}: none` };
  const i = rng.pick(starts);
  const x = insns[i];
  const cls = insnClass(x.code);
  let what: string;
  const r = rng.next();
  if (r < 0.25) {
    x.imm = rng.chance(0.5) ? x.imm + rng.pick([-1, 1, 8, -8]) : rng.pick(IMMS);
    what = `imm of insn ${i}`;
  } else if (r < 0.45) {
    x.off = rng.chance(0.6) ? x.off + rng.pick([-1, 1, -4, 4, 8, -8]) : rng.int(-16, 16);
    what = `off of insn ${i}`;
  } else if (r < 0.6) {
    if (rng.chance(0.5)) x.dst = rng.int(0, 10);
    else x.src = rng.int(0, 10);
    what = `register of insn ${i}`;
  } else if (r < 0.7 && (cls === BPF_LDX || cls === BPF_STX || cls === BPF_ST)) {
    x.code = (x.code & ~0x18) | rng.pick(SIZES);
    what = `size of insn ${i}`;
  } else if (r < 0.82 && (cls === BPF_JMP || cls === BPF_JMP32) && (x.code & 0xf0) !== BPF_CALL) {
    x.code = (x.code & 0x0f) | rng.pick([...JMP_OPS, BPF_JA]);
    what = `jump op of insn ${i}`;
  } else if (r < 0.9 && (cls === BPF_ALU || cls === BPF_ALU64)) {
    x.code = (x.code & 0x0f) | rng.pick([...ALU_OPS, BPF_END]);
    if (rng.chance(0.3)) x.code ^= BPF_ALU ^ BPF_ALU64;
    what = `alu op of insn ${i}`;
  } else {
    // turn the instruction into a no-op jump: drops a check, an init or a bounds step
    insns[i] = ins(BPF_JMP | BPF_JA, 0, 0, 0, 0);
    what = `insn ${i} removed`;
  }
  return { ...p, name, insns, origin: `mutant of ${p.name}: ${what}` };
}

/**
 * The deterministic set used by the tests: `count` programs from `seed`, about 70% structured
 * random and 30% single mutations of random programs (mutations of corpus programs are added by the
 * caller when the loader is present).
 */
export function generate(seed: number, count: number): GenProgram[] {
  const rng = new Rng(seed);
  const out: GenProgram[] = [];
  for (let i = 0; i < count; i++) {
    const name = `g${seed}_${i}`;
    const base = randomProgram(rng, name);
    out.push(rng.chance(0.3) ? mutate(base, rng, name) : base);
  }
  return out;
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/**
 * Starts of the functions of a program with bpf-to-bpf calls or callbacks (targets inside the
 * program only), or undefined when it has one function. As the kernel's add_subprog finds them.
 */
export function subprogStarts(insns: Insn[]): number[] | undefined {
  const starts = new Set<number>([0]);
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i];
    if ((x.code === (BPF_JMP | BPF_CALL) && x.src === 1) || (x.code === LD_IMM64 && x.src === 4)) {
      const t = i + x.imm + 1;
      if (t >= 0 && t < insns.length) starts.add(t);
    }
  }
  return starts.size > 1 ? [...starts].sort((a, b) => a - b) : undefined;
}

/**
 * A minimal program BTF for func_info, as libbpf would pass it for a compiled object: `int`, one
 * `int (void)` prototype and a FUNC per function (main global, the others static, like callbacks
 * must be). Type ids: 1 int, 2 proto, 3 + k function k.
 */
export function funcInfoBtf(nfuncs: number): { bytes: Uint8Array; funcInfo: { insnOffIdx: number; typeId: number; name: string }[] } {
  const strs: string[] = ['', 'int'];
  const strOff: number[] = [0, 1];
  let strLen = 5; // "\0int\0"
  const names: string[] = [];
  for (let k = 0; k < nfuncs; k++) {
    const name = k === 0 ? 'main_prog' : `sub${k}`;
    names.push(name);
    strs.push(name);
    strOff.push(strLen);
    strLen += name.length + 1;
  }
  const words: number[] = [];
  words.push(strOff[1], (1 << 24) >>> 0, 4, (1 << 24) | 32); // INT "int", signed, 32 bits
  words.push(0, (13 << 24) >>> 0, 1); // FUNC_PROTO int (void)
  for (let k = 0; k < nfuncs; k++) words.push(strOff[k + 2], ((12 << 24) | (k === 0 ? 1 : 0)) >>> 0, 2); // FUNC
  const typeLen = words.length * 4;
  const bytes = new Uint8Array(24 + typeLen + strLen);
  const v = new DataView(bytes.buffer);
  v.setUint16(0, 0xeb9f, true);
  v.setUint8(2, 1);
  v.setUint8(3, 0);
  v.setUint32(4, 24, true);
  v.setUint32(8, 0, true);
  v.setUint32(12, typeLen, true);
  v.setUint32(16, typeLen, true);
  v.setUint32(20, strLen, true);
  words.forEach((w, i) => v.setUint32(24 + 4 * i, w >>> 0, true));
  let o = 24 + typeLen;
  for (const s of strs) {
    for (let i = 0; i < s.length; i++) bytes[o++] = s.charCodeAt(i);
    bytes[o++] = 0;
  }
  return { bytes, funcInfo: names.map((name, k) => ({ insnOffIdx: k, typeId: 3 + k, name })) };
}

export function toRawSpec(p: GenProgram): RawSpec {
  const spec: RawSpec = {
    name: p.name,
    prog_type: p.progType,
    expected_attach_type: p.expectedAttachType,
    license: p.license,
    insns: hex(encodeInsns(p.insns)),
    maps: p.maps.map((m) => ({ type: m.type, key_size: m.keySize, value_size: m.valueSize, max_entries: m.maxEntries, flags: m.flags ?? 0 })),
  };
  const starts = subprogStarts(p.insns);
  if (starts) {
    const b = funcInfoBtf(starts.length);
    spec.btf = hex(b.bytes);
    spec.func_info = b.funcInfo.flatMap((f) => [starts[f.insnOffIdx], f.typeId]);
  }
  return spec;
}

/** The same program as the loader would hand it to the verifier. */
export function toLoadedObject(p: GenProgram): { obj: LoadedObject; prog: LoadedProgram } {
  const maps: MapDef[] = p.maps.map((m, index) => ({
    index, name: '', type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags ?? 0,
  }));
  const prog: LoadedProgram = {
    name: p.name, section: '', progType: p.progType, expectedAttachType: p.expectedAttachType, autoload: true, sleepable: false,
    insns: p.insns, lineInfo: [], funcInfo: [], license: p.license, kernVersion: 0, problems: [],
  };
  const obj: LoadedObject = { programs: [prog], maps, license: p.license, kernVersion: 0, notes: [], targetBtf: p.targetBtf };
  const starts = subprogStarts(p.insns);
  if (starts) {
    // the same program BTF and func_info the kernel gets (toRawSpec)
    const b = funcInfoBtf(starts.length);
    obj.btf = parseBtf(b.bytes).btf;
    prog.funcInfo = b.funcInfo.map((f) => ({ insnOff: starts[f.insnOffIdx], typeId: f.typeId, name: f.name }));
  }
  return { obj, prog };
}

/** From a loaded (relocated) program, e.g. of the corpus: map references are LD_IMM64 map indices. */
export function fromLoaded(obj: LoadedObject, prog: LoadedProgram, name: string): GenProgram {
  return {
    name, progType: prog.progType, expectedAttachType: prog.expectedAttachType, license: prog.license || obj.license,
    insns: prog.insns.map((x) => ({ ...x })),
    maps: obj.maps.map((m) => ({ type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries || 1, flags: m.flags })),
    origin: `corpus ${prog.name}`,
    targetBtf: obj.targetBtf,
  };
}
