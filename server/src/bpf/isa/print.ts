// Two printers for BPF instructions:
// - printInsnLlvm: LLVM's assembly syntax, exactly as llvm-objdump -d prints it (and as clang's
//   inline asm and our assembler accept it);
// - printInsnKernel: the verifier log's syntax (kernel/bpf/disasm.c), `(bf) r6 = r1`.
// Both take the whole instruction array and an index, because LD_IMM64 spans two slots.
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_B, BPF_CALL, BPF_CMPXCHG, BPF_DIV, BPF_DW,
  BPF_END, BPF_EXIT, BPF_FETCH, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JCOND, BPF_JMP, BPF_JMP32,
  BPF_LD, BPF_LDX, BPF_LOAD_ACQ, BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_NEG, BPF_PSEUDO_BTF_ID,
  BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_IDX,
  BPF_PSEUDO_MAP_IDX_VALUE, BPF_PSEUDO_MAP_VALUE, BPF_ST, BPF_STORE_REL, BPF_STX, BPF_TO_BE, BPF_W,
  BPF_X, BPF_XCHG, insnClass, insnMode, insnOp, insnSize, insnSrc,
} from './opcodes';
import { Insn, LD_IMM64, imm64 } from './insn';
import { helperName } from './helper-ids';

const ALU_OPS: Record<number, string> = {
  0x00: '+=', 0x10: '-=', 0x20: '*=', 0x30: '/=', 0x40: '|=', 0x50: '&=', 0x60: '<<=', 0x70: '>>=',
  0x90: '%=', 0xa0: '^=', 0xb0: '=', 0xc0: 's>>=',
};
const JMP_OPS: Record<number, string> = {
  0x10: '==', 0x20: '>', 0x30: '>=', 0x40: '&', 0x50: '!=', 0x60: 's>', 0x70: 's>=', 0xa0: '<',
  0xb0: '<=', 0xc0: 's<', 0xd0: 's<=',
};
const ATOMIC_ALU: Record<number, [string, string]> = {
  0x00: ['+=', 'add'], 0x40: ['|=', 'or'], 0x50: ['&=', 'and'], 0xa0: ['^=', 'xor'],
};
const SIZE_NAME: Record<number, string> = { [BPF_W]: 'u32', [BPF_H]: 'u16', [BPF_B]: 'u8', [BPF_DW]: 'u64' };
const SSIZE_NAME: Record<number, string> = { [BPF_W]: 's32', [BPF_H]: 's16', [BPF_B]: 's8' };

