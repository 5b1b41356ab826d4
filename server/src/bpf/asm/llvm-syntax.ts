// LLVM's BPF assembly syntax, as llvm-objdump prints it and clang's inline asm accepts it:
//   r0 = *(u32 *)(r1 + 0x4)   if r1 > 0x5 goto +3   call 1   r1 = 0 ll   w0 = w1
//   lock *(u64 *)(r1 + 0) += r2   r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)   r0 = be16 r0
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_B, BPF_CALL, BPF_CMPXCHG, BPF_DW, BPF_END, BPF_EXIT,
  BPF_FETCH, BPF_H, BPF_IND, BPF_JA, BPF_JCOND, BPF_JMP, BPF_JMP32, BPF_K, BPF_LD, BPF_LDX,
  BPF_LOAD_ACQ, BPF_MEM, BPF_MEMSX, BPF_MOV, BPF_NEG, BPF_ST, BPF_STORE_REL, BPF_STX, BPF_TO_BE,
  BPF_TO_LE, BPF_W, BPF_X, BPF_XCHG,
} from '../isa/opcodes';
import { LD_IMM64, insn } from '../isa/insn';
import { Cursor, ParseError, Stmt, TargetRef, imm32, off16, s32 } from './cursor';
import type { Tok } from './lexer';

const ALU: Record<string, number> = {
  '+=': 0x00, '-=': 0x10, '*=': 0x20, '/=': 0x30, '|=': 0x40, '&=': 0x50, '<<=': 0x60, '>>=': 0x70,
  '%=': 0x90, '^=': 0xa0, 's>>=': 0xc0, 's/=': 0x30, 's%=': 0x90,
};
const JMP: Record<string, number> = {
  '==': 0x10, '>': 0x20, '>=': 0x30, '&': 0x40, '!=': 0x50, 's>': 0x60, 's>=': 0x70, '<': 0xa0,
  '<=': 0xb0, 's<': 0xc0, 's<=': 0xd0,
};
const USIZE: Record<string, number> = { u8: BPF_B, u16: BPF_H, u32: BPF_W, u64: BPF_DW };
const SSIZE: Record<string, number> = { s8: BPF_B, s16: BPF_H, s32: BPF_W };
const FETCH_OPS: Record<string, number> = { add: 0x00, or: 0x40, and: 0x50, xor: 0xa0 };

/** Words that start an LLVM-syntax statement (for completion and syntax detection). */
export const LLVM_KEYWORDS: readonly string[] = [
  'if', 'goto', 'gotol', 'may_goto', 'call', 'callx', 'exit', 'lock', 'll', 'be16', 'be32', 'be64',
  'le16', 'le32', 'le64', 'bswap16', 'bswap32', 'bswap64', 'atomic_fetch_add', 'atomic_fetch_or',
  'atomic_fetch_and', 'atomic_fetch_xor', 'xchg_64', 'xchg32_32', 'cmpxchg_64', 'cmpxchg32_32',
  'load_acquire', 'store_release', 'skb', 'ld_pseudo', 'addr_space_cast',
];

interface Reg { n: number; w: boolean; start: number; end: number }

function tryReg(t: Tok | undefined): Reg | undefined {
  if (!t || t.kind !== 'id') return undefined;
  const m = /^([rw])(\d+)$/.exec(t.text);
  if (!m) return undefined;
  return { n: Number(m[2]), w: m[1] === 'w', start: t.start, end: t.end };
}

function reg(c: Cursor, what = 'a register'): Reg {
  const t = c.peek();
  const r = tryReg(t);
  if (!r) {
    if (!t) throw new ParseError(c.lineEnd, c.lineEnd, `expected ${what} at end of line`);
    throw new ParseError(t.start, t.end, `expected ${what}, found '${t.text}'`);
  }
  // LLVM knows r11 (an internal register) and prints it when an object uses it; accept it so
  // listings re-assemble. The encoding validator reports it, as the kernel does.
  if (r.n > 11) throw new ParseError(r.start, r.end, `invalid register '${t!.text}' (r0..r10, w0..w10)`);
  c.pos++;
  return r;
}

