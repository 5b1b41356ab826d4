// -O0 builds: clang calls a helper declared as a non-const pointer by loading the pointer and
// emitting `callx` (BPF_JMP | BPF_CALL | BPF_X, opcode 0x8d), an indirect call the verifier
// refuses. We find each callx in the object, map it to its call site through .BTF.ext line_info,
// name the pointer it calls through (from the LD_IMM64 relocation that loads it) and point at the
// declaration: a hand-written one in the user's file, or libbpf's own bpf_helper_defs.h, which
// declares every helper `* const` only from libbpf 1.4 on.
import * as path from 'node:path';
import { parseBtf } from '../../bpf/btf/btf';
import { parseBtfExt, type ExtLineInfo } from '../../bpf/btf/ext';
import { readElf, SHF_EXECINSTR, STT_SECTION, type ElfFile } from '../../bpf/elf/elf';
import { BPF_CALL, BPF_DW, BPF_JMP, BPF_LDX, BPF_MEM, BPF_X } from '../../bpf/isa/opcodes';
import { decodeInsns, LD_IMM64, type Insn } from '../../bpf/isa/insn';
import type { SyntaxNode } from '../../parse/types';
import { findHelperPointerDecls, pointerDeclFixes } from './helper-decls';
import { findLibbpfHeader } from './libbpf-header';
import { helperId } from './successors';
import { nodesOfType, type Source } from './tree';
import { FixCodes, type FixFinding } from './types';

export const CALLX = BPF_JMP | BPF_CALL | BPF_X; // 0x8d
const MOV64_X = 0xbf; // BPF_ALU64 | BPF_MOV | BPF_X
const LDX_DW = BPF_LDX | BPF_MEM | BPF_DW; // 0x79
/** How far back from a callx we look for the load of its target (one basic block at -O0). */
const MAX_BACKTRACK = 64;

export interface CallxSite {
  section: string;
  /** instruction index in the section */
  insn: number;
  /** the variable the target was loaded from (e.g. `bpf_map_lookup_elem`), when the relocation names it */
  pointer?: string;
  /** the call site, from line_info */
  line?: ExtLineInfo;
}

function symbolAt(elf: ElfFile, insns: Insn[], relocs: Map<number, number>, ldIdx: number, extraOff: number): string | undefined {
  const symIdx = relocs.get(ldIdx * 8);
  if (symIdx === undefined) return undefined;
  const sym = elf.symbols[symIdx];
  if (!sym) return undefined;
  if (sym.type !== STT_SECTION) return sym.name || undefined;
  // A static variable is reached through its section symbol; the offset is in the instruction.
  const off = insns[ldIdx].imm + extraOff;
  const named = elf.symbols.find((s) => s.shndx === sym.shndx && s.type !== STT_SECTION && s.value === off && s.name);
  return named?.name;
}

/** Walks back from `callx rN` to the LD_IMM64 whose (dereferenced) value ended in rN. */
function pointerName(elf: ElfFile, insns: Insn[], relocs: Map<number, number>, at: number): string | undefined {
  let reg = insns[at].dst;
  let deref: number | undefined;
  for (let i = at - 1, n = 0; i >= 0 && n < MAX_BACKTRACK; i--, n++) {
    if (i > 0 && insns[i - 1].code === LD_IMM64) continue; // second slot of a pair
    const x = insns[i];
    if (x.dst !== reg) {
      if ((x.code & 0x07) === BPF_JMP && x.code !== CALLX) return undefined; // left the basic block
      continue;
    }
    if (x.code === MOV64_X) reg = x.src;
    else if (x.code === LDX_DW && deref === undefined) {
      deref = x.off;
      reg = x.src;
    } else if (x.code === LD_IMM64) return symbolAt(elf, insns, relocs, i, deref ?? 0);
    else return undefined;
  }
  return undefined;
}

