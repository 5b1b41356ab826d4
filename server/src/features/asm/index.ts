// BPF assembly in the editor: bpf-asm files (LLVM or GAS syntax, llvm-objdump listings) and the
// inline asm of BPF C. The assembler (bpf/asm) does the work; this module turns its result into
// findings, an ELF for the verifier and the emulator, hovers, completions, symbols, navigation,
// semantic tokens and formatting.
import {
  registerCompletionProvider, registerHoverProvider, registerObjectBuilder, registerSyntaxProvider,
  type CompletionItem, type DocumentContext, type Hover, type PositionContext,
} from '../../analysis/registry';
import {
  registerDefinitionProvider, registerDocumentSymbolProvider, registerFormattingProvider, registerReferencesProvider,
  registerSemanticTokensProvider, type DocumentSymbol, type Location, type SemanticToken,
} from '../../analysis/registry-extra';
import type { Finding, Range } from '../../analysis/types';
import { writeElf } from '../../bpf/asm/elf-writer';
import { withLineInfo } from '../../bpf/asm/line-info';
import { LLVM_KEYWORDS } from '../../bpf/asm/llvm-syntax';
import { GAS_MNEMONICS } from '../../bpf/asm/gas-syntax';
import { lexLine } from '../../bpf/asm/lexer';
import type { AsmResult } from '../../bpf/asm/types';
import { describeInsn } from '../../bpf/isa/describe';
import { encodeInsns, LD_IMM64 } from '../../bpf/isa/insn';
import { BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL } from '../../bpf/isa/opcodes';
import { allHelpers, helperById, helperByName } from '../../knowledge/helpers';
import { helperMarkdown, kfuncMarkdown } from '../knowledge/describe';
import { targetKfuncs } from '../knowledge/env';
import { statesMarkdown } from '../verifier/states';
import { formatAsm } from './format';
import { asmViews, docRange, insnAt, viewAt, wordAtCol, type AsmView } from './model';

export const ASM_ERROR = 'bpfls.asm-error';
export const ASM_WARNING = 'bpfls.asm-warning';

// ---------------------------------------------------------------------------------------------
// Findings and the object

