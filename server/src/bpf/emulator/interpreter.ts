// The BPF interpreter: ISA v4 over the emulator's Memory, registers held as two int32 halves
// (L = low, H = high) so the hot loop never touches BigInt.
import type { Insn } from '../isa/insn';
import {
  mulhu, out, udiv64, umod64, sdiv64, smod64, sdiv32, smod32, bswap16, bswap32,
} from './arith';
import { EmulatorFault, Memory, Region, RegionKind } from './memory';
import { compileJit, type JitFn } from './jit';

export const STACK_SIZE = 512;
export const MAX_CALL_FRAMES = 8;
/** the kernel's limit on chained tail calls (MAX_TAIL_CALL_CNT) */
export const MAX_TAIL_CALL_CNT = 33;
/** may_goto's per-frame budget (BPF_MAX_LOOPS) */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;
/** default instruction budget of one run: the verifier's complexity limit, BPF_COMPLEXITY_LIMIT_INSNS */
export const DEFAULT_INSN_BUDGET = 1_000_000;
/** high half of a function pointer (ld_imm64 with BPF_PSEUDO_FUNC): tag | program number */
export const FUNC_TAG = 0xfd000000 | 0;
/** 'auto' compiles a program to JavaScript on its next run after this many */
export const JIT_AFTER_RUNS = 2;

export interface DecodedProg {
  name: string;
  /** index in Vm.progs */
  id: number;
  n: number;
  code: Uint8Array;
  dst: Uint8Array;
  src: Uint8Array;
  off: Int32Array;
  imm: Int32Array;
  /** code | dst << 8 | src << 12 | off << 16 packed per slot, for the interpreter's hot loop */
  w: Int32Array;
  /** resolved 64-bit value of each ld_imm64 (first slot index) */
  kLo: Int32Array;
  kHi: Int32Array;
  /** the compiled tier: undefined until compiled, null when the program needs the interpreter */
  jit?: JitFn | null;
  /** runs so far, for compiling hot programs */
  runs: number;
}

export type HelperFn = (vm: Vm) => void;
/** value of an ld_imm64 with a pseudo source (map, map value, function, ksym): sets out.lo/out.hi */
export type Imm64Resolver = (src: number, imm: number, imm2: number, pc: number, prog: DecodedProg) => void;

export class Vm {
  readonly L = new Int32Array(11);
  readonly H = new Int32Array(11);
  readonly mem = new Memory();
  readonly progs: DecodedProg[] = [];
  /** instructions executed in the current run */
  count = 0;
  budget = DEFAULT_INSN_BUDGET;
  /** index of the current stack frame */
  depth = 0;
  private stacks: Region[] = [];
  // per-frame saved state of BPF-to-BPF calls
  private retPc = new Int32Array(MAX_CALL_FRAMES);
  private retProg: DecodedProg[] = new Array(MAX_CALL_FRAMES);
  private saved = new Int32Array(MAX_CALL_FRAMES * 10);
  private mayGoto = new Float64Array(MAX_CALL_FRAMES);
  helpers: (HelperFn | undefined)[] = [];
  /** names for "helper bpf_x#N is not emulated" */
  helperNames: string[] = [];
  /** set by the tail_call helper: the program to continue with */
  tailTarget: DecodedProg | undefined;
  tailCalls = 0;
  /** set by helpers and LD_ABS that end the program at once (with r0 already set) */
  private abort = false;
  /** packet accessor for LD_ABS/LD_IND: region and window of skb->data */
  ldAbsPacket?: () => Region | undefined;
  kfuncHandler?: (vm: Vm, btfId: number) => void;
  /**
   * Called before each instruction with its index, program and frame (the debugger). It rides on
   * the budget check, so the hot loop costs nothing more when it is unset; it keeps the compiled
   * tier off. It may throw to stop the run.
   */
  onInsn?: (pc: number, prog: DecodedProg, depth: number) => void;

  constructor() {
    for (let i = 0; i < MAX_CALL_FRAMES; i++) {
      const r = this.mem.add(RegionKind.Stack, `stack frame ${i}`, new Uint8Array(STACK_SIZE));
      this.stacks.push(r);
    }
  }

