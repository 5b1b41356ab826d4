// Encoding checks from the ISA document (RFC 9669) and the kernel's reserved-field checks:
// is each instruction a defined opcode, with its unused fields zero? This is the static part
// of what the kernel refuses before any abstract interpretation.
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_DIV, BPF_DW, BPF_END,
  BPF_EXIT, BPF_FETCH, BPF_IMM, BPF_IND, BPF_JA, BPF_JCOND, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX,
  BPF_LOAD_ACQ, BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_NEG, BPF_ST, BPF_STORE_REL, BPF_STX, BPF_W,
  BPF_X, BPF_XCHG, insnClass, insnMode, insnOp, insnSize, insnSrc,
} from './opcodes';
import type { Insn } from './insn';
import { LD_IMM64 } from './insn';

export interface InsnProblem {
  index: number;
  message: string;
}

const ATOMIC_ARITH = new Set([0x00, 0x40, 0x50, 0xa0]);

/** Why the instruction at idx is not a valid encoding, or undefined when it is. */
export function insnProblem(insns: readonly Insn[], idx: number): string | undefined {
  const i = insns[idx];
  const cls = insnClass(i.code);
  const op = insnOp(i.code);
  const x = insnSrc(i.code) === BPF_X;
  if (i.dst > 10) return `invalid dst register r${i.dst}`;
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64: {
      if (op > BPF_END) return `unknown ALU operation 0x${op.toString(16)}`;
      if (op === BPF_END) {
        if (cls === BPF_ALU64 && x) return 'BPF_END in ALU64 must use BPF_TO_LE (bswap)';
        if (i.src || i.off) return 'BPF_END uses reserved fields';
        if (i.imm !== 16 && i.imm !== 32 && i.imm !== 64) return `invalid byte-swap width ${i.imm}`;
        return undefined;
      }
      if (op === BPF_NEG) return x || i.src || i.off || i.imm ? 'BPF_NEG uses reserved fields' : undefined;
      if (x) {
        if (i.src > 10) return `invalid src register r${i.src}`;
        if (cls === BPF_ALU64 && op === BPF_MOV && i.off === 1) {
          // addr_space_cast converts between address spaces 0 and 1 only (arena pointers).
          return i.imm === 1 || i.imm === 0x10000 ? undefined : 'addr_space_cast converts only between address spaces 0 and 1';
        }
        if (i.imm) return 'BPF_ALU uses reserved fields (imm)';
        if (op === BPF_MOV) {
          const ok = i.off === 0 || i.off === 8 || i.off === 16 || (i.off === 32 && cls === BPF_ALU64);
          return ok ? undefined : 'invalid sign-extension width of mov';
        }
      } else if (i.src) return 'BPF_ALU uses reserved fields (src)';
      if (op === BPF_DIV || op === BPF_MOD) return i.off === 0 || i.off === 1 ? undefined : 'BPF_ALU uses reserved fields (off)';
      return i.off ? 'BPF_ALU uses reserved fields (off)' : undefined;
    }
    case BPF_JMP:
    case BPF_JMP32: {
      if (op === BPF_JA) {
        if (i.dst || i.src || x) return 'BPF_JA uses reserved fields';
        if (cls === BPF_JMP ? i.imm !== 0 : i.off !== 0) return 'BPF_JA uses reserved fields';
        return undefined;
      }
      if (op === BPF_CALL) {
        if (cls === BPF_JMP32) return 'BPF_CALL in JMP32 is undefined';
        if (x) return i.src || i.off || i.imm ? 'BPF_CALL|BPF_X uses reserved fields' : undefined;
        if (i.dst || i.off) return 'BPF_CALL uses reserved fields';
        return i.src <= 2 ? undefined : `invalid call kind (src ${i.src})`;
      }
      if (op === BPF_EXIT) {
        if (cls === BPF_JMP32) return 'BPF_EXIT in JMP32 is undefined';
        return x || i.dst || i.src || i.off || i.imm ? 'BPF_EXIT uses reserved fields' : undefined;
      }
      if (op === BPF_JCOND) {
        if (cls === BPF_JMP32 || x || i.dst || i.src || i.imm) return 'may_goto uses reserved fields';
        return undefined;
      }
      if (op > 0xd0) return `unknown jump operation 0x${op.toString(16)}`;
      if (x) return i.src > 10 ? `invalid src register r${i.src}` : i.imm ? 'BPF_JMP uses reserved fields (imm)' : undefined;
      return i.src ? 'BPF_JMP uses reserved fields (src)' : undefined;
    }
    case BPF_LD: {
      const mode = insnMode(i.code);
      if (i.code === LD_IMM64) {
        const hi = insns[idx + 1];
        if (!hi) return 'LD_IMM64 is missing its second slot';
        if (hi.code || hi.dst || hi.src || hi.off) return 'second slot of LD_IMM64 uses reserved fields';
        if (i.off) return 'LD_IMM64 uses reserved fields (off)';
        return i.src <= 6 ? undefined : `invalid LD_IMM64 pseudo source ${i.src}`;
      }
      if (mode === BPF_IMM) return 'BPF_LD|BPF_IMM needs size BPF_DW';
      if (mode !== BPF_ABS && mode !== BPF_IND) return `unknown BPF_LD mode 0x${mode.toString(16)}`;
      if (insnSize(i.code) === BPF_DW) return 'legacy packet loads take B, H or W';
      if (i.dst || i.off || (mode === BPF_ABS && i.src)) return 'BPF_LD_[ABS|IND] uses reserved fields';
      return undefined;
    }
    case BPF_LDX: {
      const mode = insnMode(i.code);
      if (mode !== BPF_MEM && !(mode === BPF_MEMSX && insnSize(i.code) !== BPF_DW)) return `unknown BPF_LDX mode 0x${mode.toString(16)}`;
      if (i.src > 10) return `invalid src register r${i.src}`;
      return i.imm ? 'BPF_LDX uses reserved fields (imm)' : undefined;
    }
    case BPF_ST: {
      if (insnMode(i.code) !== BPF_MEM) return `unknown BPF_ST mode 0x${insnMode(i.code).toString(16)}`;
      return i.src ? 'BPF_ST uses reserved fields (src)' : undefined;
    }
    case BPF_STX: {
      const mode = insnMode(i.code);
      if (i.src > 10) return `invalid src register r${i.src}`;
      if (mode === BPF_MEM) return i.imm ? 'BPF_STX uses reserved fields (imm)' : undefined;
      if (mode !== BPF_ATOMIC) return `unknown BPF_STX mode 0x${mode.toString(16)}`;
      const size = insnSize(i.code);
      if (i.imm === BPF_LOAD_ACQ || i.imm === BPF_STORE_REL) return undefined;
      if (size !== BPF_W && size !== BPF_DW) return 'atomic operations take W or DW';
      const base = i.imm & ~BPF_FETCH;
      if (ATOMIC_ARITH.has(base) || i.imm === BPF_XCHG || i.imm === BPF_CMPXCHG) return undefined;
      return `unknown atomic operation 0x${i.imm.toString(16)}`;
    }
  }
  return undefined;
}

/** Every invalid instruction of a program (the second slot of LD_IMM64 is skipped). */
export function validateInsns(insns: readonly Insn[]): InsnProblem[] {
  const out: InsnProblem[] = [];
  for (let i = 0; i < insns.length; i++) {
    const p = insnProblem(insns, i);
    if (p) out.push({ index: i, message: p });
    if (insns[i].code === LD_IMM64) i++;
  }
  return out;
}

