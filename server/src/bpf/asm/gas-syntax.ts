// The GAS/uBPF "normal" mnemonic syntax (GCC's BPF backend, the ISA conformance suite):
//   mov32 %r0, 1   ldxw %r0, [%r1+4]   stxdw [%r10-8], %r1   lddw %r0, 0x1122334455667788
//   jslt %r1, 5, label   ja +2   call 1   call local f   lock fetch add [%r10-8], %r1   be16 %r0
// Registers are written with or without `%`.
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_B, BPF_CALL, BPF_CMPXCHG, BPF_DW, BPF_END, BPF_EXIT,
  BPF_FETCH, BPF_H, BPF_IND, BPF_JA, BPF_JMP, BPF_JMP32, BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_MEMSX,
  BPF_MOV, BPF_NEG, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_ST, BPF_STX, BPF_TO_BE, BPF_TO_LE, BPF_W,
  BPF_X, BPF_XCHG,
} from '../isa/opcodes';
import { LD_IMM64, insn } from '../isa/insn';
import { Cursor, ParseError, Stmt, TargetRef, imm32, off16, s32 } from './cursor';
import type { Tok } from './lexer';

export const GAS_ALU_OPS: Record<string, number> = {
  add: 0x00, sub: 0x10, mul: 0x20, div: 0x30, sdiv: 0x30, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70,
  neg: 0x80, mod: 0x90, smod: 0x90, xor: 0xa0, mov: 0xb0, arsh: 0xc0,
};
export const GAS_JMP_OPS: Record<string, number> = {
  jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40, jne: 0x50, jsgt: 0x60, jsge: 0x70, jlt: 0xa0, jle: 0xb0,
  jslt: 0xc0, jsle: 0xd0,
};
const SIZES: Record<string, number> = { b: BPF_B, h: BPF_H, w: BPF_W, dw: BPF_DW };
const ATOMIC_OPS: Record<string, number> = { add: 0x00, or: 0x40, and: 0x50, xor: 0xa0, xchg: BPF_XCHG, cmpxchg: BPF_CMPXCHG };

/** Every mnemonic this front end knows (for completion and syntax detection). */
export const GAS_MNEMONICS: readonly string[] = (() => {
  const out: string[] = [];
  for (const op of Object.keys(GAS_ALU_OPS)) out.push(op, `${op}32`, `${op}64`);
  for (const w of ['16', '32', '64']) out.push(`be${w}`, `le${w}`, `swap${w}`, `bswap${w}`);
  out.push('movsx832', 'movsx1632', 'movsx864', 'movsx1664', 'movsx3264');
  for (const op of Object.keys(GAS_JMP_OPS)) out.push(op, `${op}32`);
  out.push('ja', 'ja32', 'jal', 'exit', 'call', 'callx', 'lddw', 'lock');
  for (const s of Object.keys(SIZES)) out.push(`ldx${s}`, `st${s}`, `stx${s}`, `ldabs${s}`, `ldind${s}`);
  out.push('ldxsb', 'ldxsh', 'ldxsw');
  return out;
})();

const GAS_SET = new Set(GAS_MNEMONICS);
export const isGasMnemonic = (m: string): boolean => GAS_SET.has(m.toLowerCase());

/** A register operand: `%r3` or `r3`. */
function reg(c: Cursor): number {
  const first = c.peek();
  if (!first) throw new ParseError(c.lineEnd, c.lineEnd, 'expected a register at end of line');
  const pct = c.eatPunct('%');
  const t = c.peek();
  if (!t || t.kind !== 'id') {
    const at = t ?? first;
    throw new ParseError(at.start, at.end, `expected a register, found '${t ? t.text : 'end of line'}'`);
  }
  const m = /^r(\d+)$/i.exec(t.text);
  if (!m) throw new ParseError(first.start, t.end, `invalid register '${pct ? '%' : ''}${t.text}'`);
  const n = Number(m[1]);
  if (n > 10) throw new ParseError(first.start, t.end, `invalid register '${pct ? '%' : ''}${t.text}' (r0..r10)`);
  c.pos++;
  return n;
}

function isReg(c: Cursor): boolean {
  const k = c.isPunct('%') ? 1 : 0;
  const t = c.peek(k);
  return !!t && t.kind === 'id' && /^r\d+$/i.test(t.text);
}

function comma(c: Cursor): void {
  c.expectPunct(',');
}

/** GAS immediates: decimal must fit int32; hex may be written unsigned up to 0xffffffff. */
function gasImm(c: Cursor): number {
  const v = c.int('an immediate');
  if (!v.hex && (v.value < -(2n ** 31n) || v.value > 2n ** 31n - 1n)) {
    throw new ParseError(v.start, v.end, `immediate ${v.value} does not fit in a signed 32-bit field`);
  }
  return imm32(v.value, v.start, v.end);
}