  decode(name: string, insns: readonly Insn[], resolve: Imm64Resolver): DecodedProg {
    const n = insns.length;
    // one extra slot holds a sentinel that faults when execution falls off the end
    const d: DecodedProg = {
      name, id: this.progs.length, n,
      code: new Uint8Array(n + 1), dst: new Uint8Array(n + 1), src: new Uint8Array(n + 1),
      off: new Int32Array(n + 1), imm: new Int32Array(n + 1), w: new Int32Array(n + 1), kLo: new Int32Array(n + 1), kHi: new Int32Array(n + 1), runs: 0,
    };
    this.progs.push(d);
    for (let i = 0; i < n; i++) {
      const x = insns[i];
      d.code[i] = x.code; d.dst[i] = x.dst; d.src[i] = x.src; d.off[i] = x.off; d.imm[i] = x.imm;
    }
    d.code[n] = 0xfe;
    // jump targets are checked once here, so the hot loop needs no bounds check on pc
    const lazy = (i: number, msg: string) => { d.code[i] = 0xff; d.imm[i] = this.lazyErrors.push(msg) - 1; };
    for (let i = 0; i < n; i++) {
      const c = d.code[i], cls = c & 7, op = c & 0xf0;
      if (c === 0x18) {
        if (i + 1 >= n) lazy(i, `ld_imm64 at ${i} has no second instruction slot`);
        i++;
        continue;
      }
      if (cls !== 0x05 && cls !== 0x06) continue;
      let target: number | undefined;
      if (op === 0x80) { if (cls === 0x05 && d.src[i] === 1) target = i + d.imm[i] + 1; } else if (op === 0x90) continue;
      else if (c === 0x06) target = i + d.imm[i] + 1;
      else target = i + d.off[i] + 1;
      if (target !== undefined && (target < 0 || target >= n)) lazy(i, `jump out of the program to instruction ${target} (program has ${n})`);
    }
    for (let i = 0; i < n; i++) {
      if (d.code[i] !== 0x18) continue;
      const imm2 = i + 1 < n ? d.imm[i + 1] : 0;
      if (d.src[i] === 0) { d.kLo[i] = d.imm[i]; d.kHi[i] = imm2; } else {
        try {
          resolve(d.src[i], d.imm[i], imm2, i, d);
          d.kLo[i] = out.lo; d.kHi[i] = out.hi;
        } catch (e) {
          // resolved lazily at run time so that an unused bad reference does not stop the program
          d.kLo[i] = 0; d.kHi[i] = 0;
          d.code[i] = 0xff; d.imm[i] = this.lazyErrors.push(e instanceof Error ? e.message : String(e)) - 1;
        }
      }
      i++;
    }
    for (let i = 0; i <= n; i++) d.w[i] = d.code[i] | ((d.dst[i] & 15) << 8) | ((d.src[i] & 15) << 12) | (d.off[i] << 16);
    return d;
  }
  private lazyErrors: string[] = [];

  stackTop(frame: number): { hi: number; lo: number } {
    const r = this.stacks[frame];
    return { hi: r.addrHi(), lo: r.addrLo(STACK_SIZE) };
  }

  /** zeroes all stack frames (the kernel does not, but the verifier forbids reading uninitialized stack) */
  resetStacks(): void {
    for (const s of this.stacks) s.bytes.fill(0);
  }

  /** runs `prog` from its first instruction with r1.. = args (r1 is usually ctx); r0 ends in L[0]/H[0] */
  run(prog: DecodedProg, args: readonly { hi: number; lo: number }[]): void {
    this.count = 0;
    this.depth = 0;
    this.tailCalls = 0;
    this.abort = false;
    this.tailTarget = undefined;
    this.L.fill(0); this.H.fill(0);
    for (let i = 0; i < args.length && i < 5; i++) { this.L[i + 1] = args[i].lo; this.H[i + 1] = args[i].hi; }
    const top = this.stackTop(0);
    this.L[10] = top.lo; this.H[10] = top.hi;
    this.mayGoto[0] = BPF_MAX_LOOPS;
    prog.runs++;
    if (prog.jit === undefined && (this.jitMode === 'always' || (this.jitMode === 'auto' && prog.runs > JIT_AFTER_RUNS))) prog.jit = compileJit(prog) ?? null;
    if (prog.jit && this.jitMode !== 'never' && this.onInsn === undefined) {
      const pc = prog.jit(this, 0);
      if (pc >= 0) this.exec(prog, pc);
      return;
    }
    this.exec(prog, 0);
  }

  /** when programs are compiled to JavaScript: 'auto' once they have run a few times */
  jitMode: 'auto' | 'always' | 'never' = 'auto';

  /**
   * Calls a BPF function (callback of bpf_loop, for_each_map_elem...) with up to 5 arguments given
   * as (hi, lo) pairs, in a new stack frame; returns r0's low half and leaves r0 in L[0]/H[0].
   * Callee-saved registers r6-r10 of the caller are preserved.
   */
  callFunction(fnHi: number, fnLo: number, args: number[]): number {
    const prog = this.progs[fnHi & 0x00ffffff];
    if ((fnHi & 0xff000000) !== FUNC_TAG || prog === undefined || fnLo < 0 || fnLo >= prog.n) {
      throw new EmulatorFault('callback argument is not a BPF function pointer');
    }
    const L = this.L, H = this.H;
    const keepL = L.slice(6, 11), keepH = H.slice(6, 11);
    for (let i = 0; i < 5; i++) {
      L[i + 1] = args[2 * i + 1] ?? 0;
      H[i + 1] = args[2 * i] ?? 0;
    }
    const d = ++this.depth;
    if (d >= MAX_CALL_FRAMES) throw new EmulatorFault(`call stack deeper than ${MAX_CALL_FRAMES} frames`);
    const top = this.stackTop(d);
    L[10] = top.lo; H[10] = top.hi;
    this.mayGoto[d] = BPF_MAX_LOOPS;
    this.exec(prog, fnLo);
    this.depth--;
    L.set(keepL, 6); H.set(keepH, 6);
    return L[0];
  }

  private fault(msg: string): never {
    throw new EmulatorFault(msg);
  }