/** `(rN + off)` or `(rN - off)` or `(rN)`; the opening paren already consumed when inner=false. */
function memRef(c: Cursor): { base: number; off: number } {
  const base = reg(c, 'a base register');
  if (base.w) throw new ParseError(base.start, base.end, 'a memory base must be an r register');
  let off = 0;
  if (c.isPunct('+') || c.isPunct('-')) {
    const neg = c.next('+/-').text === '-';
    const v = c.int('an offset');
    if (v.neg) throw new ParseError(v.start, v.end, 'write the offset as `- N` rather than a signed number');
    off = off16(neg ? -v.value : v.value, v.start, v.end);
  }
  return { base: base.n, off };
}

/** `(u32 *)` — returns the size field and whether it was signed. */
function sizeCast(c: Cursor): { size: number; signed: boolean; start: number; end: number } {
  const open = c.expectPunct('(');
  const t = c.next('a size (u8, u16, u32, u64)');
  const signed = t.kind === 'id' && SSIZE[t.text] !== undefined;
  const size = t.kind === 'id' ? (USIZE[t.text] ?? SSIZE[t.text]) : undefined;
  if (size === undefined) throw new ParseError(t.start, t.end, `expected a size (u8, u16, u32, u64), found '${t.text}'`);
  c.expectPunct('*');
  const close = c.expectPunct(')');
  return { size, signed, start: open.start, end: close.end };
}

/** `*(u32 *)(r1 + 4)` after the leading `*` was consumed. */
function deref(c: Cursor): { size: number; signed: boolean; base: number; off: number; sizeStart: number; sizeEnd: number } {
  const s = sizeCast(c);
  c.expectPunct('(');
  const m = memRef(c);
  c.expectPunct(')');
  return { size: s.size, signed: s.signed, base: m.base, off: m.off, sizeStart: s.start, sizeEnd: s.end };
}

function target(c: Cursor, field: 'off' | 'imm'): TargetRef {
  const t = c.peek();
  if (!t) throw new ParseError(c.lineEnd, c.lineEnd, 'expected a jump target at end of line');
  let ref: TargetRef;
  if (t.kind === 'id') {
    c.pos++;
    ref = { name: t.text, start: t.start, end: t.end, field, kind: 'jump' };
  } else {
    const v = c.int('a jump target');
    const rel = field === 'off' ? off16(v.value, v.start, v.end, 'jump offset') : s32(v.value, v.start, v.end, 'jump offset');
    ref = { rel, start: v.start, end: v.end, field, kind: 'jump' };
  }
  skipObjdumpTarget(c);
  return ref;
}

/** llvm-objdump appends ` <sym+0x10>` to jump targets: accept and ignore it. */
function skipObjdumpTarget(c: Cursor): void {
  if (!c.isPunct('<')) return;
  while (!c.atEnd() && !c.isPunct('>')) c.pos++;
  c.eatPunct('>');
}

function imm(c: Cursor): number {
  const v = c.int('an immediate');
  return imm32(v.value, v.start, v.end);
}

function sameWidth(a: Reg, b: Reg): void {
  if (a.w !== b.w) throw new ParseError(b.start, b.end, `register width mismatch: ${a.w ? 'w' : 'r'}${a.n} with ${b.w ? 'w' : 'r'}${b.n}`);
}

/** Parses one LLVM-syntax statement starting at the cursor. */
export function parseLlvmStmt(c: Cursor): Stmt {
  const t = c.peek()!;
  if (t.kind === 'id') {
    switch (t.text) {
      case 'exit': c.pos++; c.end(); return { insn: insn(BPF_JMP | BPF_EXIT) };
      case 'goto': case 'gotol': case 'may_goto': {
        c.pos++;
        const field = t.text === 'gotol' ? 'imm' : 'off';
        const tg = target(c, field);
        c.end();
        const code = t.text === 'goto' ? BPF_JMP | BPF_JA : t.text === 'gotol' ? BPF_JMP32 | BPF_JA : BPF_JMP | BPF_JCOND;
        return { insn: insn(code), target: tg };
      }
      case 'call': {
        c.pos++;
        const n = c.peek();
        if (n && n.kind === 'id') {
          c.pos++;
          skipObjdumpTarget(c);
          c.end();
          return { insn: insn(BPF_JMP | BPF_CALL), target: { name: n.text, start: n.start, end: n.end, field: 'imm', kind: 'call' } };
        }
        const v = c.int('a helper ID or function name');
        c.end();
        return { insn: insn(BPF_JMP | BPF_CALL, 0, 0, 0, imm32(v.value, v.start, v.end)) };
      }
      case 'callx': {
        c.pos++;
        const r = reg(c);
        c.end();
        return { insn: insn(BPF_JMP | BPF_CALL | BPF_X, r.n) };
      }
      case 'if': return parseIf(c);
      case 'lock': return parseLock(c);
      case 'store_release': return parseStoreRelease(c);
      case 'ld_pseudo': {
        c.pos++;
        const d = reg(c);
        c.expectPunct(',');
        const s = c.int('a pseudo source');
        if (s.value < 0n || s.value > 15n) throw new ParseError(s.start, s.end, 'pseudo source must be 0..15');
        c.expectPunct(',');
        const v = imm(c);
        c.end();
        return { insn: insn(LD_IMM64, d.n, Number(s.value), 0, v), hi: insn(0) };
      }
    }
    if (tryReg(t)) return parseAssign(c);
    throw new ParseError(t.start, t.end, `unknown instruction '${t.text}'`);
  }
  if (t.kind === 'punct' && t.text === '*') return parseStore(c);
  throw new ParseError(t.start, t.end, `unexpected '${t.text}' at the start of an instruction`);
}