/** Signed hex as LLVM prints immediates: 0x1f, -0x8. */
export function hex(v: number | bigint): string {
  if (typeof v === 'bigint') return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
  return v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

function signedImm64(insns: readonly Insn[], idx: number): bigint {
  return BigInt.asIntN(64, imm64(insns[idx], insns[idx + 1]));
}

export interface LlvmPrintOptions {
  /**
   * Use `w` registers for 32-bit loads, stores and atomics, as llvm-objdump does with
   * --mcpu=v3/v4 (the alu32 feature). Off by default, like llvm-objdump's default CPU.
   */
  alu32?: boolean;
  /** Names a jump target (an instruction index) for the ` <name>` suffix, as objdump does. */
  targetName?: (targetIdx: number) => string | undefined;
}

function memRef(base: number, off: number): string {
  return off < 0 ? `r${base} - ${hex(-off)}` : `r${base} + ${hex(off)}`;
}

/** One instruction in LLVM syntax; `<unknown>` for an encoding LLVM does not define. */
export function printInsnLlvm(insns: readonly Insn[], idx: number, opts: LlvmPrintOptions = {}): string {
  const ins = insns[idx];
  if (!ins) return '<unknown>';
  const cls = insnClass(ins.code);
  const op = insnOp(ins.code);
  const x = insnSrc(ins.code) === BPF_X;
  const dst = ins.dst;
  const src = ins.src;
  const withTarget = (rel: number): string => {
    const text = rel < 0 ? `-${hex(-rel)}` : `+${hex(rel)}`;
    const name = opts.targetName?.(idx + 1 + rel);
    return name !== undefined ? `${text} <${name}>` : text;
  };
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64: {
      const r = cls === BPF_ALU64 ? 'r' : 'w';
      if (op === BPF_END) {
        if (cls === BPF_ALU64) {
          if (x) return '<unknown>';
          return `r${dst} = bswap${ins.imm} r${dst}`;
        }
        return `r${dst} = ${x ? 'be' : 'le'}${ins.imm} r${dst}`;
      }
      if (op === BPF_NEG) return `${r}${dst} = -${r}${dst}`;
      let sym = ALU_OPS[op];
      if (sym === undefined) return '<unknown>';
      if ((op === BPF_DIV || op === BPF_MOD) && ins.off === 1) sym = `s${sym}`;
      if (cls === BPF_ALU64 && op === BPF_MOV && x && ins.off === 1) {
        return `r${dst} = addr_space_cast(r${src}, ${hex(ins.imm >>> 16)}, ${hex(ins.imm & 0xffff)})`;
      }
      if (op === BPF_MOV && x && (ins.off === 8 || ins.off === 16 || ins.off === 32)) {
        return `${r}${dst} = (s${ins.off})${r}${src}`;
      }
      return x ? `${r}${dst} ${sym} ${r}${src}` : `${r}${dst} ${sym} ${hex(ins.imm)}`;
    }
    case BPF_JMP:
    case BPF_JMP32: {
      const r = cls === BPF_JMP32 ? 'w' : 'r';
      if (op === BPF_JA) return cls === BPF_JMP ? `goto ${withTarget(ins.off)}` : `gotol ${withTarget(ins.imm)}`;
      if (op === BPF_CALL) {
        if (cls === BPF_JMP32) return '<unknown>';
        return x ? `callx r${dst}` : `call ${hex(ins.imm)}`;
      }
      if (op === BPF_EXIT) return cls === BPF_JMP ? 'exit' : '<unknown>';
      if (op === BPF_JCOND) return cls === BPF_JMP ? `may_goto ${withTarget(ins.off)}` : '<unknown>';
      const sym = JMP_OPS[op];
      if (sym === undefined) return '<unknown>';
      const rhs = x ? `${r}${src}` : hex(ins.imm);
      return `if ${r}${dst} ${sym} ${rhs} goto ${withTarget(ins.off)}`;
    }
    case BPF_LD: {
      const mode = insnMode(ins.code);
      const size = insnSize(ins.code);
      if (ins.code === LD_IMM64) {
        if (src === 0) return `r${dst} = ${hex(signedImm64(insns, idx))} ll`;
        return `ld_pseudo\tr${dst}, ${hex(src)}, ${hex(ins.imm >>> 0)}`;
      }
      if (size === BPF_DW) return '<unknown>';
      if (mode === BPF_ABS) return `r0 = *(${SIZE_NAME[size]} *)skb[${hex(ins.imm)}]`;
      if (mode === BPF_IND) return `r0 = *(${SIZE_NAME[size]} *)skb[r${src}]`;
      return '<unknown>';
    }
    case BPF_LDX: {
      const mode = insnMode(ins.code);
      const size = insnSize(ins.code);
      if (mode === BPF_MEM) {
        const r = size !== BPF_DW && opts.alu32 ? 'w' : 'r';
        return `${r}${dst} = *(${SIZE_NAME[size]} *)(${memRef(src, ins.off)})`;
      }
      if (mode === BPF_MEMSX && size !== BPF_DW) return `r${dst} = *(${SSIZE_NAME[size]} *)(${memRef(src, ins.off)})`;
      return '<unknown>';
    }
    case BPF_ST: {
      if (insnMode(ins.code) !== BPF_MEM) return '<unknown>';
      return `*(${SIZE_NAME[insnSize(ins.code)]} *)(${memRef(dst, ins.off)}) = ${hex(ins.imm)}`;
    }
    case BPF_STX: {
      const mode = insnMode(ins.code);
      const size = insnSize(ins.code);
      const sname = SIZE_NAME[size];
      const r = size !== BPF_DW && opts.alu32 ? 'w' : 'r';
      if (mode === BPF_MEM) return `*(${sname} *)(${memRef(dst, ins.off)}) = ${r}${src}`;
      if (mode !== BPF_ATOMIC) return '<unknown>';
      const ref = memRef(dst, ins.off);
      // load-acquire is the one atomic whose dst is the destination and src the base.
      if (ins.imm === BPF_LOAD_ACQ) return `${r}${dst} = load_acquire((${sname} *)(${memRef(src, ins.off)}))`;
      if (ins.imm === BPF_STORE_REL) return `store_release((${sname} *)(${ref}), ${r}${src})`;
      if (size !== BPF_W && size !== BPF_DW) return '<unknown>';
      // 32-bit atomics other than add use w registers even without alu32 (LLVM can't decode
      // them then; printing the only form the assembler accepts keeps the output readable).
      const ra = size === BPF_W && (opts.alu32 || ins.imm !== 0) ? 'w' : 'r';
      // LLVM decodes atomics by the operation bits (7..4) and the fetch bit only; other imm bits
      // are ignored, so print what llvm-objdump prints (the validator reports such encodings).
      const aop = ins.imm & 0xf0;
      const fetch = (ins.imm & BPF_FETCH) !== 0;
      const alu = ATOMIC_ALU[aop];
      if (alu && !fetch) return `lock *(${sname} *)(${ref}) ${alu[0]} ${ra}${src}`;
      if (alu) return `${ra}${src} = atomic_fetch_${alu[1]}((${sname} *)(${ref}), ${ra}${src})`;
      const suffix = size === BPF_DW ? '_64' : '32_32';
      if (aop === (BPF_XCHG & 0xf0) && fetch) return `${ra}${src} = xchg${suffix}(${ref}, ${ra}${src})`;
      if (aop === (BPF_CMPXCHG & 0xf0) && fetch) return `${ra}0 = cmpxchg${suffix}(${ref}, ${ra}0, ${ra}${src})`;
      return '<unknown>';
    }
  }
  return '<unknown>';
}