/** `[%rN]`, `[%rN+off]`, `[%rN-off]`. */
function mem(c: Cursor): { base: number; off: number } {
  c.expectPunct('[');
  const base = reg(c);
  let off = 0;
  if (c.isPunct('+') || c.isPunct('-')) {
    const v = c.int('an offset');
    if (v.hex && !v.neg && v.value <= 0xffffn) off = Number(BigInt.asIntN(16, v.value));
    else off = off16(v.value, v.start, v.end);
  }
  c.expectPunct(']');
  return { base, off };
}

function target(c: Cursor, field: 'off' | 'imm', kind: 'jump' | 'call'): TargetRef {
  const t = c.peek();
  if (!t) throw new ParseError(c.lineEnd, c.lineEnd, 'expected a jump target at end of line');
  if (t.kind === 'id') {
    c.pos++;
    return { name: t.text, start: t.start, end: t.end, field, kind };
  }
  const v = c.int('a jump target');
  const rel = field === 'off' ? off16(v.value, v.start, v.end, 'jump offset') : s32(v.value, v.start, v.end, 'jump offset');
  return { rel, start: v.start, end: v.end, field, kind };
}

function classAndOp(m: string): { cls: number; base: string } {
  if (m.endsWith('32')) return { cls: BPF_ALU, base: m.slice(0, -2) };
  if (m.endsWith('64')) return { cls: BPF_ALU64, base: m.slice(0, -2) };
  return { cls: BPF_ALU64, base: m };
}

/** Parses the operands of one GAS statement whose mnemonic token is `mt` (already consumed). */
export function parseGasStmt(c: Cursor, mt: Tok): Stmt {
  const m = mt.text.toLowerCase();
  const bad = (): never => { throw new ParseError(mt.start, mt.end, `unknown mnemonic '${mt.text}'`); };

  if (m === 'exit') { c.end(); return { insn: insn(BPF_JMP | BPF_EXIT) }; }
  if (m === 'lock') return parseLock(c, mt);
  if (m === 'lddw') {
    const dst = reg(c);
    comma(c);
    const t = c.peek();
    if (t && t.kind === 'id') {
      c.pos++;
      c.end();
      return { insn: insn(LD_IMM64, dst), hi: insn(0), sym: { name: t.text, start: t.start, end: t.end } };
    }
    const v = c.int('a 64-bit immediate');
    if (v.value < -(2n ** 63n) || v.value > 2n ** 64n - 1n) throw new ParseError(v.start, v.end, `immediate ${v.value} does not fit in 64 bits`);
    c.end();
    const u = BigInt.asUintN(64, v.value);
    return {
      insn: insn(LD_IMM64, dst, 0, 0, Number(BigInt.asIntN(32, u))),
      hi: insn(0, 0, 0, 0, Number(BigInt.asIntN(32, u >> 32n))),
    };
  }
  if (m === 'ja' || m === 'ja32' || m === 'jal') {
    const field = m === 'ja' ? 'off' : 'imm';
    const tg = target(c, field, 'jump');
    c.end();
    return { insn: insn(m === 'ja' ? BPF_JMP | BPF_JA : BPF_JMP32 | BPF_JA), target: tg };
  }
  if (m === 'callx') {
    const r = reg(c);
    c.end();
    return { insn: insn(BPF_JMP | BPF_CALL | BPF_X, r) };
  }
  if (m === 'call') {
    if (isReg(c)) {
      const r = reg(c);
      c.end();
      return { insn: insn(BPF_JMP | BPF_CALL | BPF_X, r) };
    }
    const t = c.peek();
    if (t && t.kind === 'id' && (t.text === 'local' || t.text === 'helper' || t.text === 'runtime') && c.peek(1)) {
      c.pos++;
      if (t.text === 'local') {
        const tg = target(c, 'imm', 'call');
        c.end();
        return { insn: insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL), target: tg };
      }
      const v = gasImm(c);
      c.end();
      return { insn: insn(BPF_JMP | BPF_CALL, 0, t.text === 'runtime' ? BPF_PSEUDO_KFUNC_CALL : 0, 0, v) };
    }
    if (t && t.kind === 'id') {
      c.pos++;
      c.end();
      // A helper name, a label, or an extern (kfunc): resolved by the assembler.
      return { insn: insn(BPF_JMP | BPF_CALL), target: { name: t.text, start: t.start, end: t.end, field: 'imm', kind: 'call' } };
    }
    const v = gasImm(c);
    c.end();
    return { insn: insn(BPF_JMP | BPF_CALL, 0, 0, 0, v) };
  }
  const jm = /^(j[a-z]+?)(32)?$/.exec(m);
  if (jm && GAS_JMP_OPS[jm[1]] !== undefined) {
    const cls = jm[2] ? BPF_JMP32 : BPF_JMP;
    const dst = reg(c);
    comma(c);
    let code = cls | GAS_JMP_OPS[jm[1]];
    let src = 0;
    let imm = 0;
    if (isReg(c)) { src = reg(c); code |= BPF_X; } else imm = gasImm(c);
    comma(c);
    const tg = target(c, 'off', 'jump');
    c.end();
    return { insn: insn(code, dst, src, 0, imm), target: tg };
  }
  const ld = /^(ldx|stx|st|ldabs|ldind)(s?)(b|h|w|dw)$/.exec(m);
  if (ld) {
    const [, kind, signed, sz] = ld;
    const size = SIZES[sz];
    if (signed && (kind !== 'ldx' || sz === 'dw')) bad();
    if (kind === 'ldx') {
      const dst = reg(c);
      comma(c);
      const a = mem(c);
      c.end();
      return { insn: insn(BPF_LDX | (signed ? BPF_MEMSX : BPF_MEM) | size, dst, a.base, a.off) };
    }
    if (kind === 'st') {
      const a = mem(c);
      comma(c);
      const v = gasImm(c);
      c.end();
      return { insn: insn(BPF_ST | BPF_MEM | size, a.base, 0, a.off, v) };
    }
    if (kind === 'stx') {
      const a = mem(c);
      comma(c);
      const src = reg(c);
      c.end();
      return { insn: insn(BPF_STX | BPF_MEM | size, a.base, src, a.off) };
    }
    if (kind === 'ldabs') {
      const v = gasImm(c);
      c.end();
      return { insn: insn(BPF_LD | BPF_ABS | size, 0, 0, 0, v) };
    }
    const src = reg(c);
    comma(c);
    const v = gasImm(c);
    c.end();
    return { insn: insn(BPF_LD | BPF_IND | size, 0, src, 0, v) };
  }
  const end = /^(be|le|swap|bswap)(16|32|64)$/.exec(m);
  if (end) {
    const dst = reg(c);
    c.end();
    const bits = Number(end[2]);
    if (end[1] === 'be') return { insn: insn(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, bits) };
    if (end[1] === 'le') return { insn: insn(BPF_ALU | BPF_END | BPF_TO_LE, dst, 0, 0, bits) };
    return { insn: insn(BPF_ALU64 | BPF_END | BPF_TO_LE, dst, 0, 0, bits) };
  }
  const sx = /^movsx(8|16|32)(32|64)$/.exec(m);
  if (sx) {
    const from = Number(sx[1]);
    const cls = sx[2] === '32' ? BPF_ALU : BPF_ALU64;
    if (from === 32 && cls === BPF_ALU) bad();
    const dst = reg(c);
    comma(c);
    const src = reg(c);
    c.end();
    return { insn: insn(cls | BPF_MOV | BPF_X, dst, src, from) };
  }
  const { cls, base } = classAndOp(m);
  const op = GAS_ALU_OPS[base];
  if (op === undefined) return bad();
  const dst = reg(c);
  const off = base === 'sdiv' || base === 'smod' ? 1 : 0;
  if (op === BPF_NEG) {
    c.end();
    return { insn: insn(cls | BPF_NEG | BPF_K, dst) };
  }
  comma(c);
  if (isReg(c)) {
    const src = reg(c);
    c.end();
    return { insn: insn(cls | op | BPF_X, dst, src, off) };
  }
  const v = gasImm(c);
  c.end();
  return { insn: insn(cls | op | BPF_K, dst, 0, off, v) };
}

