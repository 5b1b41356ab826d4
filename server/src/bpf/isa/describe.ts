// What an instruction does, in words, and which ISA version (clang's -mcpu) and kernel it needs:
// the material of an editor hover. Versions follow LLVM's CPU levels: v2 adds the unsigned and
// signed "less than" jumps, v3 the 32-bit jumps and fetching atomics, v4 sign-extension,
// signed division, unconditional byte swaps and the 32-bit-offset jump.
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_DIV, BPF_DW, BPF_END, BPF_EXIT,
  BPF_FETCH, BPF_IND, BPF_JA, BPF_JCOND, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_LOAD_ACQ, BPF_MEM,
  BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_NEG, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_ST, BPF_STORE_REL,
  BPF_STX, BPF_X, BPF_XCHG, insnClass, insnMode, insnOp, insnSize, insnSrc, sizeBytes,
} from './opcodes';
import { Insn, LD_IMM64, imm64 } from './insn';
import { helperName } from './helper-ids';
import { insnProblem } from './validate';

export type IsaVersion = 'v1' | 'v2' | 'v3' | 'v4';

export interface InsnDescription {
  /** One sentence: what the instruction does. */
  text: string;
  /** The lowest clang -mcpu level that emits or accepts it. */
  version: IsaVersion;
  /** The first Linux release whose verifier accepts it. */
  kernel: string;
  /** Why the encoding is invalid, when it is. */
  problem?: string;
}

const ALU_WORDS: Record<number, string> = {
  0x00: 'adds', 0x10: 'subtracts', 0x20: 'multiplies by', 0x30: 'divides (unsigned) by', 0x40: 'ORs with',
  0x50: 'ANDs with', 0x60: 'shifts left by', 0x70: 'shifts right (logical) by', 0x90: 'takes the unsigned remainder by',
  0xa0: 'XORs with', 0xb0: 'is set to', 0xc0: 'shifts right (arithmetic) by',
};
const JMP_WORDS: Record<number, string> = {
  0x10: 'equals', 0x20: 'is greater than (unsigned)', 0x30: 'is at least (unsigned)', 0x40: 'has a bit in common with',
  0x50: 'differs from', 0x60: 'is greater than (signed)', 0x70: 'is at least (signed)', 0xa0: 'is less than (unsigned)',
  0xb0: 'is at most (unsigned)', 0xc0: 'is less than (signed)', 0xd0: 'is at most (signed)',
};
const ATOMIC_WORDS: Record<number, string> = { 0x00: 'adds', 0x40: 'ORs', 0x50: 'ANDs', 0xa0: 'XORs' };

const signedHex = (v: number): string => (v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);
const at = (base: number, off: number): string => `r${base}${off < 0 ? ` - ${-off}` : ` + ${off}`}`;

export function describeInsn(insns: readonly Insn[], idx: number): InsnDescription {
  const i = insns[idx];
  const problem = insnProblem(insns, idx);
  const d = describe(insns, idx, i);
  return problem ? { ...d, problem } : d;
}