export function findCallxSites(obj: Uint8Array): { sites: CallxSite[]; errors: string[] } {
  const { elf, errors } = readElf(obj);
  if (!elf) return { sites: [], errors };
  const sites: CallxSite[] = [];
  let lineInfo: Map<string, ExtLineInfo[]> | undefined;
  const btfSec = elf.sectionByName('.BTF');
  const extSec = elf.sectionByName('.BTF.ext');
  if (btfSec && extSec) {
    const { btf } = parseBtf(btfSec.data);
    const ext = btf ? parseBtfExt(extSec.data, btf.strings) : undefined;
    if (ext?.ext) lineInfo = new Map(ext.ext.lineInfo.map((s) => [s.section, s.records]));
    else if (ext) errors.push(...ext.errors);
  }
  for (const s of elf.sections) {
    if (!(s.flags & SHF_EXECINSTR) || !s.data.length) continue;
    const { insns } = decodeInsns(s.data);
    let relocs: Map<number, number> | undefined;
    for (let i = 0; i < insns.length; i++) {
      if (insns[i].code !== CALLX || (i > 0 && insns[i - 1].code === LD_IMM64)) continue;
      relocs ??= new Map((elf.relocations.get(s.index) ?? []).map((r) => [r.offset, r.sym]));
      const records = lineInfo?.get(s.name) ?? [];
      let line: ExtLineInfo | undefined;
      for (const r of records) if (r.insnOff <= i && (!line || r.insnOff >= line.insnOff)) line = r;
      sites.push({ section: s.name, insn: i, pointer: pointerName(elf, insns, relocs, i), line });
    }
  }
  return { sites, errors };
}

// ---------------------------------------------------------------------------------------------
// Findings

function sameFile(a: string, b: string): boolean {
  return a === b || path.basename(a) === path.basename(b);
}

/** The call expression at a 1-based line calling `name`, if the tree has one. */
function callOnLine(src: Source, line: number, name: string | undefined): SyntaxNode | undefined {
  let best: SyntaxNode | undefined;
  for (const n of nodesOfType(src.root, 'call_expression')) {
    const l = src.line(n);
    if (l !== line - 1) continue;
    const fn = n.childForFieldName('function');
    if (name === undefined || fn?.text === name) return fn ?? n;
    best ??= fn ?? n;
  }
  return best;
}

function includesLibbpfHelpers(text: string): boolean {
  return /^\s*#\s*include\s*[<"](?:bpf\/)?bpf_helpers\.h[>"]/m.test(text);
}

export interface CallxFindingOptions {
  /** path of the source as clang saw it (line_info names it) */
  sourcePath: string;
  includePaths?: readonly string[];
}

export function callxFindings(src: Source, obj: Uint8Array, opts: CallxFindingOptions): FixFinding[] {
  const { sites } = findCallxSites(obj);
  if (!sites.length) return [];
  const decls = findHelperPointerDecls(src);
  const header = findLibbpfHeader(opts.includePaths);
  const findings: FixFinding[] = [];
  const seen = new Set<string>();
  for (const site of sites) {
    if (!site.line || !sameFile(site.line.fileName, opts.sourcePath)) continue;
    const key = `${site.line.line}:${site.pointer}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const node = callOnLine(src, site.line.line, site.pointer);
    const lineIdx = site.line.line - 1;
    const range = node
      ? src.range(node)
      : { start: { line: lineIdx, character: 0 }, end: { line: lineIdx, character: src.index.lineText(lineIdx).length } };
    const what = site.pointer ? `'${site.pointer}'` : 'a function pointer';
    const base = `This call to ${what} compiles to callx (insn ${site.insn} in ${site.section}): clang loads the pointer and calls through a register, and the verifier rejects indirect calls.`;
    const decl = decls.find((d) => d.name === site.pointer && !d.isConst);
    if (decl) {
      findings.push({
        code: FixCodes.callx,
        severity: 'error',
        message: `${base} Cause: the hand-written declaration of '${decl.name}' on line ${src.line(decl.decl) + 1} is not '* const'.`,
        range,
        fixes: pointerDeclFixes(src, decl, decls, opts.includePaths),
        related: [{ message: `'${decl.name}' declared here without const`, range: src.range(decl.decl) }],
      });
    } else if (site.pointer && helperId(site.pointer) !== undefined && header && !header.isConst && includesLibbpfHelpers(src.text)) {
      findings.push({
        code: FixCodes.callx,
        severity: 'error',
        message:
          `${base} Cause: libbpf's bpf_helper_defs.h` +
          ` (${header.version ? `libbpf ${header.version} in ` : ''}${header.dir}/bpf) declares '${site.pointer}' without const.` +
          ' Upgrading libbpf to 1.4 or newer fixes it (its helpers are `* const`); until then build with -O1 or higher.',
        range,
        fixes: [],
      });
    } else {
      findings.push({
        code: FixCodes.callx,
        severity: 'error',
        message: `${base} The pointer is declared without const outside this file (in a header it includes): declare it '* const' there, or build with -O1 or higher.`,
        range,
        fixes: [],
      });
    }
  }
  return findings;
}
