// The BPF assembler: text in, instructions + sections + symbols + source map + errors out.
// It never throws. It reads LLVM syntax and GAS/uBPF syntax (detected per file), the directives
// clang -S emits, and llvm-objdump -d/-dr listings (so disassembly can be re-assembled).
import { BPF_CALL, BPF_EXIT, BPF_JMP, BPF_PSEUDO_CALL } from '../isa/opcodes';
import { Insn, LD_IMM64 } from '../isa/insn';
import { printInsnLlvm } from '../isa/print';
import { helperId } from '../isa/helper-ids';
import { Cursor, ParseError, Stmt } from './cursor';
import { lexLine, Tok } from './lexer';
import { isGasMnemonic, parseGasStmt } from './gas-syntax';
import { parseLlvmStmt } from './llvm-syntax';
import type {
  AsmError, AsmLabel, AsmOptions, AsmReference, AsmReloc, AsmResult, AsmSection, AsmSymbol, AsmSyntax,
  SourceRange,
} from './types';

export * from './types';

interface PendingInsn {
  stmt: Stmt;
  slot: number; // slot index inside its section
  line: number;
  range: SourceRange;
  /** Relocation named by an llvm-objdump -r line following the instruction. */
  listingReloc?: { symbol: string; kind: 'ld64' | 'call' };
}

interface SectionState {
  name: string;
  kind?: 'code' | 'data';
  insns: PendingInsn[];
  slots: number;
  data: number[];
  dataRelocs: AsmReloc[];
  flags?: string;
  nobits: boolean;
  skipped: boolean; // debug info and BTF written by clang -S: not assembled
  implicit: boolean;
  /** Bytes of data directives in a code section not yet making a whole slot. */
  rawBytes: number[];
  range: SourceRange;
}

interface LabelState { name: string; section: SectionState; pos: number; range: SourceRange }

const LISTING_INSN = /^(\s*\d+:\s+)((?:[0-9a-f]{2} ){7}[0-9a-f]{2}(?: (?:[0-9a-f]{2} ){7}[0-9a-f]{2})?)(\s+)/;
const LISTING_RELOC = /^\s*[0-9a-f]+:\s+R_BPF_64_(64|32|ABS64|ABS32|NODYLD32)\s+(\S+)/;
const LISTING_FUNC = /^([0-9a-f]{16}) <([^>]+)>:\s*$/;
const LISTING_SECTION = /^Disassembly of section (.+):\s*$/;
const LISTING_HEADER = /^\S.*:\s+file format /;

const SKIPPED_SECTION = /^\.(debug_|llvm_addrsig|rel|note\.GNU-stack)/;
const DATA_LIKE = /^(\.data|\.rodata|\.bss|license|version|\.maps|maps|\.BTF)/;

/** The instruction slots of an llvm-objdump byte column (`b7 01 00 00 2a 00 00 00`). */
function listedInsns(column: string): Insn[] {
  const bytes = column.split(' ').map((h) => parseInt(h, 16));
  const out: Insn[] = [];
  for (let o = 0; o + 8 <= bytes.length; o += 8) {
    out.push({
      code: bytes[o], dst: bytes[o + 1] & 0xf, src: bytes[o + 1] >> 4,
      off: ((bytes[o + 2] | (bytes[o + 3] << 8)) << 16) >> 16,
      imm: bytes[o + 4] | (bytes[o + 5] << 8) | (bytes[o + 6] << 16) | (bytes[o + 7] << 24),
    });
  }
  return out;
}

/** A guess at the syntax of a text: GAS mnemonics vs LLVM's assignment style. */
export function detectSyntax(text: string): AsmSyntax {
  let llvm = 0;
  let gas = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && i < 2000; i++) {
    const l = lines[i].replace(LISTING_INSN, '').trim();
    if (!l || l.startsWith('.') || l.startsWith('#') || l.startsWith(';') || l.startsWith('//')) continue;
    const word = /^([A-Za-z_][\w.]*)/.exec(l)?.[1]?.toLowerCase();
    if (/^(if|goto|gotol|may_goto|\*|r\d+\s*[-+*/|&^%<>s]*=|w\d+\s*[-+*/|&^%<>s]*=|lock\s+\*)/.test(l)) llvm++;
    else if (word && word !== 'exit' && word !== 'call' && isGasMnemonic(word)) gas++;
  }
  return gas > llvm ? 'gas' : 'llvm';
}