  private exec(prog: DecodedProg, startPc: number): void {
    const L = this.L, H = this.H, mem = this.mem;
    const base = this.depth;
    let ws = prog.w, imms = prog.imm;
    let n = this.count;
    const budget = this.budget;
    // with a hook the check below fails on every instruction; without one only past the budget
    let limit = this.onInsn === undefined ? budget : n;
    let pc = startPc;
    let cur = prog;
    try {
      for (;;) {
        if (++n > limit) {
          if (n > budget) {
            n = budget; // the faulting instruction did not run
            this.fault(`instruction budget exceeded: more than ${budget} instructions executed (raise it with --max-insns)`);
          }
          const hook = this.onInsn;
          if (hook !== undefined) { this.count = n - 1; hook(pc, cur, this.depth); limit = n; } else limit = budget;
        }
        const w = ws[pc], c = w & 0xff;
        switch (c) {
          // ---- ALU64 ----
          case 0x07: { const d = ((w >> 8) & 15), b = imms[pc], a = L[d]; const s = (a >>> 0) + (b >>> 0); L[d] = s; H[d] = H[d] + (b >> 31) + (s > 0xffffffff ? 1 : 0); pc++; break; }
          case 0x0f: { const d = ((w >> 8) & 15), r = ((w >> 12) & 15), a = L[d], b = L[r]; const s = (a >>> 0) + (b >>> 0); L[d] = s; H[d] = H[d] + H[r] + (s > 0xffffffff ? 1 : 0); pc++; break; }
          case 0x17: { const d = ((w >> 8) & 15), b = imms[pc], a = L[d]; const s = (a >>> 0) - (b >>> 0); L[d] = s; H[d] = H[d] - (b >> 31) - (s < 0 ? 1 : 0); pc++; break; }
          case 0x1f: { const d = ((w >> 8) & 15), r = ((w >> 12) & 15), a = L[d], b = L[r]; const s = (a >>> 0) - (b >>> 0); L[d] = s; H[d] = H[d] - H[r] - (s < 0 ? 1 : 0); pc++; break; }
          case 0x27: { const d = ((w >> 8) & 15), b = imms[pc], a = L[d]; H[d] = mulhu(a, b) + Math.imul(a, b >> 31) + Math.imul(H[d], b); L[d] = Math.imul(a, b); pc++; break; }
          case 0x2f: { const d = ((w >> 8) & 15), r = ((w >> 12) & 15), a = L[d], b = L[r]; H[d] = mulhu(a, b) + Math.imul(a, H[r]) + Math.imul(H[d], b); L[d] = Math.imul(a, b); pc++; break; }
          case 0x37: { const d = ((w >> 8) & 15), b = imms[pc]; if ((w >> 16) === 1) sdiv64(H[d], L[d], b >> 31, b); else udiv64(H[d], L[d], b >> 31, b); L[d] = out.lo; H[d] = out.hi; pc++; break; }
          case 0x3f: { const d = ((w >> 8) & 15), r = ((w >> 12) & 15); if ((w >> 16) === 1) sdiv64(H[d], L[d], H[r], L[r]); else udiv64(H[d], L[d], H[r], L[r]); L[d] = out.lo; H[d] = out.hi; pc++; break; }
          case 0x47: { const d = ((w >> 8) & 15), b = imms[pc]; L[d] |= b; H[d] |= b >> 31; pc++; break; }
          case 0x4f: { const d = ((w >> 8) & 15), r = ((w >> 12) & 15); L[d] |= L[r]; H[d] |= H[r]; pc++; break; }
          case 0x57: { const d = ((w >> 8) & 15), b = imms[pc]; L[d] &= b; H[d] &= b >> 31; pc++; break; }
          case 0x5f: { const d = ((w >> 8) & 15), r = ((w >> 12) & 15); L[d] &= L[r]; H[d] &= H[r]; pc++; break; }
          case 0x67: { const d = ((w >> 8) & 15), k = imms[pc] & 63; if (k !== 0) { if (k < 32) { H[d] = (H[d] << k) | (L[d] >>> (32 - k)); L[d] = L[d] << k; } else { H[d] = L[d] << (k - 32); L[d] = 0; } } pc++; break; }
          case 0x6f: { this.lsh64(((w >> 8) & 15), L[((w >> 12) & 15)] & 63); pc++; break; }
          case 0x77: { const d = ((w >> 8) & 15), k = imms[pc] & 63; if (k !== 0) { if (k < 32) { L[d] = (L[d] >>> k) | (H[d] << (32 - k)); H[d] = H[d] >>> k; } else { L[d] = H[d] >>> (k - 32); H[d] = 0; } } pc++; break; }
          case 0x7f: { this.rsh64(((w >> 8) & 15), L[((w >> 12) & 15)] & 63); pc++; break; }
          case 0x87: { const d = ((w >> 8) & 15), a = L[d]; L[d] = -a; H[d] = ~H[d] + (a === 0 ? 1 : 0); pc++; break; }
          case 0x97: { const d = ((w >> 8) & 15), b = imms[pc]; if ((w >> 16) === 1) smod64(H[d], L[d], b >> 31, b); else umod64(H[d], L[d], b >> 31, b); L[d] = out.lo; H[d] = out.hi; pc++; break; }
          case 0x9f: { const d = ((w >> 8) & 15), r = ((w >> 12) & 15); if ((w >> 16) === 1) smod64(H[d], L[d], H[r], L[r]); else umod64(H[d], L[d], H[r], L[r]); L[d] = out.lo; H[d] = out.hi; pc++; break; }
          case 0xa7: { const d = ((w >> 8) & 15), b = imms[pc]; L[d] ^= b; H[d] ^= b >> 31; pc++; break; }
          case 0xaf: { const d = ((w >> 8) & 15), r = ((w >> 12) & 15); L[d] ^= L[r]; H[d] ^= H[r]; pc++; break; }
          case 0xb7: { const d = ((w >> 8) & 15), b = imms[pc]; L[d] = b; H[d] = b >> 31; pc++; break; }
          case 0xbf: {
            const d = ((w >> 8) & 15), r = ((w >> 12) & 15), o = (w >> 16);
            if (o === 0) { L[d] = L[r]; H[d] = H[r]; } else if (o === 8) { const v = (L[r] << 24) >> 24; L[d] = v; H[d] = v >> 31; } else if (o === 16) { const v = (L[r] << 16) >> 16; L[d] = v; H[d] = v >> 31; } else if (o === 32) { const v = L[r]; L[d] = v; H[d] = v >> 31; } else this.badInsn(pc, c);
            pc++; break;
          }
          case 0xc7: { this.arsh64(((w >> 8) & 15), imms[pc] & 63); pc++; break; }
          case 0xcf: { this.arsh64(((w >> 8) & 15), L[((w >> 12) & 15)] & 63); pc++; break; }
          case 0xd7: { // bswap (v4, unconditional)
            const d = ((w >> 8) & 15), wd = imms[pc];
            if (wd === 16) { L[d] = bswap16(L[d]); H[d] = 0; } else if (wd === 32) { L[d] = bswap32(L[d]); H[d] = 0; } else if (wd === 64) { const lo = L[d]; L[d] = bswap32(H[d]); H[d] = bswap32(lo); } else this.badInsn(pc, c);
            pc++; break;
          }
          // ---- ALU32 ----
          case 0x04: { const d = ((w >> 8) & 15); L[d] = L[d] + imms[pc]; H[d] = 0; pc++; break; }
          case 0x0c: { const d = ((w >> 8) & 15); L[d] = L[d] + L[((w >> 12) & 15)]; H[d] = 0; pc++; break; }
          case 0x14: { const d = ((w >> 8) & 15); L[d] = L[d] - imms[pc]; H[d] = 0; pc++; break; }
          case 0x1c: { const d = ((w >> 8) & 15); L[d] = L[d] - L[((w >> 12) & 15)]; H[d] = 0; pc++; break; }
          case 0x24: { const d = ((w >> 8) & 15); L[d] = Math.imul(L[d], imms[pc]); H[d] = 0; pc++; break; }
          case 0x2c: { const d = ((w >> 8) & 15); L[d] = Math.imul(L[d], L[((w >> 12) & 15)]); H[d] = 0; pc++; break; }
          case 0x34: case 0x3c: {
            const d = ((w >> 8) & 15), b = c === 0x34 ? imms[pc] : L[((w >> 12) & 15)];
            L[d] = (w >> 16) === 1 ? sdiv32(L[d], b) : (b === 0 ? 0 : Math.floor((L[d] >>> 0) / (b >>> 0)));
            H[d] = 0; pc++; break;
          }
          case 0x44: { const d = ((w >> 8) & 15); L[d] |= imms[pc]; H[d] = 0; pc++; break; }
          case 0x4c: { const d = ((w >> 8) & 15); L[d] |= L[((w >> 12) & 15)]; H[d] = 0; pc++; break; }
          case 0x54: { const d = ((w >> 8) & 15); L[d] &= imms[pc]; H[d] = 0; pc++; break; }
          case 0x5c: { const d = ((w >> 8) & 15); L[d] &= L[((w >> 12) & 15)]; H[d] = 0; pc++; break; }
          case 0x64: { const d = ((w >> 8) & 15); L[d] = L[d] << (imms[pc] & 31); H[d] = 0; pc++; break; }
          case 0x6c: { const d = ((w >> 8) & 15); L[d] = L[d] << (L[((w >> 12) & 15)] & 31); H[d] = 0; pc++; break; }
          case 0x74: { const d = ((w >> 8) & 15); L[d] = L[d] >>> (imms[pc] & 31); H[d] = 0; pc++; break; }
          case 0x7c: { const d = ((w >> 8) & 15); L[d] = L[d] >>> (L[((w >> 12) & 15)] & 31); H[d] = 0; pc++; break; }
          case 0x84: { const d = ((w >> 8) & 15); L[d] = -L[d]; H[d] = 0; pc++; break; }
          case 0x94: case 0x9c: {
            const d = ((w >> 8) & 15), b = c === 0x94 ? imms[pc] : L[((w >> 12) & 15)];
            L[d] = (w >> 16) === 1 ? smod32(L[d], b) : (b === 0 ? L[d] : (L[d] >>> 0) % (b >>> 0));
            H[d] = 0; pc++; break;
          }
          case 0xa4: { const d = ((w >> 8) & 15); L[d] ^= imms[pc]; H[d] = 0; pc++; break; }
          case 0xac: { const d = ((w >> 8) & 15); L[d] ^= L[((w >> 12) & 15)]; H[d] = 0; pc++; break; }
          case 0xb4: { const d = ((w >> 8) & 15); L[d] = imms[pc]; H[d] = 0; pc++; break; }
          case 0xbc: {
            const d = ((w >> 8) & 15), r = ((w >> 12) & 15), o = (w >> 16);
            if (o === 0) L[d] = L[r]; else if (o === 8) L[d] = (L[r] << 24) >> 24; else if (o === 16) L[d] = (L[r] << 16) >> 16; else this.badInsn(pc, c);
            H[d] = 0; pc++; break;
          }
          case 0xc4: { const d = ((w >> 8) & 15); L[d] = L[d] >> (imms[pc] & 31); H[d] = 0; pc++; break; }
          case 0xcc: { const d = ((w >> 8) & 15); L[d] = L[d] >> (L[((w >> 12) & 15)] & 31); H[d] = 0; pc++; break; }
          case 0xd4: { // to little endian: truncation on a little-endian machine
            const d = ((w >> 8) & 15), wd = imms[pc];
            if (wd === 16) { L[d] &= 0xffff; H[d] = 0; } else if (wd === 32) { H[d] = 0; } else if (wd !== 64) this.badInsn(pc, c);
            pc++; break;
          }
          case 0xdc: { // to big endian: swap
            const d = ((w >> 8) & 15), wd = imms[pc];
            if (wd === 16) { L[d] = bswap16(L[d]); H[d] = 0; } else if (wd === 32) { L[d] = bswap32(L[d]); H[d] = 0; } else if (wd === 64) { const lo = L[d]; L[d] = bswap32(H[d]); H[d] = bswap32(lo); } else this.badInsn(pc, c);
            pc++; break;
          }
          // ---- JMP (64-bit compares) ----
          case 0x05: pc += (w >> 16) + 1; break;
          case 0x06: pc += imms[pc] + 1; break; // gotol
          case 0x15: { const d = ((w >> 8) & 15), b = imms[pc]; pc += (L[d] === b && H[d] === b >> 31) ? (w >> 16) + 1 : 1; break; }
          case 0x1d: { const d = ((w >> 8) & 15), r = ((w >> 12) & 15); pc += (L[d] === L[r] && H[d] === H[r]) ? (w >> 16) + 1 : 1; break; }
          case 0x55: { const d = ((w >> 8) & 15), b = imms[pc]; pc += (L[d] !== b || H[d] !== b >> 31) ? (w >> 16) + 1 : 1; break; }
          case 0x5d: { const d = ((w >> 8) & 15), r = ((w >> 12) & 15); pc += (L[d] !== L[r] || H[d] !== H[r]) ? (w >> 16) + 1 : 1; break; }
          case 0x45: { const d = ((w >> 8) & 15), b = imms[pc]; pc += ((L[d] & b) | (H[d] & (b >> 31))) !== 0 ? (w >> 16) + 1 : 1; break; }
          case 0x4d: { const d = ((w >> 8) & 15), r = ((w >> 12) & 15); pc += ((L[d] & L[r]) | (H[d] & H[r])) !== 0 ? (w >> 16) + 1 : 1; break; }
          case 0x25: { const d = ((w >> 8) & 15); const bl0 = imms[pc], bl = bl0 >>> 0, bh = (bl0 >> 31) >>> 0; const ah = H[d] >>> 0, al = L[d] >>> 0; pc += (ah !== bh ? ah > bh : al > bl) ? (w >> 16) + 1 : 1; break; }
          case 0x2d: { const d = ((w >> 8) & 15); const r = ((w >> 12) & 15), bh = H[r] >>> 0, bl = L[r] >>> 0; const ah = H[d] >>> 0, al = L[d] >>> 0; pc += (ah !== bh ? ah > bh : al > bl) ? (w >> 16) + 1 : 1; break; }
          case 0x35: { const d = ((w >> 8) & 15); const bl0 = imms[pc], bl = bl0 >>> 0, bh = (bl0 >> 31) >>> 0; const ah = H[d] >>> 0, al = L[d] >>> 0; pc += (ah !== bh ? ah > bh : al >= bl) ? (w >> 16) + 1 : 1; break; }
          case 0x3d: { const d = ((w >> 8) & 15); const r = ((w >> 12) & 15), bh = H[r] >>> 0, bl = L[r] >>> 0; const ah = H[d] >>> 0, al = L[d] >>> 0; pc += (ah !== bh ? ah > bh : al >= bl) ? (w >> 16) + 1 : 1; break; }
          case 0xa5: { const d = ((w >> 8) & 15); const bl0 = imms[pc], bl = bl0 >>> 0, bh = (bl0 >> 31) >>> 0; const ah = H[d] >>> 0, al = L[d] >>> 0; pc += (ah !== bh ? ah < bh : al < bl) ? (w >> 16) + 1 : 1; break; }
          case 0xad: { const d = ((w >> 8) & 15); const r = ((w >> 12) & 15), bh = H[r] >>> 0, bl = L[r] >>> 0; const ah = H[d] >>> 0, al = L[d] >>> 0; pc += (ah !== bh ? ah < bh : al < bl) ? (w >> 16) + 1 : 1; break; }
          case 0xb5: { const d = ((w >> 8) & 15); const bl0 = imms[pc], bl = bl0 >>> 0, bh = (bl0 >> 31) >>> 0; const ah = H[d] >>> 0, al = L[d] >>> 0; pc += (ah !== bh ? ah < bh : al <= bl) ? (w >> 16) + 1 : 1; break; }
          case 0xbd: { const d = ((w >> 8) & 15); const r = ((w >> 12) & 15), bh = H[r] >>> 0, bl = L[r] >>> 0; const ah = H[d] >>> 0, al = L[d] >>> 0; pc += (ah !== bh ? ah < bh : al <= bl) ? (w >> 16) + 1 : 1; break; }
          case 0x65: { const d = ((w >> 8) & 15); const bl0 = imms[pc], bl = bl0 >>> 0, bh = bl0 >> 31; const ah = H[d], al = L[d] >>> 0; pc += (ah !== bh ? ah > bh : al > bl) ? (w >> 16) + 1 : 1; break; }
          case 0x6d: { const d = ((w >> 8) & 15); const r = ((w >> 12) & 15), bh = H[r], bl = L[r] >>> 0; const ah = H[d], al = L[d] >>> 0; pc += (ah !== bh ? ah > bh : al > bl) ? (w >> 16) + 1 : 1; break; }
          case 0x75: { const d = ((w >> 8) & 15); const bl0 = imms[pc], bl = bl0 >>> 0, bh = bl0 >> 31; const ah = H[d], al = L[d] >>> 0; pc += (ah !== bh ? ah > bh : al >= bl) ? (w >> 16) + 1 : 1; break; }
          case 0x7d: { const d = ((w >> 8) & 15); const r = ((w >> 12) & 15), bh = H[r], bl = L[r] >>> 0; const ah = H[d], al = L[d] >>> 0; pc += (ah !== bh ? ah > bh : al >= bl) ? (w >> 16) + 1 : 1; break; }
          case 0xc5: { const d = ((w >> 8) & 15); const bl0 = imms[pc], bl = bl0 >>> 0, bh = bl0 >> 31; const ah = H[d], al = L[d] >>> 0; pc += (ah !== bh ? ah < bh : al < bl) ? (w >> 16) + 1 : 1; break; }
          case 0xcd: { const d = ((w >> 8) & 15); const r = ((w >> 12) & 15), bh = H[r], bl = L[r] >>> 0; const ah = H[d], al = L[d] >>> 0; pc += (ah !== bh ? ah < bh : al < bl) ? (w >> 16) + 1 : 1; break; }
          case 0xd5: { const d = ((w >> 8) & 15); const bl0 = imms[pc], bl = bl0 >>> 0, bh = bl0 >> 31; const ah = H[d], al = L[d] >>> 0; pc += (ah !== bh ? ah < bh : al <= bl) ? (w >> 16) + 1 : 1; break; }
          case 0xdd: { const d = ((w >> 8) & 15); const r = ((w >> 12) & 15), bh = H[r], bl = L[r] >>> 0; const ah = H[d], al = L[d] >>> 0; pc += (ah !== bh ? ah < bh : al <= bl) ? (w >> 16) + 1 : 1; break; }
          // ---- JMP32 ----
          case 0x16: pc += L[((w >> 8) & 15)] === imms[pc] ? (w >> 16) + 1 : 1; break;
          case 0x1e: pc += L[((w >> 8) & 15)] === L[((w >> 12) & 15)] ? (w >> 16) + 1 : 1; break;
          case 0x56: pc += L[((w >> 8) & 15)] !== imms[pc] ? (w >> 16) + 1 : 1; break;
          case 0x5e: pc += L[((w >> 8) & 15)] !== L[((w >> 12) & 15)] ? (w >> 16) + 1 : 1; break;
          case 0x46: pc += (L[((w >> 8) & 15)] & imms[pc]) !== 0 ? (w >> 16) + 1 : 1; break;
          case 0x4e: pc += (L[((w >> 8) & 15)] & L[((w >> 12) & 15)]) !== 0 ? (w >> 16) + 1 : 1; break;
          case 0x26: pc += (L[((w >> 8) & 15)] >>> 0) > (imms[pc] >>> 0) ? (w >> 16) + 1 : 1; break;
          case 0x2e: pc += (L[((w >> 8) & 15)] >>> 0) > (L[((w >> 12) & 15)] >>> 0) ? (w >> 16) + 1 : 1; break;
          case 0x36: pc += (L[((w >> 8) & 15)] >>> 0) >= (imms[pc] >>> 0) ? (w >> 16) + 1 : 1; break;
          case 0x3e: pc += (L[((w >> 8) & 15)] >>> 0) >= (L[((w >> 12) & 15)] >>> 0) ? (w >> 16) + 1 : 1; break;
          case 0xa6: pc += (L[((w >> 8) & 15)] >>> 0) < (imms[pc] >>> 0) ? (w >> 16) + 1 : 1; break;
          case 0xae: pc += (L[((w >> 8) & 15)] >>> 0) < (L[((w >> 12) & 15)] >>> 0) ? (w >> 16) + 1 : 1; break;
          case 0xb6: pc += (L[((w >> 8) & 15)] >>> 0) <= (imms[pc] >>> 0) ? (w >> 16) + 1 : 1; break;
          case 0xbe: pc += (L[((w >> 8) & 15)] >>> 0) <= (L[((w >> 12) & 15)] >>> 0) ? (w >> 16) + 1 : 1; break;
          case 0x66: pc += L[((w >> 8) & 15)] > imms[pc] ? (w >> 16) + 1 : 1; break;
          case 0x6e: pc += L[((w >> 8) & 15)] > L[((w >> 12) & 15)] ? (w >> 16) + 1 : 1; break;
          case 0x76: pc += L[((w >> 8) & 15)] >= imms[pc] ? (w >> 16) + 1 : 1; break;
          case 0x7e: pc += L[((w >> 8) & 15)] >= L[((w >> 12) & 15)] ? (w >> 16) + 1 : 1; break;
          case 0xc6: pc += L[((w >> 8) & 15)] < imms[pc] ? (w >> 16) + 1 : 1; break;
          case 0xce: pc += L[((w >> 8) & 15)] < L[((w >> 12) & 15)] ? (w >> 16) + 1 : 1; break;
          case 0xd6: pc += L[((w >> 8) & 15)] <= imms[pc] ? (w >> 16) + 1 : 1; break;
          case 0xde: pc += L[((w >> 8) & 15)] <= L[((w >> 12) & 15)] ? (w >> 16) + 1 : 1; break;
          case 0xe5: { // may_goto: taken once the frame's loop budget is used up
            const f = this.depth;
            if (this.mayGoto[f] === 0) pc += (w >> 16) + 1; else { this.mayGoto[f]--; pc++; }
            break;
          }
          // ---- calls and exit ----
          case 0x85: {
            const s = ((w >> 12) & 15);
            if (s === 1) { // BPF-to-BPF call
              const f = this.depth;
              if (f + 1 >= MAX_CALL_FRAMES) this.fault(`call stack deeper than ${MAX_CALL_FRAMES} frames`);
              this.retPc[f] = pc + 1;
              this.retProg[f] = cur;
              const sv = this.saved, o = f * 10;
              sv[o] = L[6]; sv[o + 1] = H[6]; sv[o + 2] = L[7]; sv[o + 3] = H[7]; sv[o + 4] = L[8]; sv[o + 5] = H[8];
              sv[o + 6] = L[9]; sv[o + 7] = H[9]; sv[o + 8] = L[10]; sv[o + 9] = H[10];
              this.depth = f + 1;
              const st = this.stacks[f + 1];
              L[10] = st.addrLo(STACK_SIZE); H[10] = st.addrHi();
              this.mayGoto[f + 1] = BPF_MAX_LOOPS;
              pc += imms[pc] + 1;
              break;
            }
            this.count = n;
            if (s === 0) this.callHelper(imms[pc]);
            else if (s === 2) this.callKfunc(imms[pc]);
            else this.badInsn(pc, c);
            n = this.count;
            if (this.tailTarget !== undefined) {
              cur = this.tailTarget; this.tailTarget = undefined;
              ws = cur.w; imms = cur.imm;
              pc = 0;
              break;
            }
            if (this.abort) { this.abort = false; this.depth = base; this.count = n; return; }
            pc++;
            break;
          }
          case 0x8d: { // callx: helper number in a register (dst, as LLVM encodes it)
            this.count = n;
            this.callHelper(L[((w >> 8) & 15)]);
            n = this.count;
            if (this.abort) { this.abort = false; this.depth = base; this.count = n; return; }
            pc++;
            break;
          }
          case 0x95: {
            const f = this.depth;
            if (f === base) { this.count = n; return; }
            const pf = f - 1, sv = this.saved, o = pf * 10;
            L[6] = sv[o]; H[6] = sv[o + 1]; L[7] = sv[o + 2]; H[7] = sv[o + 3]; L[8] = sv[o + 4]; H[8] = sv[o + 5];
            L[9] = sv[o + 6]; H[9] = sv[o + 7]; L[10] = sv[o + 8]; H[10] = sv[o + 9];
            this.depth = pf;
            cur = this.retProg[pf];
            ws = cur.w; imms = cur.imm;
            pc = this.retPc[pf];
            break;
          }
          // ---- loads and stores ----
          case 0x18: { const d = ((w >> 8) & 15); L[d] = cur.kLo[pc]; H[d] = cur.kHi[pc]; pc += 2; break; }
          case 0x61: case 0x69: case 0x71: case 0x79: {
            const d = ((w >> 8) & 15), r = ((w >> 12) & 15);
            mem.load(H[r], L[r], (w >> 16), c === 0x61 ? 4 : c === 0x69 ? 2 : c === 0x71 ? 1 : 8);
            L[d] = mem.outLo; H[d] = mem.outHi; pc++; break;
          }
          case 0x81: case 0x89: case 0x91: { // sign-extending loads
            const d = ((w >> 8) & 15), r = ((w >> 12) & 15);
            mem.load(H[r], L[r], (w >> 16), c === 0x81 ? 4 : c === 0x89 ? 2 : 1);
            const v = c === 0x81 ? mem.outLo : c === 0x89 ? (mem.outLo << 16) >> 16 : (mem.outLo << 24) >> 24;
            L[d] = v; H[d] = v >> 31; pc++; break;
          }
          case 0x62: case 0x6a: case 0x72: case 0x7a: {
            const d = ((w >> 8) & 15), v = imms[pc];
            mem.store(H[d], L[d], (w >> 16), c === 0x62 ? 4 : c === 0x6a ? 2 : c === 0x72 ? 1 : 8, v, v >> 31);
            pc++; break;
          }
          case 0x63: case 0x6b: case 0x73: case 0x7b: {
            const d = ((w >> 8) & 15), r = ((w >> 12) & 15);
            mem.store(H[d], L[d], (w >> 16), c === 0x63 ? 4 : c === 0x6b ? 2 : c === 0x73 ? 1 : 8, L[r], H[r]);
            pc++; break;
          }
          case 0xc3: case 0xdb: case 0xd3: case 0xcb: { this.atomic(c, ((w >> 8) & 15), ((w >> 12) & 15), (w >> 16), imms[pc], pc); pc++; break; }
          case 0x20: case 0x28: case 0x30: case 0x40: case 0x48: case 0x50: {
            if (!this.ldAbs(c, ((w >> 12) & 15), imms[pc])) { this.depth = base; this.count = n; return; }
            pc++; break;
          }
          case 0xfe: this.fault(`execution fell off the end of the program (after instruction ${pc - 1})`);
          // eslint-disable-next-line no-fallthrough
          case 0xff: this.fault(this.lazyErrors[imms[pc]] ?? 'bad instruction');
          // eslint-disable-next-line no-fallthrough
          default: this.badInsn(pc, c);
        }
      }
    } catch (e) {
      this.count = n;
      if (e instanceof EmulatorFault && e.insn < 0) e.insn = pc;
      throw e;
    }
  }