function parseIf(c: Cursor): Stmt {
  c.pos++;
  const a = reg(c);
  const opTok = c.next('a comparison');
  const op = JMP[opTok.text];
  if (opTok.kind !== 'punct' || op === undefined) throw new ParseError(opTok.start, opTok.end, `expected a comparison (== != > >= < <= s> s>= s< s<= &), found '${opTok.text}'`);
  const cls = a.w ? BPF_JMP32 : BPF_JMP;
  let code = cls | op;
  let src = 0;
  let k = 0;
  const b = tryReg(c.peek());
  if (b) {
    reg(c);
    sameWidth(a, b);
    code |= BPF_X;
    src = b.n;
  } else k = imm(c);
  c.expectId('goto');
  const tg = target(c, 'off');
  c.end();
  return { insn: insn(code, a.n, src, 0, k), target: tg };
}

function parseStore(c: Cursor): Stmt {
  c.expectPunct('*');
  const d = deref(c);
  if (d.signed) throw new ParseError(d.sizeStart, d.sizeEnd, 'stores take an unsigned size (u8, u16, u32, u64)');
  c.expectPunct('=');
  const r = tryReg(c.peek());
  if (r) {
    reg(c);
    if (r.w && d.size === BPF_DW) throw new ParseError(r.start, r.end, 'a 64-bit store needs an r register');
    c.end();
    return { insn: insn(BPF_STX | BPF_MEM | d.size, d.base, r.n, d.off) };
  }
  const v = imm(c);
  c.end();
  return { insn: insn(BPF_ST | BPF_MEM | d.size, d.base, 0, d.off, v) };
}

function parseLock(c: Cursor): Stmt {
  c.pos++;
  c.expectPunct('*');
  const d = deref(c);
  if (d.size !== BPF_W && d.size !== BPF_DW) throw new ParseError(d.sizeStart, d.sizeEnd, 'atomic operations take u32 or u64');
  const opTok = c.next('an atomic operator (+= |= &= ^=)');
  const ops: Record<string, number> = { '+=': 0x00, '|=': 0x40, '&=': 0x50, '^=': 0xa0 };
  const op = ops[opTok.text];
  if (op === undefined || opTok.kind !== 'punct') throw new ParseError(opTok.start, opTok.end, `expected an atomic operator (+= |= &= ^=), found '${opTok.text}'`);
  const r = reg(c);
  c.end();
  return { insn: insn(BPF_STX | BPF_ATOMIC | d.size, d.base, r.n, d.off, op) };
}

function parseStoreRelease(c: Cursor): Stmt {
  c.pos++;
  c.expectPunct('(');
  const d = deref(c);
  c.expectPunct(',');
  const r = reg(c);
  c.expectPunct(')');
  c.end();
  return { insn: insn(BPF_STX | BPF_ATOMIC | d.size, d.base, r.n, d.off, BPF_STORE_REL) };
}