function asmFindings(ctx: DocumentContext): Finding[] {
  const out: Finding[] = [];
  for (const view of asmViews(ctx.doc, ctx.settings)) {
    for (const e of view.asm.errors) {
      // Inline templates name C symbols and helpers the assembler cannot see: not our business.
      // Operands the C compiler substitutes (addresses, computed constants) are unknown too.
      if (view.inline && /not defined|undefined symbol|unknown symbol|not a constant here|%\[|^no instructions/i.test(e.message)) continue;
      out.push({
        range: docRange(view, e.range),
        severity: e.severity,
        code: e.severity === 'error' ? ASM_ERROR : ASM_WARNING,
        source: 'bpfls',
        message: e.message,
      });
    }
  }
  return out;
}

registerSyntaxProvider({ id: 'asm-errors', languages: ['bpf-asm', 'c'], provideFindings: asmFindings });

registerObjectBuilder({
  id: 'bpf-assembler',
  languages: ['bpf-asm'],
  build(ctx) {
    const view = asmViews(ctx.doc, ctx.settings)[0];
    if (!view || view.asm.errors.some((e) => e.severity === 'error')) return { findings: [] };
    if (view.asm.insns.length === 0) return { findings: [] };
    // A listing (llvm-objdump -d) lost its relocations and BTF: verifying it would mislead.
    if (/^Disassembly of section /m.test(ctx.doc.text) && !/R_BPF_64_/.test(ctx.doc.text)) return { findings: [] };
    const fileName = decodeURIComponent(ctx.doc.uri.replace(/^file:\/\//, ''));
    const elf = writeElf(withLineInfo(view.asm, fileName, view.lines), { license: 'GPL' });
    const findings: Finding[] = elf.warnings.map((w) => ({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 'warning', code: ASM_WARNING, source: 'bpfls', message: w,
    }));
    return { elf: elf.bytes, findings };
  },
});

// ---------------------------------------------------------------------------------------------
// Hover

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

function callHover(ctx: PositionContext, asm: AsmResult, i: number, name: string | undefined): string | undefined {
  const x = asm.insns[i];
  if (x.code !== 0x85) return undefined;
  if (x.src === 0) {
    const h = helperById(x.imm) ?? (name ? helperByName(name) : undefined);
    return h ? helperMarkdown(h, ctx.settings) : undefined;
  }
  if (x.src === BPF_PSEUDO_CALL && name && !asm.labels.has(name)) {
    return kfuncMarkdown(name, targetKfuncs(ctx.settings).kfuncs?.get(name), ctx.settings);
  }
  if (x.src === BPF_PSEUDO_KFUNC_CALL && name) return kfuncMarkdown(name, targetKfuncs(ctx.settings).kfuncs?.get(name), ctx.settings);
  return undefined;
}

const DIRECTIVES: Record<string, string> = {
  '.section': 'switches to a section; a program\'s section name sets its program type (e.g. `xdp`, `tc`, `kprobe/...`), `.maps` holds BTF-defined maps, `license` the license string.',
  '.text': 'switches to `.text`, where subprograms (BPF-to-BPF call targets) live.',
  '.data': 'switches to `.data` (global variables, a map of its own when loaded).',
  '.rodata': 'switches to `.rodata` (read-only globals: frozen, so the verifier knows their values).',
  '.bss': 'switches to `.bss` (zero-initialised globals).',
  '.globl': 'makes a symbol global: a global function in a program section is a program.',
  '.global': 'makes a symbol global: a global function in a program section is a program.',
  '.type': 'sets a symbol\'s type (`@function` or `@object`); functions become STT_FUNC symbols libbpf looks for.',
  '.size': 'sets a symbol\'s size in bytes (`.-name` for a function ending here).',
  '.p2align': 'aligns to a power of two (3 = 8 bytes, one instruction).',
  '.byte': 'emits bytes.', '.short': 'emits 16-bit words.', '.long': 'emits 32-bit words.', '.quad': 'emits 64-bit words.',
  '.8byte': 'emits 64-bit words; in code, one raw instruction slot.', '.4byte': 'emits 32-bit words.', '.2byte': 'emits 16-bit words.',
  '.ascii': 'emits a string without a terminating zero.', '.asciz': 'emits a zero-terminated string.', '.string': 'emits a zero-terminated string.',
  '.zero': 'emits zero bytes.', '.skip': 'emits zero bytes.', '.file': 'names the source file (debug info).', '.loc': 'a debug line entry (clang -S).',
};

function asmHover(ctx: PositionContext): Hover | undefined {
  const at = viewAt(asmViews(ctx.doc, ctx.settings), ctx.position);
  if (!at) return undefined;
  const { view, line, col } = at;
  const text = view.lines[line] ?? '';
  const w = wordAtCol(text, col);
  const label = w && view.asm.labels.get(w.word);
  const i = insnAt(view.asm, line, col);
  if (i === undefined) {
    const directive = w && DIRECTIVES[w.word];
    if (directive) return { contents: `\`${w!.word}\` — ${directive}`, range: docRange(view, { line, start: w!.start, end: w!.end }) };
    if (label) return { contents: `label **${label.name}** in section \`${label.section}\``, range: docRange(view, { line, start: w!.start, end: w!.end }) };
    return undefined;
  }
  const stmt = view.asm.sourceMap[i];
  const range = docRange(view, stmt);
  const x = view.asm.insns[i];
  const callTarget = view.asm.references.find((r) => r.kind === 'call' && r.range.line === line)?.name;
  const call = callHover(ctx, view.asm, i, callTarget ?? (w?.word !== 'call' ? w?.word : undefined));
  if (call && w && w.word !== 'call') return { contents: call, range: docRange(view, { line, start: w.start, end: w.end }) };
  if (label && w) return { contents: `label **${label.name}** in section \`${label.section}\``, range: docRange(view, { line, start: w.start, end: w.end }) };
  const slots = x.code === LD_IMM64 ? 2 : 1;
  const d = describeInsn(view.asm.insns, i);
  const parts = [
    '```bpf-asm', text.trim(), '```',
    d.text,
    '',
    `Encoding: \`${hex(encodeInsns(view.asm.insns.slice(i, i + slots)))}\` (opcode 0x${x.code.toString(16).padStart(2, '0')})`,
    '',
    `Needs ISA ${d.version} (clang -mcpu=${d.version}), Linux ${d.kernel} or later.`,
  ];
  if (d.problem) parts.push('', `**Invalid:** ${d.problem}`);
  if (call) parts.push('', '---', '', call);
  const states = statesMarkdown(ctx.findings, ctx.position.line);
  if (states) parts.push('', '---', '', states);
  return { contents: parts.join('\n'), range };
}

registerHoverProvider({ id: 'asm-hover', languages: ['bpf-asm', 'c'], provideHover: asmHover });

// ---------------------------------------------------------------------------------------------
// Completion (bpf-asm files)

const REGISTERS = [...Array(11).keys()].flatMap((n) => [`r${n}`, `w${n}`]);

function asmCompletions(ctx: PositionContext): CompletionItem[] {
  // In C, only inside an inline asm template (its statement up to the cursor).
  const at = viewAt(asmViews(ctx.doc, ctx.settings), ctx.position);
  if (!at) return [];
  const view = at.view;
  const line = view.inline ? (view.lines[at.line] ?? '').slice(0, at.col) : ctx.doc.lineText(ctx.position.line).slice(0, ctx.position.character);
  const out: CompletionItem[] = [];
  const afterCall = /\bcall\s+\w*$/.test(line);
  const afterJump = /\b(goto|gotol|j[a-z0-9]*\s+[^,]*,\s*[^,]*,|ja)\s+[\w.]*$/.test(line) || /\bgoto\s+[\w.]*$/.test(line);
  if (afterCall) {
    for (const h of allHelpers()) out.push({ label: h.name, kind: 'function', detail: `helper #${h.id}`, sortText: `0${h.name}` });
    for (const l of view.asm.labels.values()) out.push({ label: l.name, kind: 'function', detail: `label in ${l.section}` });
    return out;
  }
  if (afterJump || /,\s*[\w.]*$/.test(line) && view.asm.syntax === 'gas' && /^\s*j/.test(line)) {
    for (const l of view.asm.labels.values()) out.push({ label: l.name, kind: 'constant', detail: `label in ${l.section}` });
    return out;
  }
  const first = /^\s*[\w.]*$/.test(line);
  if (first) {
    const words = view.asm.syntax === 'gas' ? GAS_MNEMONICS : LLVM_KEYWORDS;
    for (const m of words) out.push({ label: m, kind: 'keyword', detail: view.asm.syntax === 'gas' ? 'GAS mnemonic' : 'LLVM syntax' });
  }
  for (const r of REGISTERS) out.push({ label: r, kind: 'variable', detail: r.startsWith('w') ? '32-bit subregister' : '64-bit register' });
  for (const l of view.asm.labels.values()) out.push({ label: l.name, kind: 'constant', detail: `label in ${l.section}` });
  return out;
}

registerCompletionProvider({ id: 'asm-completion', languages: ['bpf-asm', 'c'], triggerCharacters: [' '], provideCompletions: asmCompletions });

// ---------------------------------------------------------------------------------------------
// Navigation: labels

function labelAt(ctx: PositionContext): { view: AsmView; name: string } | undefined {
  const at = viewAt(asmViews(ctx.doc, ctx.settings), ctx.position);
  if (!at) return undefined;
  const w = wordAtCol(at.view.lines[at.line] ?? '', at.col);
  if (!w || !at.view.asm.labels.has(w.word)) return undefined;
  return { view: at.view, name: w.word };
}

registerDefinitionProvider({
  id: 'asm-definition',
  languages: ['bpf-asm', 'c'],
  provideDefinition(ctx): Location[] {
    const l = labelAt(ctx);
    const def = l && l.view.asm.labels.get(l.name);
    return def ? [{ range: docRange(l.view, def.range) }] : [];
  },
});

registerReferencesProvider({
  id: 'asm-references',
  languages: ['bpf-asm', 'c'],
  provideReferences(ctx): Location[] {
    const l = labelAt(ctx);
    if (!l) return [];
    const out: Location[] = [];
    const def = l.view.asm.labels.get(l.name)!;
    if (ctx.includeDeclaration) out.push({ range: docRange(l.view, def.range) });
    for (const r of l.view.asm.references) if (r.name === l.name && r.kind !== 'directive') out.push({ range: docRange(l.view, r.range) });
    return out;
  },
});

// ---------------------------------------------------------------------------------------------
// Document symbols: sections with their functions and labels

function asmSymbols(ctx: DocumentContext): DocumentSymbol[] {
  const view = asmViews(ctx.doc, ctx.settings)[0];
  if (!view) return [];
  const { asm } = view;
  const lastLine = Math.max(0, ctx.doc.lineCount - 1);
  const sections = asm.sections.filter((s) => s.range.line >= 0);
  const sorted = [...sections].sort((a, b) => a.range.line - b.range.line);
  const out: DocumentSymbol[] = [];
  const labels = [...asm.labels.values()].sort((a, b) => a.range.line - b.range.line);
  for (let k = 0; k < sorted.length; k++) {
    const s = sorted[k];
    const endLine = k + 1 < sorted.length ? Math.max(s.range.line, sorted[k + 1].range.line - 1) : lastLine;
    const sel = docRange(view, s.range);
    const children: DocumentSymbol[] = [];
    for (const l of labels.filter((x) => x.section === s.name)) {
      const sym = asm.symbols.get(l.name);
      const isFunc = sym?.type === 'func' || sym?.global;
      const r = docRange(view, l.range);
      children.push({
        name: l.name, kind: isFunc ? 'function' : s.kind === 'code' ? 'constant' : 'variable',
        detail: isFunc ? (sym?.global ? 'global function' : 'function') : s.kind === 'code' ? 'label' : 'data',
        range: r, selectionRange: r,
      });
    }
    out.push({
      name: s.name, kind: 'namespace', detail: s.kind === 'code' ? `${s.count} insns` : `${s.data.length} bytes`,
      range: { start: sel.start, end: { line: endLine, character: ctx.doc.lineText(endLine).length } },
      selectionRange: sel, children,
    });
  }
  return out;
}

registerDocumentSymbolProvider({ id: 'asm-symbols', languages: ['bpf-asm'], provideDocumentSymbols: asmSymbols });

// ---------------------------------------------------------------------------------------------
// Semantic tokens

const GAS_SET = new Set(GAS_MNEMONICS);
const LLVM_SET = new Set(LLVM_KEYWORDS);
const SIZE_WORDS = new Set(['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64']);

function asmTokens(ctx: DocumentContext): SemanticToken[] {
  const view = asmViews(ctx.doc, ctx.settings)[0];
  if (!view) return [];
  const { asm } = view;
  const out: SemanticToken[] = [];
  const limit = Math.min(view.lines.length, 50_000);
  for (let line = 0; line < limit; line++) {
    const text = view.lines[line];
    const listing = /^(\s*[0-9a-f]+:\s+)((?:[0-9a-f]{2} )+)/.exec(text);
    let body = text;
    let shift = 0;
    if (listing) {
      out.push({ line, character: text.indexOf(listing[1].trim()), length: listing[1].trim().length, type: 'number' });
      shift = listing[0].length;
      body = ' '.repeat(shift) + text.slice(shift);
    }
    const lexed = lexLine(body);
    const commentAt = lexed.toks.length ? lexed.toks[lexed.toks.length - 1].end : 0;
    const rest = body.slice(commentAt);
    const c = rest.search(/#|\/\/|;/);
    if (c >= 0) out.push({ line, character: commentAt + c, length: body.length - commentAt - c, type: 'comment' });
    for (let k = 0; k < lexed.toks.length; k++) {
      const t = lexed.toks[k];
      const len = t.end - t.start;
      const w = t.text;
      let type: SemanticToken['type'] | undefined;
      if (t.kind === 'num') type = 'number';
      else if (t.kind === 'str') type = 'string';
      else if (t.kind === 'id') {
        if (/^%?[rw]\d+$/.test(w)) type = 'variable';
        else if (w.startsWith('.') && k === 0) type = 'macro';
        else if (lexed.toks[k + 1]?.text === ':' && k === 0) type = 'label';
        else if (asm.labels.has(w)) type = 'label';
        else if (SIZE_WORDS.has(w)) type = 'type';
        else if (LLVM_SET.has(w) || GAS_SET.has(w.toLowerCase())) type = 'keyword';
        else if (helperByName(w)) type = 'function';
      }
      if (type) out.push({ line, character: t.start, length: len, type });
    }
  }
  return out;
}

registerSemanticTokensProvider({ id: 'asm-tokens', languages: ['bpf-asm'], provideSemanticTokens: asmTokens });

// ---------------------------------------------------------------------------------------------
// Formatting

registerFormattingProvider({
  id: 'asm-format',
  languages: ['bpf-asm'],
  provideFormatting(ctx) {
    const text = ctx.doc.text;
    const formatted = formatAsm(text, ctx.options);
    if (formatted === text) return [];
    const end = ctx.doc.positionAt(text.length);
    const whole: Range = { start: { line: 0, character: 0 }, end };
    return [{ range: whole, newText: formatted }];
  },
});