  private badInsn(pc: number, c: number): never {
    this.fault(`invalid instruction at ${pc}: opcode 0x${c.toString(16).padStart(2, '0')} is not defined`);
  }

  private lsh64(d: number, k: number): void {
    const L = this.L, H = this.H;
    if (k === 0) return;
    if (k < 32) { H[d] = (H[d] << k) | (L[d] >>> (32 - k)); L[d] = L[d] << k; } else { H[d] = L[d] << (k - 32); L[d] = 0; }
  }

  private rsh64(d: number, k: number): void {
    const L = this.L, H = this.H;
    if (k === 0) return;
    if (k < 32) { L[d] = (L[d] >>> k) | (H[d] << (32 - k)); H[d] = H[d] >>> k; } else { L[d] = H[d] >>> (k - 32); H[d] = 0; }
  }

  private arsh64(d: number, k: number): void {
    const L = this.L, H = this.H;
    if (k === 0) return;
    if (k < 32) { L[d] = (L[d] >>> k) | (H[d] << (32 - k)); H[d] = H[d] >> k; } else { L[d] = H[d] >> (k - 32); H[d] = H[d] >> 31; }
  }

  /** one atomic instruction on L/H (the compiled tier calls it too) */
  atomicInsn(c: number, d: number, s: number, off: number, op: number, pc: number): void { this.atomic(c, d, s, off, op, pc); }

