// A cursor over one line's tokens, shared by the two syntax front ends, and the statement they
// produce: one instruction (two slots for LD_IMM64) plus the names it refers to.
import type { Insn } from '../isa/insn';
import type { Tok } from './lexer';

export class ParseError extends Error {
  constructor(readonly start: number, readonly end: number, message: string) {
    super(message);
  }
}

export interface TargetRef {
  /** Label name, or undefined for a numeric relative target. */
  name?: string;
  rel?: number;
  start: number;
  end: number;
  field: 'off' | 'imm';
  kind: 'jump' | 'call';
}

export interface Stmt {
  insn: Insn;
  /** Second slot of LD_IMM64. */
  hi?: Insn;
  target?: TargetRef;
  /** Symbol loaded by LD_IMM64 (`r1 = map ll`, `lddw r1, map`). */
  sym?: { name: string; start: number; end: number };
}

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
export const UINT32_MAX = 2 ** 32 - 1;

/** Resolves a C inline-asm operand (`%[name]`): a constant, or the name of a symbol. */
export type OperandResolver = (name: string) => bigint | string | undefined;

export class Cursor {
  pos = 0;
  constructor(readonly toks: Tok[], readonly lineEnd: number, readonly operand?: OperandResolver) {}

  peek(k = 0): Tok | undefined {
    return this.toks[this.pos + k];
  }

  atEnd(): boolean {
    return this.pos >= this.toks.length;
  }

  next(what: string): Tok {
    const t = this.toks[this.pos];
    if (!t) throw new ParseError(this.lineEnd, this.lineEnd, `expected ${what} at end of line`);
    this.pos++;
    return t;
  }

  isPunct(text: string, k = 0): boolean {
    const t = this.peek(k);
    return !!t && t.kind === 'punct' && t.text === text;
  }

  isId(text?: string, k = 0): boolean {
    const t = this.peek(k);
    return !!t && t.kind === 'id' && (text === undefined || t.text === text);
  }

  eatPunct(text: string): boolean {
    if (this.isPunct(text)) { this.pos++; return true; }
    return false;
  }

  expectPunct(text: string): Tok {
    const t = this.peek();
    if (!t) throw new ParseError(this.lineEnd, this.lineEnd, `expected '${text}' at end of line`);
    if (t.kind !== 'punct' || t.text !== text) throw new ParseError(t.start, t.end, `expected '${text}', found '${t.text}'`);
    this.pos++;
    return t;
  }

  expectId(text: string): Tok {
    const t = this.peek();
    if (!t) throw new ParseError(this.lineEnd, this.lineEnd, `expected '${text}' at end of line`);
    if (t.kind !== 'id' || t.text !== text) throw new ParseError(t.start, t.end, `expected '${text}', found '${t.text}'`);
    this.pos++;
    return t;
  }

  /** Fails if tokens remain. */
  end(): void {
    const t = this.peek();
    if (t) throw new ParseError(t.start, this.toks[this.toks.length - 1].end, `unexpected '${t.text}' after the instruction`);
  }

  /** A signed integer literal: [+|-] number. Returns value and span. */
  int(what = 'a number'): { value: bigint; start: number; end: number; hex: boolean; neg: boolean } {
    const first = this.peek();
    if (!first) throw new ParseError(this.lineEnd, this.lineEnd, `expected ${what} at end of line`);
    let neg = false;
    if (first.kind === 'punct' && (first.text === '-' || first.text === '+')) {
      neg = first.text === '-';
      this.pos++;
    }
    const t = this.peek();
    if (t && t.kind === 'id' && t.text.startsWith('%[')) {
      const v = this.operand?.(t.text.slice(2, -1));
      if (typeof v !== 'bigint') throw new ParseError(t.start, t.end, `operand ${t.text} is not a constant here`);
      this.pos++;
      return { value: neg ? -v : v, start: first.start, end: t.end, hex: false, neg };
    }
    if (!t || t.kind !== 'num') {
      const at = t ?? first;
      throw new ParseError(at.start, at.end, `expected ${what}, found '${t ? t.text : 'end of line'}'`);
    }
    this.pos++;
    return { value: neg ? -t.num! : t.num!, start: first.start, end: t.end, hex: /^0[xX]/.test(t.text), neg };
  }
}

/** Checks that v fits a 32-bit immediate field and returns it as int32. */
export function imm32(v: bigint, start: number, end: number, what = 'immediate'): number {
  if (v < BigInt(INT32_MIN) || v > BigInt(UINT32_MAX)) {
    throw new ParseError(start, end, `${what} ${v} does not fit in 32 bits`);
  }
  return Number(BigInt.asIntN(32, v));
}

/** Checks that v fits a signed 16-bit offset field. */
export function off16(v: bigint, start: number, end: number, what = 'offset'): number {
  if (v < -32768n || v > 32767n) throw new ParseError(start, end, `${what} ${v} does not fit in 16 bits (-32768..32767)`);
  return Number(v);
}

/** Checks a signed 32-bit value (jump distance of gotol, call). */
export function s32(v: bigint, start: number, end: number, what = 'offset'): number {
  if (v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX)) throw new ParseError(start, end, `${what} ${v} does not fit in 32 bits`);
  return Number(v);
}