export interface KernelPrintOptions {
  /** Names a call target like the kernel's cb_call (kfunc names from BTF, subprog labels). */
  callName?: (insn: Insn) => string | undefined;
  /** Prints an LD_IMM64 value like cb_imm (e.g. `map[id:3]`); default `0x<hex>`. */
  immName?: (insn: Insn, imm: bigint) => string | undefined;
  /** The kernel zeroes pointer immediates unless pointer leaks are allowed. Default true. */
  allowPtrLeaks?: boolean;
}

const KJMP_OPS: Record<number, string> = { ...JMP_OPS, 0x00: 'jmp', 0x80: 'call', 0x90: 'exit' };
const KALU_OPS: Record<number, string> = { ...ALU_OPS, 0x80: 'neg', 0xd0: 'endian' };
const KATOMIC: Record<number, string> = { 0x00: 'add', 0x50: 'and', 0x40: 'or', 0xa0: 'xor' };

const plus = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
const hex2 = (code: number): string => code.toString(16).padStart(2, '0');

/**
 * One instruction as the kernel verifier log prints it (without the leading `idx: ` and without
 * the trailing newline): `(bf) r6 = r1`, `(85) call bpf_map_lookup_elem#1`.
 */
export function printInsnKernel(insns: readonly Insn[], idx: number, opts: KernelPrintOptions = {}): string {
  const ins = insns[idx];
  if (!ins) return '';
  const c = `(${hex2(ins.code)})`;
  const cls = insnClass(ins.code);
  const op = insnOp(ins.code);
  const x = insnSrc(ins.code) === BPF_X;
  const { dst, src, off, imm } = ins;
  if (cls === BPF_ALU || cls === BPF_ALU64) {
    const r = cls === BPF_ALU ? 'w' : 'r';
    if (op === BPF_END) {
      if (cls === BPF_ALU64) return `${c} r${dst} = bswap${imm} r${dst}`;
      return `${c} r${dst} = ${insnSrc(ins.code) === BPF_TO_BE ? 'be' : 'le'}${imm} r${dst}`;
    }
    if (op === BPF_NEG) return `${c} ${r}${dst} = -${r}${dst}`;
    if (ins.code === (BPF_ALU64 | BPF_MOV | BPF_X) && off === 1) {
      return `${c} r${dst} = addr_space_cast(r${src}, ${imm >>> 16}, ${imm & 0xffff})`;
    }
    if (ins.code === (BPF_ALU64 | BPF_MOV | BPF_X) && off === -1) return `${c} r${dst} = &(void __percpu *)(r${src})`;
    const sdiv = (op === BPF_DIV || op === BPF_MOD) && off === 1;
    const sym = sdiv ? `s${ALU_OPS[op]}` : (KALU_OPS[op] ?? '(null)');
    if (x) {
      const movsx = op === BPF_MOV && (off === 8 || off === 16 || off === 32) ? `(s${off})` : '';
      return `${c} ${r}${dst} ${sym} ${movsx}${r}${src}`;
    }
    return `${c} ${r}${dst} ${sym} ${imm}`;
  }
  if (cls === BPF_STX) {
    const mode = insnMode(ins.code);
    const size = insnSize(ins.code);
    const sname = SIZE_NAME[size];
    const w = size === BPF_DW ? '64' : '';
    if (mode === BPF_MEM) return `${c} *(${sname} *)(r${dst} ${plus(off)}) = r${src}`;
    if (mode === BPF_ATOMIC) {
      const a = KATOMIC[imm & ~BPF_FETCH];
      if (a && (imm & BPF_FETCH) === 0 && (imm & 0xf) === 0) {
        return `${c} lock *(${sname} *)(r${dst} ${plus(off)}) ${ALU_OPS[imm]} r${src}`;
      }
      if (a && imm === ((imm & ~BPF_FETCH) | BPF_FETCH)) {
        return `${c} r${src} = atomic${w}_fetch_${a}((${sname} *)(r${dst} ${plus(off)}), r${src})`;
      }
      if (imm === BPF_CMPXCHG) return `${c} r0 = atomic${w}_cmpxchg((${sname} *)(r${dst} ${plus(off)}), r0, r${src})`;
      if (imm === BPF_XCHG) return `${c} r${src} = atomic${w}_xchg((${sname} *)(r${dst} ${plus(off)}), r${src})`;
      if (imm === BPF_LOAD_ACQ) return `${c} r${dst} = load_acquire((${sname} *)(r${src} ${plus(off)}))`;
      if (imm === BPF_STORE_REL) return `${c} store_release((${sname} *)(r${dst} ${plus(off)}), r${src})`;
    }
    return `BUG_${hex2(ins.code)}`;
  }
  if (cls === BPF_ST) {
    const mode = insnMode(ins.code);
    if (mode === BPF_MEM) return `${c} *(${SIZE_NAME[insnSize(ins.code)]} *)(r${dst} ${plus(off)}) = ${imm}`;
    if (mode === 0xc0) return `${c} nospec`;
    return `BUG_st_${hex2(ins.code)}`;
  }
  if (cls === BPF_LDX) {
    const mode = insnMode(ins.code);
    if (mode !== BPF_MEM && mode !== BPF_MEMSX) return `BUG_ldx_${hex2(ins.code)}`;
    const size = insnSize(ins.code);
    const sname = mode === BPF_MEM ? SIZE_NAME[size] : (SSIZE_NAME[size] ?? '(null)');
    return `${c} r${dst} = *(${sname} *)(r${src} ${plus(off)})`;
  }
  if (cls === BPF_LD) {
    const mode = insnMode(ins.code);
    const sname = SIZE_NAME[insnSize(ins.code)];
    if (mode === BPF_ABS) return `${c} r0 = *(${sname} *)skb[${imm}]`;
    if (mode === BPF_IND) return `${c} r0 = *(${sname} *)skb[r${src} + ${imm}]`;
    if (mode === BPF_IMM && insnSize(ins.code) === BPF_DW) {
      let v = imm64(ins, insns[idx + 1]);
      const isPtr = src === BPF_PSEUDO_MAP_FD || src === BPF_PSEUDO_MAP_VALUE || src === BPF_PSEUDO_MAP_IDX
        || src === BPF_PSEUDO_MAP_IDX_VALUE || src === BPF_PSEUDO_BTF_ID;
      if (isPtr && opts.allowPtrLeaks === false) v = 0n;
      const name = opts.immName?.(ins, v) ?? `0x${v.toString(16)}`;
      return `${c} r${dst} = ${name}`;
    }
    return `BUG_ld_${hex2(ins.code)}`;
  }
  // JMP / JMP32
  if (op === BPF_CALL) {
    if (src === BPF_PSEUDO_CALL) return `${c} call pc${opts.callName?.(ins) ?? plus(imm)}`;
    let name = src === 0 ? helperName(imm) : undefined;
    name ??= opts.callName?.(ins);
    name ??= src === BPF_PSEUDO_KFUNC_CALL ? 'kernel-function' : 'unknown';
    return `${c} call ${name}#${imm}`;
  }
  if (ins.code === (BPF_JMP | BPF_JA)) return `${c} goto pc${plus(off)}`;
  if (ins.code === (BPF_JMP | BPF_JCOND) && src === 0) return `${c} may_goto pc${plus(off)}`;
  if (ins.code === (BPF_JMP32 | BPF_JA)) return `${c} gotol pc${plus(imm)}`;
  if (ins.code === (BPF_JMP | BPF_EXIT)) return `${c} exit`;
  const r = cls === BPF_JMP32 ? 'w' : 'r';
  const sym = KJMP_OPS[op] ?? '(null)';
  if (x) return `${c} if ${r}${dst} ${sym} ${r}${src} goto pc${plus(off)}`;
  return `${c} if ${r}${dst} ${sym} 0x${(imm >>> 0).toString(16)} goto pc${plus(off)}`;
}