  private atomic(c: number, d: number, s: number, off: number, op: number, pc: number): void {
    const L = this.L, H = this.H, mem = this.mem;
    const size = c === 0xdb ? 8 : c === 0xc3 ? 4 : c === 0xcb ? 2 : 1;
    if (op === 0x100) { // load-acquire: dst = *(src + off)
      mem.load(H[s], L[s], off, size);
      L[d] = mem.outLo; H[d] = mem.outHi; return;
    }
    if (op === 0x110) { mem.store(H[d], L[d], off, size, L[s], H[s]); return; } // store-release
    if (size < 4) this.badInsn(pc, c);
    mem.load(H[d], L[d], off, size);
    const ol = mem.outLo, oh = mem.outHi;
    let nl: number, nh: number;
    const base = op & ~1;
    const fetch = (op & 1) === 1;
    switch (op) {
      case 0x00: case 0x01: { const sum = (ol >>> 0) + (L[s] >>> 0); nl = sum | 0; nh = (oh + H[s] + (sum > 0xffffffff ? 1 : 0)) | 0; break; }
      case 0x40: case 0x41: nl = ol | L[s]; nh = oh | H[s]; break;
      case 0x50: case 0x51: nl = ol & L[s]; nh = oh & H[s]; break;
      case 0xa0: case 0xa1: nl = ol ^ L[s]; nh = oh ^ H[s]; break;
      case 0xe1: nl = L[s]; nh = H[s]; break; // xchg
      case 0xf1: { // cmpxchg: compare with r0, r0 gets the old value
        const eq = size === 8 ? (ol === L[0] && oh === H[0]) : ol === L[0];
        if (eq) mem.store(H[d], L[d], off, size, L[s], H[s]);
        L[0] = ol; H[0] = size === 8 ? oh : 0;
        return;
      }
      default: this.fault(`invalid atomic operation 0x${op.toString(16)} at ${pc}`);
    }
    void base;
    mem.store(H[d], L[d], off, size, nl, nh);
    if (fetch) { L[s] = ol; H[s] = size === 8 ? oh : 0; }
  }

