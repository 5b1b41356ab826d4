// The result of assembling a BPF assembly text. Positions are 0-based lines and UTF-16 columns,
// so the language server can turn them into LSP ranges without re-reading the text.
import type { Insn } from '../isa/insn';

export type AsmSyntax = 'llvm' | 'gas';

export interface SourceRange {
  line: number;
  start: number; // column of the first character
  end: number; // column after the last character
}

export interface AsmError {
  range: SourceRange;
  message: string;
  severity: 'error' | 'warning';
}

/** A relocation the object writer must emit (a reference to a symbol the text does not resolve). */
export interface AsmReloc {
  /** Byte offset inside the section. */
  offset: number;
  symbol: string;
  /** ld64: LD_IMM64 of a map or global (R_BPF_64_64); call: pseudo call (R_BPF_64_32);
   *  abs64/abs32: data words holding a symbol's address (R_BPF_64_ABS64/ABS32); nodyld32: the
   *  same in .BTF/.BTF.ext (R_BPF_64_NODYLD32). */
  kind: 'ld64' | 'call' | 'abs64' | 'abs32' | 'nodyld32';
  range: SourceRange;
}

export interface AsmSection {
  name: string;
  /** code: instructions (insns[start, start+count) of the result); data: bytes. */
  kind: 'code' | 'data';
  start: number;
  count: number;
  data: Uint8Array;
  /** ELF flags written by `.section name,"flags"`: a (alloc), w (write), x (exec); undefined when
   *  not written (the object writer then picks clang's defaults for the name). */
  flags?: string;
  /** `.bss`-like sections (@nobits) have a size but no bytes in the file. */
  nobits: boolean;
  relocs: AsmReloc[];
  range: SourceRange;
}

export interface AsmLabel {
  name: string;
  section: string;
  /** Instruction index (global, into insns) in code sections; byte offset in data sections. */
  index: number;
  range: SourceRange;
}

export interface AsmSymbol {
  name: string;
  global: boolean;
  type: 'func' | 'object' | 'notype';
  /** Byte size from `.size`, when given. */
  size?: number;
  range: SourceRange;
}

/** A use of a name: jump target, call target, LD_IMM64 symbol, directive operand. */
export interface AsmReference {
  name: string;
  range: SourceRange;
  kind: 'jump' | 'call' | 'load' | 'directive';
}

export interface AsmResult {
  syntax: AsmSyntax;
  /** Instructions of all code sections, in section order (LD_IMM64 takes two slots). */
  insns: Insn[];
  /** For each instruction slot, the source range of the statement that produced it. */
  sourceMap: SourceRange[];
  sections: AsmSection[];
  labels: Map<string, AsmLabel>;
  symbols: Map<string, AsmSymbol>;
  references: AsmReference[];
  errors: AsmError[];
}

export interface AsmOptions {
  /** Force a syntax instead of detecting it from the text. */
  syntax?: AsmSyntax;
  /**
   * Resolves C inline-asm operands (`%[name]` in asm volatile templates): a constant, or a symbol
   * name. Unresolved operands default to the helper ID of that name, else a symbol of that name.
   */
  operands?: (name: string) => bigint | string | undefined;
  /** Upper bound on lines processed (defence against pathological input). */
  maxLines?: number;
}