/** Which front end a statement's shape belongs to. */
function lineIsLlvm(toks: Tok[], fileSyntax: AsmSyntax): boolean {
  const t = toks[0];
  if (t.kind === 'punct') return true;
  if (['if', 'goto', 'gotol', 'may_goto', 'store_release', 'ld_pseudo'].includes(t.text)) return true;
  if (t.text === 'lock') return toks[1]?.kind === 'punct' && toks[1].text === '*';
  if (toks.some((x) => x.kind === 'punct' && x.text.endsWith('=') && x.text !== '==' && x.text !== '!=' && x.text !== '>=' && x.text !== '<=' && x.text !== 's>=' && x.text !== 's<=')) return true;
  if (t.text === 'exit' || t.text === 'call' || t.text === 'callx') return fileSyntax === 'llvm';
  if (isGasMnemonic(t.text)) return false;
  // An unknown word: report it in the file's own syntax.
  return fileSyntax === 'llvm';
}

/** Splits directive operands at top-level commas, keeping string literals whole. */
function splitOperands(s: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let cur = 0;
  let inStr = false;
  for (let i = 0; i <= s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === ',' || i === s.length) {
      const raw = s.slice(cur, i);
      const lead = raw.length - raw.trimStart().length;
      if (raw.trim() || i !== s.length || out.length) out.push({ text: raw.trim(), start: cur + lead });
      cur = i + 1;
    }
  }
  return out;
}