  /** LD_ABS/LD_IND: big-endian packet load relative to skb->data; out of bounds ends the program with r0 = 0 */
  /** LD_ABS/LD_IND for the compiled tier: false when the program must end with r0 = 0 */
  ldAbsInsn(c: number, s: number, imm: number): boolean { return this.ldAbs(c, s, imm); }

  /** a BPF-to-BPF call from the compiled tier: the callee's frame (r10 set in L/H) */
  enterFrame(): void {
    const f = this.depth;
    if (f + 1 >= MAX_CALL_FRAMES) this.fault(`call stack deeper than ${MAX_CALL_FRAMES} frames`);
    this.depth = f + 1;
    const st = this.stacks[f + 1];
    this.L[10] = st.addrLo(STACK_SIZE); this.H[10] = st.addrHi();
    this.mayGoto[f + 1] = BPF_MAX_LOOPS;
  }

  /** the interpreter's budget fault at an instruction, for the compiled tier inside a callee */
  budgetFault(insn: number): never {
    this.count = this.budget;
    const e = new EmulatorFault(`instruction budget exceeded: more than ${this.budget} instructions executed (raise it with --max-insns)`);
    e.insn = insn;
    throw e;
  }

  private ldAbs(c: number, s: number, imm: number): boolean {
    const pkt = this.ldAbsPacket?.();
    if (pkt === undefined) this.fault('LD_ABS/LD_IND used without a socket buffer context');
    const size = (c & 0x18) === 0x00 ? 4 : (c & 0x18) === 0x08 ? 2 : 1;
    let off = imm;
    if ((c & 0xe0) === 0x40) off = (off + this.L[s]) | 0;
    const L = this.L, H = this.H;
    if (off < 0 || pkt.start + off + size > pkt.end) { L[0] = 0; H[0] = 0; return false; }
    const v = pkt.view, o = pkt.start + off;
    L[0] = size === 4 ? v.getInt32(o, false) : size === 2 ? v.getUint16(o, false) : v.getUint8(o);
    H[0] = 0;
    return true;
  }

  /** calls helper `id` with r1..r5 from L/H (the compiled tier calls it too) */
  callHelper(id: number): void {
    const fn = this.helpers[id];
    if (fn === undefined) {
      const name = this.helperNames[id];
      this.fault(name ? `helper ${name}#${id} is not emulated` : `helper #${id} is not emulated (unknown helper id)`);
    }
    fn(this);
  }

  private callKfunc(btfId: number): void {
    if (!this.kfuncHandler) this.fault(`kfunc calls are not emulated (BTF id ${btfId})`);
    this.kfuncHandler(this, btfId);
  }

  /** ends the program at once (r0 must be set); used by LD_ABS failures and by helpers */
  requestExit(): void { this.abort = true; }
}