function parseAssign(c: Cursor): Stmt {
  const d = reg(c);
  const cls = d.w ? BPF_ALU : BPF_ALU64;
  const opTok = c.next('an operator');
  if (opTok.kind === 'punct' && opTok.text !== '=' && ALU[opTok.text] !== undefined) {
    const op = ALU[opTok.text];
    const off = opTok.text === 's/=' || opTok.text === 's%=' ? 1 : 0;
    const s = tryReg(c.peek());
    if (s) {
      reg(c);
      sameWidth(d, s);
      c.end();
      return { insn: insn(cls | op | BPF_X, d.n, s.n, off) };
    }
    const v = imm(c);
    c.end();
    return { insn: insn(cls | op | BPF_K, d.n, 0, off, v) };
  }
  if (opTok.kind !== 'punct' || opTok.text !== '=') throw new ParseError(opTok.start, opTok.end, `expected '=' or an operator like '+=', found '${opTok.text}'`);
  const t = c.peek();
  if (!t) throw new ParseError(c.lineEnd, c.lineEnd, 'expected a value after =');

  // r0 = *(u32 *)(r1 + 4)  |  r0 = *(u32 *)skb[4]
  if (t.kind === 'punct' && t.text === '*') {
    c.pos++;
    const s = sizeCast(c);
    if (c.isId('skb')) {
      c.pos++;
      c.expectPunct('[');
      if (s.signed || s.size === BPF_DW) throw new ParseError(s.start, s.end, 'packet loads take u8, u16 or u32');
      if (d.n !== 0 || d.w) throw new ParseError(d.start, d.end, 'packet loads (skb[...]) always write r0');
      const r = tryReg(c.peek());
      if (r) {
        reg(c);
        c.expectPunct(']');
        c.end();
        return { insn: insn(BPF_LD | BPF_IND | s.size, 0, r.n) };
      }
      const v = imm(c);
      c.expectPunct(']');
      c.end();
      return { insn: insn(BPF_LD | BPF_ABS | s.size, 0, 0, 0, v) };
    }
    c.expectPunct('(');
    const m = memRef(c);
    c.expectPunct(')');
    c.end();
    if (s.signed) {
      if (d.w) throw new ParseError(d.start, d.end, 'sign-extending loads write an r register');
      return { insn: insn(BPF_LDX | BPF_MEMSX | s.size, d.n, m.base, m.off) };
    }
    if (d.w && s.size === BPF_DW) throw new ParseError(d.start, d.end, 'a 64-bit load needs an r register');
    return { insn: insn(BPF_LDX | BPF_MEM | s.size, d.n, m.base, m.off) };
  }
  // r0 = -r0
  if (t.kind === 'punct' && t.text === '-' && tryReg(c.peek(1))) {
    c.pos++;
    const s = reg(c);
    sameWidth(d, s);
    if (s.n !== d.n) throw new ParseError(s.start, s.end, `negation works in place: write ${d.w ? 'w' : 'r'}${d.n} = -${d.w ? 'w' : 'r'}${d.n}`);
    c.end();
    return { insn: insn(cls | BPF_NEG | BPF_K, d.n) };
  }
  // r1 = (s8)r2
  if (t.kind === 'punct' && t.text === '(' && c.peek(1)?.kind === 'id' && /^s(8|16|32)$/.test(c.peek(1)!.text)) {
    c.pos++;
    const bits = Number(c.next('size').text.slice(1));
    c.expectPunct(')');
    const s = reg(c);
    sameWidth(d, s);
    if (d.w && bits === 32) throw new ParseError(t.start, s.end, '(s32) needs r registers');
    c.end();
    return { insn: insn(cls | BPF_MOV | BPF_X, d.n, s.n, bits) };
  }
  if (t.kind === 'id') {
    const end = /^(be|le|bswap)(16|32|64)$/.exec(t.text);
    if (end) {
      c.pos++;
      const s = reg(c);
      if (s.n !== d.n) throw new ParseError(s.start, s.end, `byte swaps work in place: write r${d.n} = ${t.text} r${d.n}`);
      c.end();
      const bits = Number(end[2]);
      if (end[1] === 'bswap') return { insn: insn(BPF_ALU64 | BPF_END | BPF_TO_LE, d.n, 0, 0, bits) };
      return { insn: insn(BPF_ALU | BPF_END | (end[1] === 'be' ? BPF_TO_BE : BPF_TO_LE), d.n, 0, 0, bits) };
    }
    const fetch = /^atomic_fetch_(add|or|and|xor)$/.exec(t.text);
    if (fetch) {
      c.pos++;
      c.expectPunct('(');
      const m = deref(c);
      c.expectPunct(',');
      const s = reg(c);
      c.expectPunct(')');
      c.end();
      if (s.n !== d.n) throw new ParseError(s.start, s.end, 'atomic_fetch_* returns into its source register');
      return { insn: insn(BPF_STX | BPF_ATOMIC | m.size, m.base, s.n, m.off, FETCH_OPS[fetch[1]] | BPF_FETCH) };
    }
    if (t.text === 'xchg_64' || t.text === 'xchg32_32' || t.text === 'cmpxchg_64' || t.text === 'cmpxchg32_32') {
      c.pos++;
      const size = t.text.endsWith('_64') ? BPF_DW : BPF_W;
      c.expectPunct('(');
      const m = memRef(c);
      c.expectPunct(',');
      if (t.text.startsWith('cmpxchg')) {
        const r0 = reg(c);
        if (r0.n !== 0 || d.n !== 0) throw new ParseError(r0.start, r0.end, 'cmpxchg compares with and returns r0');
        c.expectPunct(',');
      }
      const s = reg(c);
      c.expectPunct(')');
      c.end();
      if (!t.text.startsWith('cmpxchg') && s.n !== d.n) throw new ParseError(s.start, s.end, 'xchg returns into its source register');
      return { insn: insn(BPF_STX | BPF_ATOMIC | size, m.base, s.n, m.off, t.text.startsWith('cmpxchg') ? BPF_CMPXCHG : BPF_XCHG) };
    }
    if (t.text === 'addr_space_cast') {
      c.pos++;
      c.expectPunct('(');
      const s = reg(c);
      c.expectPunct(',');
      const dstAs = c.int('an address space');
      c.expectPunct(',');
      const srcAs = c.int('an address space');
      c.expectPunct(')');
      c.end();
      if (d.w || s.w) throw new ParseError(d.start, s.end, 'addr_space_cast works on r registers');
      for (const v of [dstAs, srcAs]) if (v.value < 0n || v.value > 0xffffn) throw new ParseError(v.start, v.end, 'address spaces are 0..65535');
      return { insn: insn(BPF_ALU64 | BPF_MOV | BPF_X, d.n, s.n, 1, Number((dstAs.value << 16n) | srcAs.value) | 0) };
    }
    if (t.text === 'load_acquire') {
      c.pos++;
      c.expectPunct('(');
      const m = deref(c);
      c.expectPunct(')');
      c.end();
      return { insn: insn(BPF_STX | BPF_ATOMIC | m.size, d.n, m.base, m.off, BPF_LOAD_ACQ) };
    }
    const s = tryReg(t);
    if (s) {
      reg(c);
      c.end();
      // clang -S prints the zero-extending move as `r1 = w3`; it is encoded as `w1 = w3`.
      if (!d.w && s.w) return { insn: insn(BPF_ALU | BPF_MOV | BPF_X, d.n, s.n) };
      sameWidth(d, s);
      return { insn: insn(cls | BPF_MOV | BPF_X, d.n, s.n) };
    }
    // r1 = map ll  (a symbol: relocated by the object writer or loader)
    if (t.text.startsWith('%[') && !c.isId('ll', 1)) return movImm(c, d, cls);
    c.pos++;
    if (!c.isId('ll')) throw new ParseError(t.start, t.end, `unknown value '${t.text}': a symbol load needs 'll' (r1 = ${t.text} ll)`);
    c.pos++;
    c.end();
    if (d.w) throw new ParseError(d.start, d.end, '64-bit loads need an r register');
    return { insn: insn(LD_IMM64, d.n), hi: insn(0), sym: { name: t.text, start: t.start, end: t.end } };
  }
  return movImm(c, d, cls);
}

/** `r1 = 5`, `r1 = 5 ll`. */
function movImm(c: Cursor, d: Reg, cls: number): Stmt {
  const v = c.int('a value');
  if (c.isId('ll')) {
    c.pos++;
    c.end();
    if (d.w) throw new ParseError(d.start, d.end, '64-bit loads need an r register');
    if (v.value < -(2n ** 63n) || v.value > 2n ** 64n - 1n) throw new ParseError(v.start, v.end, `immediate ${v.value} does not fit in 64 bits`);
    const u = BigInt.asUintN(64, v.value);
    return {
      insn: insn(LD_IMM64, d.n, 0, 0, Number(BigInt.asIntN(32, u))),
      hi: insn(0, 0, 0, 0, Number(BigInt.asIntN(32, u >> 32n))),
    };
  }
  c.end();
  return { insn: insn(cls | BPF_MOV | BPF_K, d.n, 0, 0, imm32(v.value, v.start, v.end)) };
}