function describe(insns: readonly Insn[], idx: number, i: Insn): InsnDescription {
  const cls = insnClass(i.code);
  const op = insnOp(i.code);
  const x = insnSrc(i.code) === BPF_X;
  const v1 = (text: string): InsnDescription => ({ text, version: 'v1', kernel: '3.18' });
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64: {
      const w = cls === BPF_ALU;
      const r = w ? 'w' : 'r';
      const tail = w ? ' (32-bit; the upper half of the register becomes zero)' : '';
      if (op === BPF_END) {
        if (cls === BPF_ALU64) return { text: `Reverses the byte order of the low ${i.imm} bits of r${i.dst} unconditionally (bswap${i.imm}).`, version: 'v4', kernel: '6.6' };
        return v1(`Converts the low ${i.imm} bits of r${i.dst} ${x ? 'to big' : 'to little'}-endian (a byte swap on ${x ? 'little' : 'big'}-endian hosts); the rest of the register becomes zero.`);
      }
      if (op === BPF_NEG) return v1(`Negates ${r}${i.dst}${tail}.`);
      if (cls === BPF_ALU64 && op === BPF_MOV && x && i.off === 1) {
        return { text: `Casts the pointer in r${i.src} from address space ${i.imm & 0xffff} to ${i.imm >>> 16} into r${i.dst} (arena pointers).`, version: 'v4', kernel: '6.9' };
      }
      if (op === BPF_MOV && x && i.off) {
        return { text: `Sets ${r}${i.dst} to the low ${i.off} bits of ${r}${i.src}, sign-extended${tail}.`, version: 'v4', kernel: '6.6' };
      }
      if ((op === BPF_DIV || op === BPF_MOD) && i.off === 1) {
        const what = op === BPF_DIV ? 'Divides' : 'Takes the remainder of';
        return { text: `${what} ${r}${i.dst} by ${x ? `${r}${i.src}` : signedHex(i.imm)} as signed numbers${tail}; division by zero gives ${op === BPF_DIV ? '0' : `${r}${i.dst} unchanged`}.`, version: 'v4', kernel: '6.6' };
      }
      const src = x ? `${r}${i.src}` : signedHex(i.imm);
      const verb = ALU_WORDS[op] ?? 'does an undefined operation with';
      if (op === BPF_MOV) return v1(`${r}${i.dst} is set to ${src}${tail}.`);
      const zero = op === BPF_DIV ? '; division by zero gives 0' : op === BPF_MOD ? `; by zero leaves ${r}${i.dst} unchanged` : '';
      return v1(`${r}${i.dst} ${verb} ${src}${tail}${zero}.`.replace(/^./, (c) => c.toUpperCase()));
    }
    case BPF_JMP:
    case BPF_JMP32: {
      const target = (rel: number): string => `instruction ${idx + 1 + rel}`;
      if (op === BPF_JA) {
        if (cls === BPF_JMP32) return { text: `Jumps to ${target(i.imm)} (32-bit offset ${i.imm}).`, version: 'v4', kernel: '6.6' };
        return v1(`Jumps to ${target(i.off)}.`);
      }
      if (op === BPF_CALL) {
        if (x) return { text: `Calls the function whose address is in r${i.dst} (callx).`, version: 'v1', kernel: '—' };
        if (i.src === BPF_PSEUDO_CALL) return { text: `Calls the BPF function at ${target(i.imm)}; r1-r5 are its arguments, r0 its result, r6-r9 are preserved.`, version: 'v1', kernel: '4.16' };
        if (i.src === BPF_PSEUDO_KFUNC_CALL) return { text: `Calls the kernel function (kfunc) with BTF ID ${i.imm}; r1-r5 are its arguments, r0 its result.`, version: 'v1', kernel: '5.13' };
        const name = helperName(i.imm);
        return v1(`Calls helper ${name ?? `#${i.imm}`} (ID ${i.imm}); r1-r5 are its arguments, r0 its result, r1-r5 are clobbered.`);
      }
      if (op === BPF_EXIT) return v1('Returns from the function with the value in r0.');
      if (op === BPF_JCOND) return { text: `Jumps to ${target(i.off)} once the loop budget the kernel allows is spent (may_goto); falls through until then.`, version: 'v4', kernel: '6.9' };
      const r = cls === BPF_JMP32 ? 'w' : 'r';
      const cond = JMP_WORDS[op] ?? 'compares in an undefined way with';
      const late = op >= 0xa0;
      const text = `If ${r}${i.dst} ${cond} ${x ? `${r}${i.src}` : signedHex(i.imm)}${cls === BPF_JMP32 ? ' (comparing the low 32 bits)' : ''}, jumps to ${target(i.off)}.`;
      if (cls === BPF_JMP32) return { text, version: 'v3', kernel: '5.1' };
      return late ? { text, version: 'v2', kernel: '4.14' } : v1(text);
    }
    case BPF_LD: {
      if (i.code === LD_IMM64) {
        const srcWords: Record<number, string> = {
          0: `the 64-bit constant 0x${imm64(i, insns[idx + 1]).toString(16)}`, 1: `the address of the map with fd ${i.imm}`,
          2: `the address of byte ${insns[idx + 1]?.imm ?? 0} of the value of the map with fd ${i.imm}`, 3: `the address of the kernel variable with BTF ID ${i.imm}`,
          4: `the address of the BPF function at instruction ${idx + 1 + i.imm}`, 5: `the address of map #${i.imm} of the program`,
          6: `the address of byte ${insns[idx + 1]?.imm ?? 0} of the value of map #${i.imm}`,
        };
        return v1(`Loads ${srcWords[i.src] ?? 'an undefined pseudo value'} into r${i.dst} (two instruction slots).`);
      }
      const n = sizeBytes(insnSize(i.code));
      const where = insnMode(i.code) === BPF_ABS ? `packet offset ${i.imm}` : insnMode(i.code) === BPF_IND ? `packet offset r${i.src} + ${i.imm}` : 'an undefined place';
      return v1(`Legacy packet load: r0 = ${n} byte(s) at ${where}, in network byte order (the program returns 0 when out of bounds).`);
    }
    case BPF_LDX: {
      const n = sizeBytes(insnSize(i.code));
      if (insnMode(i.code) === BPF_MEMSX) return { text: `Loads ${n} byte(s) at ${at(i.src, i.off)} into r${i.dst}, sign-extended to 64 bits.`, version: 'v4', kernel: '6.6' };
      return v1(`Loads ${n} byte(s) at ${at(i.src, i.off)} into r${i.dst}${n < 8 ? ', zero-extended' : ''}.`);
    }
    case BPF_ST:
      return v1(`Stores the constant ${signedHex(i.imm)} as ${sizeBytes(insnSize(i.code))} byte(s) at ${at(i.dst, i.off)}.`);
    case BPF_STX: {
      const n = sizeBytes(insnSize(i.code));
      if (insnMode(i.code) === BPF_MEM) return v1(`Stores the low ${n} byte(s) of r${i.src} at ${at(i.dst, i.off)}.`);
      if (insnMode(i.code) !== BPF_ATOMIC) return v1('An undefined store.');
      const w = insnSize(i.code) === BPF_DW ? '' : ' (32-bit)';
      if (i.imm === BPF_LOAD_ACQ) return { text: `Loads ${n} byte(s) at ${at(i.src, i.off)} into r${i.dst} with acquire ordering.`, version: 'v4', kernel: '6.15' };
      if (i.imm === BPF_STORE_REL) return { text: `Stores the low ${n} byte(s) of r${i.src} at ${at(i.dst, i.off)} with release ordering.`, version: 'v4', kernel: '6.15' };
      if (i.imm === BPF_XCHG) return { text: `Atomically exchanges r${i.src} with the ${n} bytes at ${at(i.dst, i.off)}${w}.`, version: 'v3', kernel: '5.12' };
      if (i.imm === BPF_CMPXCHG) return { text: `Atomically: if the ${n} bytes at ${at(i.dst, i.off)} equal r0, replaces them with r${i.src}; r0 gets the old value${w}.`, version: 'v3', kernel: '5.12' };
      const verb = ATOMIC_WORDS[i.imm & ~BPF_FETCH] ?? 'changes';
      if (i.imm & BPF_FETCH) return { text: `Atomically ${verb.toLowerCase()} r${i.src} into the ${n} bytes at ${at(i.dst, i.off)}; r${i.src} gets the old value${w}.`, version: 'v3', kernel: '5.12' };
      const old = (i.imm & ~BPF_FETCH) === 0;
      return { text: `Atomically ${verb.toLowerCase()} r${i.src} into the ${n} bytes at ${at(i.dst, i.off)}${w}.`, version: old ? 'v1' : 'v3', kernel: old ? '3.18' : '5.12' };
    }
  }
  return v1('An undefined instruction.');
}