/** `lock [fetch] op[32] [%rD+off], %rS`. */
function parseLock(c: Cursor, mt: Tok): Stmt {
  const rest = c.toks.slice(c.pos);
  const hasComma = rest.some((t) => t.kind === 'punct' && t.text === ',');
  const hasMem = rest.some((t) => t.kind === 'punct' && t.text === '[');
  if (!hasComma || !hasMem) {
    const endCol = rest.length ? rest[rest.length - 1].end : mt.end;
    throw new ParseError(mt.start, endCol, 'invalid number of operands for lock: expected lock [fetch] OP [%rD+off], %rS');
  }
  const fetch = c.isId('fetch');
  if (fetch) c.pos++;
  const opTok = c.next('an atomic operation');
  const om = /^(add|or|and|xor|xchg|cmpxchg)(32|64)?$/.exec(opTok.kind === 'id' ? opTok.text.toLowerCase() : '');
  if (!om) throw new ParseError(opTok.start, opTok.end, `unknown atomic operation '${opTok.text}' (add, or, and, xor, xchg, cmpxchg)`);
  const size = om[2] === '32' ? BPF_W : BPF_DW;
  let imm = ATOMIC_OPS[om[1]];
  if (fetch) {
    if (om[1] === 'xchg' || om[1] === 'cmpxchg') throw new ParseError(opTok.start, opTok.end, `'${om[1]}' always fetches: drop 'fetch'`);
    imm |= BPF_FETCH;
  }
  const a = mem(c);
  comma(c);
  const src = reg(c);
  c.end();
  return { insn: insn(BPF_STX | BPF_ATOMIC | size, a.base, src, a.off, imm) };
}