export function assemble(text: string, opts: AsmOptions = {}): AsmResult {
  const syntax = opts.syntax ?? detectSyntax(text);
  const errors: AsmError[] = [];
  const references: AsmReference[] = [];
  const sections: SectionState[] = [];
  const labels = new Map<string, LabelState>();
  const symbols = new Map<string, AsmSymbol>();
  const sizeExprs: { name: string; expr: string; range: SourceRange; section: SectionState; pos: number }[] = [];
  const err = (line: number, start: number, end: number, message: string, severity: 'error' | 'warning' = 'error'): void => {
    errors.push({ range: { line, start, end: Math.max(end, start) }, message, severity });
  };

  const newSection = (name: string, line: number, start: number, end: number, implicit = false): SectionState => {
    let s = sections.find((x) => x.name === name);
    if (!s) {
      s = {
        name, insns: [], slots: 0, data: [], dataRelocs: [], flags: undefined, nobits: false, rawBytes: [],
        skipped: SKIPPED_SECTION.test(name), implicit, range: { line, start, end },
      };
      if (DATA_LIKE.test(name)) s.kind = 'data';
      if (/^\.bss/.test(name)) s.nobits = true;
      sections.push(s);
    }
    return s;
  };
  let cur = newSection('.text', 0, 0, 0, true);
  const symbol = (name: string, range: SourceRange): AsmSymbol => {
    let s = symbols.get(name);
    if (!s) { s = { name, global: false, type: 'notype', range }; symbols.set(name, s); }
    return s;
  };
  const position = (s: SectionState): number => (s.kind === 'data' ? s.data.length : s.slots);

  const resolveOperand = (name: string): bigint | string => {
    const r = opts.operands?.(name);
    if (r !== undefined) return r;
    const h = helperId(name);
    return h !== undefined ? BigInt(h) : name;
  };
  /** `%[name]` in a call target or symbol load: its constant, or the symbol it names. */
  const operandOf = (name: string): bigint | string => (name.startsWith('%[') ? resolveOperand(name.slice(2, -1)) : name);

  const lines = text.split('\n');
  const maxLines = opts.maxLines ?? 1_000_000;
  if (lines.length > maxLines) err(maxLines, 0, 0, `text has ${lines.length} lines; only the first ${maxLines} were assembled`);

  const defineLabel = (name: string, line: number, start: number, end: number): void => {
    const range = { line, start, end };
    const prev = labels.get(name);
    if (prev) {
      err(line, start, end, `duplicate label '${name}' (first defined on line ${prev.range.line + 1})`);
      return;
    }
    labels.set(name, { name, section: cur, pos: position(cur), range });
  };

  const emitData = (bytes: number[], line: number, start: number, end: number): void => {
    const codeLike = cur.kind === 'code' || (cur.kind === undefined && (cur.name === '.text' || !!cur.flags?.includes('x')));
    if (codeLike) {
      // Data in a code section is raw instruction bytes (`.8byte 0x...` in inline asm): every
      // 8 bytes make one slot.
      cur.kind = 'code';
      for (const b of bytes) cur.rawBytes.push(b & 0xff);
      while (cur.rawBytes.length >= 8) {
        const w = cur.rawBytes.splice(0, 8);
        const insn: Insn = {
          code: w[0], dst: w[1] & 0xf, src: w[1] >> 4, off: ((w[2] | (w[3] << 8)) << 16) >> 16,
          imm: w[4] | (w[5] << 8) | (w[6] << 16) | (w[7] << 24),
        };
        cur.insns.push({ stmt: { insn }, slot: cur.slots, line, range: { line, start, end } });
        cur.slots++;
      }
      return;
    }
    cur.kind = 'data';
    for (const b of bytes) cur.data.push(b & 0xff);
  };

  const evalInt = (s: string): bigint | undefined => {
    const m = /^([-+]?)\s*(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)$/.exec(s.trim());
    if (!m) return undefined;
    const v = BigInt(m[2].replace(/^0X/, '0x').replace(/^0B/, '0b'));
    return m[1] === '-' ? -v : v;
  };

  const SECTION_DIRECTIVES = new Set(['.text', '.data', '.bss', '.rodata', '.section', '.pushsection', '.popsection', '.previous']);
  const directive = (name: string, rest: string, restCol: number, line: number, start: number, end: number): void => {
    // Debug info and BTF sections written by clang -S are not assembled: skip their contents.
    if (cur.skipped && !SECTION_DIRECTIVES.has(name)) return;
    const ops = splitOperands(rest).map((o) => ({ text: o.text, start: restCol + o.start }));
    const opErr = (i: number, message: string): void => {
      const o = ops[i];
      if (o) err(line, o.start, o.start + o.text.length, message);
      else err(line, start, end, message);
    };
    const needName = (i: number): string | undefined => {
      const o = ops[i];
      if (!o || !/^[A-Za-z_.$][\w.$]*$/.test(o.text)) { opErr(i, `${name} expects a symbol name`); return undefined; }
      return o.text;
    };
    switch (name) {
      case '.text': cur = newSection('.text', line, start, end); cur.implicit = false; return;
      case '.data': cur = newSection('.data', line, start, end); return;
      case '.bss': cur = newSection('.bss', line, start, end); return;
      case '.rodata': cur = newSection('.rodata', line, start, end); return;
      case '.section': case '.pushsection': {
        const n = ops[0]?.text.replace(/^"(.*)"$/, '$1');
        if (!n) { err(line, start, end, '.section expects a section name'); return; }
        cur = newSection(n, line, ops[0].start, ops[0].start + ops[0].text.length);
        if (ops[1]) cur.flags = ops[1].text.replace(/"/g, '');
        if (ops[2] && /nobits/.test(ops[2].text)) cur.nobits = true;
        if (cur.flags?.includes('x') && !cur.kind) cur.kind = 'code';
        references.push({ name: n, range: { line, start: ops[0].start, end: ops[0].start + ops[0].text.length }, kind: 'directive' });
        return;
      }
      case '.globl': case '.global': case '.weak': {
        const n = needName(0);
        if (n) symbol(n, { line, start: ops[0].start, end: ops[0].start + n.length }).global = true;
        return;
      }
      case '.local': case '.extern': case '.hidden': case '.protected': {
        const n = needName(0);
        if (n) symbol(n, { line, start: ops[0].start, end: ops[0].start + n.length });
        return;
      }
      case '.type': {
        const n = needName(0);
        if (!n) return;
        const t = ops[1]?.text ?? '';
        const s = symbol(n, { line, start: ops[0].start, end: ops[0].start + n.length });
        if (/function|STT_FUNC/.test(t)) s.type = 'func';
        else if (/object|STT_OBJECT/.test(t)) s.type = 'object';
        else opErr(1, `.type expects @function or @object`);
        return;
      }
      case '.size': {
        const n = needName(0);
        if (!n || !ops[1]) { if (n) opErr(1, '.size expects a size'); return; }
        sizeExprs.push({ name: n, expr: ops[1].text, range: { line, start: ops[1].start, end: ops[1].start + ops[1].text.length }, section: cur, pos: position(cur) });
        return;
      }
      case '.p2align': case '.align': case '.balign': {
        const v = evalInt(ops[0]?.text ?? '');
        if (v === undefined || v < 0n || v > 16n && name === '.p2align') { opErr(0, `${name} expects a small alignment`); return; }
        const bytes = name === '.p2align' ? 1 << Number(v) : Number(v);
        if (cur.kind === 'data' && bytes > 0) while (cur.data.length % bytes) cur.data.push(0);
        return;
      }
      case '.byte': case '.short': case '.half': case '.hword': case '.2byte': case '.long': case '.word':
      case '.int': case '.4byte': case '.quad': case '.8byte': case '.dword': {
        const size = /byte$/.test(name) && name !== '.byte' ? Number(name[1]) : name === '.byte' ? 1
          : ['.short', '.half', '.hword'].includes(name) ? 2 : ['.quad', '.dword'].includes(name) ? 8 : 4;
        ops.forEach((o, i) => {
          const v = evalInt(o.text);
          if (v === undefined) {
            if (/^[A-Za-z_.$][\w.$]*$/.test(o.text) && (size === 8 || size === 4)) {
              emitData(new Array(size).fill(0), line, o.start, o.start + o.text.length);
              const kind = size === 8 ? 'abs64' : /^\.BTF/.test(cur.name) ? 'nodyld32' : 'abs32';
              cur.dataRelocs.push({ offset: cur.data.length - size, symbol: o.text, kind, range: { line, start: o.start, end: o.start + o.text.length } });
              references.push({ name: o.text, range: { line, start: o.start, end: o.start + o.text.length }, kind: 'directive' });
              return;
            }
            opErr(i, `${name} expects numbers, found '${o.text}'`);
            return;
          }
          const bits = BigInt(size * 8);
          if (v < -(1n << (bits - 1n)) || v >= 1n << bits) { opErr(i, `${o.text} does not fit in ${size} byte(s)`); return; }
          const u = BigInt.asUintN(size * 8, v);
          const bytes: number[] = [];
          for (let b = 0; b < size; b++) bytes.push(Number((u >> BigInt(8 * b)) & 0xffn));
          emitData(bytes, line, o.start, o.start + o.text.length);
        });
        return;
      }
      case '.ascii': case '.asciz': case '.string': {
        for (const o of ops) {
          const lx = lexLine(o.text);
          if (lx.error || lx.toks.length !== 1 || lx.toks[0].kind !== 'str') { err(line, o.start, o.start + o.text.length, `${name} expects a string literal`); continue; }
          const bytes = [...lx.toks[0].bytes!];
          if (name !== '.ascii') bytes.push(0);
          emitData(bytes, line, o.start, o.start + o.text.length);
        }
        return;
      }
      case '.zero': case '.skip': case '.space': {
        const n = evalInt(ops[0]?.text ?? '');
        const fill = ops[1] ? evalInt(ops[1].text) : 0n;
        if (n === undefined || n < 0n || n > 1n << 24n || fill === undefined) { opErr(0, `${name} expects a byte count (0..16M)`); return; }
        emitData(new Array(Number(n)).fill(Number(fill) & 0xff), line, start, end);
        return;
      }
      case '.comm': case '.lcomm': {
        // A zero-initialised variable: allocated in .bss (as clang does for `.local` + `.comm`).
        const n = needName(0);
        const size = evalInt(ops[1]?.text ?? '');
        const align = ops[2] ? evalInt(ops[2].text) : 1n;
        if (!n) return;
        if (size === undefined || size < 0n || size > 1n << 24n || align === undefined || align < 1n || align > 4096n) { opErr(1, `${name} expects a size and an alignment`); return; }
        const saved = cur;
        cur = newSection('.bss', line, start, end);
        cur.kind = 'data';
        cur.nobits = true;
        while (cur.data.length % Number(align)) cur.data.push(0);
        defineLabel(n, line, ops[0].start, ops[0].start + n.length);
        for (let i = 0n; i < size; i++) cur.data.push(0);
        const sym = symbol(n, { line, start: ops[0].start, end: ops[0].start + n.length });
        if (sym.type === 'notype') sym.type = 'object';
        sym.size ??= Number(size);
        cur = saved;
        return;
      }
      case '.file': case '.loc': case '.ident': case '.addrsig': case '.addrsig_sym': case '.end':
      case '.popsection': case '.previous': case '.cfi_sections': case '.cfi_startproc': case '.cfi_endproc':
      case '.file_info': case '.loc_mark_labels':
        return;
    }
    if (name.startsWith('.cfi_')) return;
    err(line, start, end, `unknown directive '${name}' (ignored)`, 'warning');
  };

  for (let ln = 0; ln < lines.length && ln < maxLines; ln++) {
    let raw = lines[ln];
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    try {
      // llvm-objdump listings: section and function headers, relocation lines, byte columns.
      const sec = LISTING_SECTION.exec(raw);
      if (sec) { cur = newSection(sec[1], ln, 26, 26 + sec[1].length); continue; }
      if (LISTING_HEADER.test(raw)) continue;
      const fn = LISTING_FUNC.exec(raw);
      if (fn) {
        const start = raw.indexOf('<') + 1;
        defineLabel(fn[2], ln, start, start + fn[2].length);
        const s = symbol(fn[2], { line: ln, start, end: start + fn[2].length });
        s.type = 'func';
        s.global = true;
        continue;
      }
      const rel = LISTING_RELOC.exec(raw);
      if (rel) {
        const last = cur.insns[cur.insns.length - 1];
        if (last) last.listingReloc = { symbol: rel[2], kind: rel[1] === '64' ? 'ld64' : 'call' };
        continue;
      }
      let body = raw;
      let offset = 0;
      const li = LISTING_INSN.exec(raw);
      if (li) {
        offset = li[0].length;
        body = ' '.repeat(offset) + raw.slice(offset);
      }
      const listed = li ? listedInsns(li[2]) : undefined;
      if (listed && raw.slice(offset).trim() === '<unknown>') {
        // An encoding the disassembler could not name: keep the listed bytes as they are.
        if (cur.kind === 'data') { err(ln, offset, raw.length, `instruction in data section '${cur.name}'`); continue; }
        cur.kind = 'code';
        const stmt: Stmt = listed.length === 2 ? { insn: listed[0], hi: listed[1] } : { insn: listed[0] };
        cur.insns.push({ stmt, slot: cur.slots, line: ln, range: { line: ln, start: offset, end: raw.length } });
        cur.slots += stmt.hi ? 2 : 1;
        continue;
      }
      // LLVM syntax separates statements with ';' (`r0 = 0; exit`), except that a line starting
      // with ';' is a comment (llvm-objdump -S source lines); GAS syntax comments with ';'.
      const lineComment = /^\s*;/.test(body) || syntax === 'gas';
      const lx = lexLine(body, { semicolonComments: lineComment });
      if (lx.error) { err(ln, lx.error.start, lx.error.end, lx.error.message); continue; }
      const statement = (stoks: Tok[]): void => {
        let toks = stoks;
        // Labels: `name:` (possibly several) before a statement.
        while (toks.length >= 2 && (toks[0].kind === 'id' || toks[0].kind === 'num') && toks[1].kind === 'punct' && toks[1].text === ':' && toks[1].start === toks[0].end) {
          if (toks[0].kind === 'num') { err(ln, toks[0].start, toks[0].end, `a label must start with a letter, '_' or '.'`); }
          else defineLabel(toks[0].text, ln, toks[0].start, toks[0].end);
          toks = toks.slice(2);
        }
        if (toks.length === 0) return;
        const first = toks[0];
        if (first.kind === 'id' && first.text.startsWith('.') && !(toks[1]?.kind === 'punct' && toks[1].text === '=')) {
          const name = first.text.toLowerCase();
          const lineEnd = toks[toks.length - 1].end;
          directive(name, body.slice(first.end, lineEnd), first.end, ln, first.start, lineEnd);
          return;
        }
        if (cur.skipped) return;
        if (cur.kind === 'data') {
          err(ln, first.start, toks[toks.length - 1].end, `instruction in data section '${cur.name}'`);
          return;
        }
        const c = new Cursor(toks, toks[toks.length - 1].end, resolveOperand);
        let stmt: Stmt;
        if (lineIsLlvm(toks, syntax)) stmt = parseLlvmStmt(c);
        else { c.pos++; stmt = parseGasStmt(c, first); }
        if (listed) {
          // A listing line carries the bytes beside the text. When the text is exactly what those
          // bytes print as, take the bytes: they hold what the syntax cannot show (the src of
          // `call N`, the imm of skb[rN] loads, ignored atomic and reserved bits, a malformed
          // second LD_IMM64 slot). Otherwise the text was edited: assemble the text.
          const norm = (t: string): string => t.replace(/\s*<[^>]*>\s*$/, '').replace(/\s+/g, ' ').trim();
          const text = norm(body.slice(first.start, toks[toks.length - 1].end));
          const slots = listed.length === 2 && listed[0].code === LD_IMM64 ? listed : listed.slice(0, 1);
          if (text === norm(printInsnLlvm(slots, 0)) || text === norm(printInsnLlvm(slots, 0, { alu32: true }))) {
            stmt = slots.length === 2 ? { insn: { ...slots[0] }, hi: { ...slots[1] } } : { insn: { ...slots[0] } };
          } else {
            err(ln, first.start, toks[toks.length - 1].end, 'the instruction text does not match the bytes listed beside it (the text is assembled)', 'warning');
          }
        }
        cur.kind = 'code';
        const range = { line: ln, start: first.start, end: toks[toks.length - 1].end };
        if (cur.rawBytes.length) {
          err(ln, range.start, range.end, `the data before this instruction is ${cur.rawBytes.length} byte(s), not a whole instruction (8 bytes)`);
          cur.rawBytes.length = 0;
        }
        cur.insns.push({ stmt, slot: cur.slots, line: ln, range });
        cur.slots += stmt.hi ? 2 : 1;
      };
      let from = 0;
      for (let k = 0; k <= lx.toks.length; k++) {
        if (k === lx.toks.length || (lx.toks[k].kind === 'punct' && lx.toks[k].text === ';')) {
          try {
            statement(lx.toks.slice(from, k));
          } catch (e) {
            if (e instanceof ParseError) err(ln, e.start, e.end, e.message);
            else throw e;
          }
          from = k + 1;
        }
      }
    } catch (e) {
      if (e instanceof ParseError) err(ln, e.start, e.end, e.message);
      else err(ln, 0, raw.length, `internal assembler error: ${(e as Error).message}`);
    }
  }

  for (const s of sections) {
    if (s.rawBytes.length) err(s.range.line, s.range.start, s.range.end, `section '${s.name}' ends with ${s.rawBytes.length} byte(s) of data, not a whole instruction`);
  }
  // Lay code sections out in order; empty implicit .text disappears.
  const used = sections.filter((s) => !s.skipped && !(s.implicit && s.insns.length === 0 && s.data.length === 0 && ![...labels.values()].some((l) => l.section === s)));
  const starts = new Map<SectionState, number>();
  let total = 0;
  for (const s of used) {
    if (s.kind !== 'data') { starts.set(s, total); total += s.slots; }
  }
  const insns: Insn[] = new Array(total);
  const sourceMap: SourceRange[] = new Array(total);
  const outSections: AsmSection[] = [];
  const exitLabel = new Map<SectionState, number>();
  for (const s of used) {
    const relocs: AsmReloc[] = [...s.dataRelocs];
    const base = starts.get(s) ?? 0;
    const firstExit = s.insns.find((p) => p.stmt.insn.code === (BPF_JMP | BPF_EXIT));
    if (firstExit) exitLabel.set(s, firstExit.slot);
    for (const p of s.insns) {
      const { stmt } = p;
      const ins = { ...stmt.insn };
      const r = (start: number, end: number): SourceRange => ({ line: p.line, start, end });
      if (stmt.target?.name?.startsWith('%[')) {
        const v = operandOf(stmt.target.name);
        if (typeof v === 'bigint') {
          references.push({ name: stmt.target.name, range: r(stmt.target.start, stmt.target.end), kind: stmt.target.kind });
          if (stmt.target.field === 'off') ins.off = Number(BigInt.asIntN(16, v)); else ins.imm = Number(BigInt.asIntN(32, v));
          stmt.target = undefined;
        } else stmt.target = { ...stmt.target, name: v };
      }
      if (stmt.sym?.name.startsWith('%[')) {
        const v = operandOf(stmt.sym.name);
        if (typeof v === 'bigint' && stmt.hi) {
          const u = BigInt.asUintN(64, v);
          ins.imm = Number(BigInt.asIntN(32, u));
          stmt.hi = { ...stmt.hi, imm: Number(BigInt.asIntN(32, u >> 32n)) };
          stmt.sym = undefined;
        } else if (typeof v === 'string') stmt.sym = { ...stmt.sym, name: v };
      }
      if (stmt.target) {
        const tg = stmt.target;
        if (tg.name !== undefined) references.push({ name: tg.name, range: r(tg.start, tg.end), kind: tg.kind });
        if (tg.rel !== undefined) {
          if (tg.field === 'off') ins.off = tg.rel; else ins.imm = tg.rel;
        } else if (tg.name !== undefined) {
          const lab = labels.get(tg.name);
          const isCall = ins.code === (BPF_JMP | BPF_CALL);
          if (lab && lab.section === s && lab.section.kind !== 'data') {
            const rel = lab.pos - (p.slot + 1);
            if (isCall) { ins.src = BPF_PSEUDO_CALL; ins.imm = rel; }
            else if (tg.field === 'off') {
              if (rel < -32768 || rel > 32767) err(p.line, tg.start, tg.end, `jump to '${tg.name}' is ${rel} instructions away: out of range for a 16-bit offset (use gotol)`);
              else ins.off = rel;
            } else ins.imm = rel;
          } else if (isCall) {
            const hid = lab ? undefined : helperId(tg.name);
            if (hid !== undefined && ins.src === 0 && !symbols.has(tg.name)) ins.imm = hid;
            else {
              if (lab && lab.section.kind === 'data') err(p.line, tg.start, tg.end, `'${tg.name}' is data, not a function`);
              ins.src = BPF_PSEUDO_CALL;
              ins.imm = -1;
              relocs.push({ offset: p.slot * 8, symbol: tg.name, kind: 'call', range: r(tg.start, tg.end) });
            }
          } else if (!lab && tg.name === 'exit' && syntax === 'gas' && exitLabel.has(s)) {
            ins.off = exitLabel.get(s)! - (p.slot + 1);
          } else if (lab) {
            err(p.line, tg.start, tg.end, `label '${tg.name}' is in section '${lab.section.name}': jumps cannot leave their section`);
          } else {
            err(p.line, tg.start, tg.end, `undefined label '${tg.name}'`);
          }
        }
      }
      if (stmt.sym) {
        references.push({ name: stmt.sym.name, range: r(stmt.sym.start, stmt.sym.end), kind: 'load' });
        relocs.push({ offset: p.slot * 8, symbol: stmt.sym.name, kind: 'ld64', range: r(stmt.sym.start, stmt.sym.end) });
        if (!labels.has(stmt.sym.name) && !symbols.has(stmt.sym.name)) {
          err(p.line, stmt.sym.start, stmt.sym.end, `'${stmt.sym.name}' is not defined in this file (left to the loader)`, 'warning');
        }
      }
      if (p.listingReloc) {
        if (p.listingReloc.kind === 'call' && ins.code === (BPF_JMP | BPF_CALL)) ins.src = BPF_PSEUDO_CALL;
        relocs.push({ offset: p.slot * 8, symbol: p.listingReloc.symbol, kind: p.listingReloc.kind, range: p.range });
      }
      insns[base + p.slot] = ins;
      sourceMap[base + p.slot] = p.range;
      if (stmt.hi) {
        insns[base + p.slot + 1] = { ...stmt.hi };
        sourceMap[base + p.slot + 1] = p.range;
      }
    }
    outSections.push({
      name: s.name,
      kind: s.kind === 'data' ? 'data' : 'code',
      start: s.kind === 'data' ? 0 : base,
      count: s.kind === 'data' ? 0 : s.slots,
      data: Uint8Array.from(s.data),
      flags: s.flags,
      nobits: s.nobits,
      relocs,
      range: s.range,
    });
  }

  const outLabels = new Map<string, AsmLabel>();
  for (const l of labels.values()) {
    const base = l.section.kind === 'data' ? 0 : (starts.get(l.section) ?? 0);
    outLabels.set(l.name, { name: l.name, section: l.section.name, index: base + l.pos, range: l.range });
  }
  // .size NAME, EXPR: a number, `.Lend-NAME` or `.-NAME` (byte distances inside one section).
  for (const z of sizeExprs) {
    const sym = symbols.get(z.name) ?? symbol(z.name, z.range);
    const n = /^\d+$|^0x[0-9a-f]+$/i.test(z.expr) ? Number(z.expr) : undefined;
    if (n !== undefined) { sym.size = n; continue; }
    const m = /^([\w.$]+)\s*-\s*([\w.$]+)$/.exec(z.expr);
    const byteOf = (name: string): number | undefined => {
      if (name === '.') return z.section.kind === 'data' ? z.pos : z.pos * 8;
      const l = labels.get(name);
      if (!l) return undefined;
      return l.section.kind === 'data' ? l.pos : l.pos * 8;
    };
    const a = m ? byteOf(m[1]) : undefined;
    const b = m ? byteOf(m[2]) : undefined;
    if (a === undefined || b === undefined) err(z.range.line, z.range.start, z.range.end, `cannot evaluate size '${z.expr}'`, 'warning');
    else sym.size = a - b;
  }
  for (const s of symbols.values()) {
    if (s.global && !labels.has(s.name) && s.type === 'func') {
      err(s.range.line, s.range.start, s.range.end, `function '${s.name}' is declared but never defined`, 'warning');
    }
  }
  if (total === 0 && !outSections.some((s) => s.data.length > 0) && !errors.some((e) => e.severity === 'error')) {
    err(0, 0, lines[0]?.length ?? 0, 'no instructions');
  }
  return { syntax, insns, sourceMap, sections: outSections, labels: outLabels, symbols, references, errors };
}

/** Only the errors (not warnings). */
export function asmErrors(r: AsmResult): AsmError[] {
  return r.errors.filter((e) => e.severity === 'error');
}
