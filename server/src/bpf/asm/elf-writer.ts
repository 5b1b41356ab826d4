// Writes an assembled text as a relocatable ELF64 BPF object, laid out the way clang does it:
// one PROGBITS section per code or data section, .rel<section> tables (R_BPF_64_64 for LD_IMM64
// of maps and globals, R_BPF_64_32 for calls to other functions and externs), a symbol table
// with STT_FUNC symbols for the programs, and the string tables. libbpf and bpftool load it.
import { encodeInsns } from '../isa/insn';
import type { AsmResult } from './types';
import { StrTab } from './strtab';

const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;
const SHT_REL = 9;
const SHF_WRITE = 0x1;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STT_NOTYPE = 0;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_SECTION = 3;
const EM_BPF = 247;
const RELOC_TYPE = { ld64: 1, abs64: 2, abs32: 3, nodyld32: 4, call: 10 } as const;

export interface ElfWriteOptions {
  /** Adds a `license` section with this text when the source has none. */
  license?: string;
}

export interface ElfWriteResult {
  bytes: Uint8Array;
  /** Problems that make the object incomplete (the bytes are still written). */
  warnings: string[];
}

/** Assembler-temporary labels (clang's .L* and basic-block LBB*) stay out of the symbol table. */
function isTempLabel(name: string): boolean {
  return name.startsWith('.L') || /^LBB\d+_\d+$/.test(name);
}

interface OutSection {
  name: string;
  type: number;
  flags: number;
  data: Uint8Array;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
}

interface OutSymbol { name: string; value: number; size: number; bind: number; type: number; shndx: number }

function defaultFlags(name: string, kind: 'code' | 'data', flags: string | undefined): number {
  if (flags !== undefined) {
    let f = 0;
    if (flags.includes('a')) f |= SHF_ALLOC;
    if (flags.includes('w')) f |= SHF_WRITE;
    if (flags.includes('x')) f |= SHF_EXECINSTR;
    return f;
  }
  if (kind === 'code') return SHF_ALLOC | SHF_EXECINSTR;
  if (/^\.rodata/.test(name)) return SHF_ALLOC;
  if (/^\.BTF/.test(name)) return 0;
  return SHF_ALLOC | SHF_WRITE;
}

export function writeElf(asm: AsmResult, opts: ElfWriteOptions = {}): ElfWriteResult {
  const warnings: string[] = [];
  const sections: OutSection[] = [{ name: '', type: 0, flags: 0, data: new Uint8Array(), size: 0, link: 0, info: 0, align: 0, entsize: 0 }];
  const indexOf = new Map<string, number>();
  const asmSections = [...asm.sections];
  if (opts.license !== undefined && !asmSections.some((s) => s.name === 'license')) {
    asmSections.push({
      name: 'license', kind: 'data', start: 0, count: 0, data: new TextEncoder().encode(opts.license + '\0'),
      flags: 'aw', nobits: false, relocs: [], range: { line: 0, start: 0, end: 0 },
    });
  }
  for (const s of asmSections) {
    const data = s.kind === 'code' ? encodeInsns(asm.insns.slice(s.start, s.start + s.count)) : s.data;
    const nobits = s.nobits && data.every((b) => b === 0);
    indexOf.set(s.name, sections.length);
    sections.push({
      name: s.name, type: nobits ? SHT_NOBITS : SHT_PROGBITS, flags: defaultFlags(s.name, s.kind, s.flags),
      data: nobits ? new Uint8Array() : data, size: data.length, link: 0, info: 0,
      align: s.kind === 'code' ? 8 : s.name === 'license' ? 1 : /^\.BTF/.test(s.name) ? 4 : 8, entsize: 0,
    });
  }

  // Symbols: section symbols, then labels (locals first, globals after, as ELF requires).
  const locals: OutSymbol[] = [{ name: '', value: 0, size: 0, bind: STB_LOCAL, type: STT_NOTYPE, shndx: 0 }];
  const globals: OutSymbol[] = [];
  for (const s of asmSections) locals.push({ name: '', value: 0, size: 0, bind: STB_LOCAL, type: STT_SECTION, shndx: indexOf.get(s.name)! });
  const referenced = new Set<string>();
  for (const s of asmSections) for (const r of s.relocs) referenced.add(r.symbol);

  const byteOffset = (label: { section: string; index: number }): number => {
    const s = asmSections.find((x) => x.name === label.section);
    return s && s.kind === 'code' ? (label.index - s.start) * 8 : label.index;
  };
  // Call targets are functions (libbpf finds subprograms by their STT_FUNC symbols).
  const callTargets = new Set<string>();
  for (const s of asmSections) {
    if (s.kind !== 'code') continue;
    for (const r of s.relocs) if (r.kind === 'call') callTargets.add(r.symbol);
    for (let i = s.start; i < s.start + s.count; i++) {
      const x = asm.insns[i];
      if (x.code === 0x85 && x.src === 1 && !s.relocs.some((r) => r.offset === (i - s.start) * 8)) {
        const target = i + 1 + x.imm;
        for (const l of asm.labels.values()) if (l.section === s.name && l.index === target) callTargets.add(l.name);
      }
    }
  }
  // Functions per code section, for sizes and for sections with no declared function.
  const funcStarts = new Map<string, number[]>();
  for (const l of asm.labels.values()) {
    const sym = asm.symbols.get(l.name);
    const s = asmSections.find((x) => x.name === l.section);
    if (!s || s.kind !== 'code') continue;
    if (sym?.type === 'func' || sym?.global || callTargets.has(l.name)) {
      const list = funcStarts.get(s.name) ?? [];
      list.push(byteOffset(l));
      funcStarts.set(s.name, list);
    }
  }
  const symIndex = new Map<string, OutSymbol>();
  for (const l of asm.labels.values()) {
    const sym = asm.symbols.get(l.name);
    const s = asmSections.find((x) => x.name === l.section);
    if (!s) continue;
    if (isTempLabel(l.name) && !(callTargets.has(l.name) && s.kind === 'code')) continue;
    const value = byteOffset(l);
    let type = sym?.type === 'func' ? STT_FUNC : sym?.type === 'object' ? STT_OBJECT : STT_NOTYPE;
    if (type === STT_NOTYPE && (sym?.global || callTargets.has(l.name))) type = s.kind === 'code' ? STT_FUNC : STT_OBJECT;
    let size = sym?.size ?? 0;
    if (sym?.size === undefined && type === STT_FUNC) {
      const sectionSize = s.kind === 'code' ? s.count * 8 : s.data.length;
      const next = (funcStarts.get(s.name) ?? []).filter((o) => o > value).sort((a, b) => a - b)[0];
      size = (next ?? sectionSize) - value;
    }
    const out: OutSymbol = { name: l.name, value, size, bind: sym?.global ? STB_GLOBAL : STB_LOCAL, type, shndx: indexOf.get(s.name)! };
    (out.bind === STB_GLOBAL ? globals : locals).push(out);
    symIndex.set(l.name, out);
  }
  // A code section without any function symbol gets one, so libbpf sees a program there.
  for (const s of asmSections) {
    if (s.kind !== 'code' || s.count === 0 || s.name === '.text') continue;
    if ([...symIndex.values()].some((x) => x.shndx === indexOf.get(s.name) && x.type === STT_FUNC && x.value === 0)) continue;
    const name = `prog_${s.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    const next = (funcStarts.get(s.name) ?? []).filter((o) => o > 0).sort((a, b) => a - b)[0];
    const out: OutSymbol = { name, value: 0, size: next ?? s.count * 8, bind: STB_GLOBAL, type: STT_FUNC, shndx: indexOf.get(s.name)! };
    globals.push(out);
    symIndex.set(name, out);
  }
  // Temporary labels referenced by relocations are reached through their section symbol.
  for (const name of referenced) {
    const l = asm.labels.get(name);
    if (symIndex.has(name) || !l) continue;
    const s = asmSections.find((x) => x.name === l.section);
    if (!s) continue;
    symIndex.set(name, { name, value: byteOffset(l), size: 0, bind: STB_LOCAL, type: STT_NOTYPE, shndx: indexOf.get(s.name)! });
  }
  // Undefined symbols: externs (kfuncs, ksyms) and names defined elsewhere.
  for (const name of referenced) {
    if (symIndex.has(name)) continue;
    const out: OutSymbol = { name, value: 0, size: 0, bind: STB_GLOBAL, type: STT_NOTYPE, shndx: 0 };
    globals.push(out);
    symIndex.set(name, out);
    if (!asm.symbols.has(name)) warnings.push(`'${name}' is not defined: written as an undefined (extern) symbol`);
  }
  const allSyms = [...locals, ...globals];
  const symNumber = new Map<OutSymbol, number>(allSyms.map((s, i) => [s, i]));

  // clang's rule for 4-byte data words (BPFELFObjectWriter): R_BPF_64_NODYLD32 for a temporary
  // label in code (.BTF.ext instruction offsets) or a named symbol in writable data (.BTF DATASEC
  // offsets), which RuntimeDyld must not apply; R_BPF_64_ABS32 otherwise.
  const word32RelocType = (name: string): number => {
    const l = asm.labels.get(name);
    const sec = l ? sections[indexOf.get(l.section) ?? 0] : undefined;
    if (!l || !sec) return RELOC_TYPE.abs32;
    const alloc = (sec.flags & SHF_ALLOC) !== 0;
    if (isTempLabel(name)) return alloc && sec.flags & SHF_EXECINSTR ? RELOC_TYPE.nodyld32 : RELOC_TYPE.abs32;
    return alloc && sec.flags & SHF_WRITE ? RELOC_TYPE.nodyld32 : RELOC_TYPE.abs32;
  };
  // Relocation sections.
  const relSections: OutSection[] = [];
  for (const s of asmSections) {
    if (s.relocs.length === 0) continue;
    const rel = new Uint8Array(s.relocs.length * 16);
    const dv = new DataView(rel.buffer);
    const target = sections[indexOf.get(s.name)!];
    const tv = new DataView(target.data.buffer, target.data.byteOffset, target.data.byteLength);
    [...s.relocs].sort((a, b) => a.offset - b.offset).forEach((r, i) => {
      let sym = symIndex.get(r.symbol)!;
      // Like clang, a local symbol in code is reached through its section symbol, with the
      // offset in the instruction (a call's imm counts instructions, minus one).
      if (sym.bind === STB_LOCAL && sym.shndx !== 0 && sym.type !== STT_SECTION) {
        const secSym = locals.find((x) => x.type === STT_SECTION && x.shndx === sym.shndx)!;
        if (s.kind === 'code' && (r.kind === 'ld64' || r.kind === 'call') && r.offset + 8 <= target.data.length) {
          const imm = tv.getInt32(r.offset + 4, true);
          if (r.kind === 'call') tv.setInt32(r.offset + 4, sym.value / 8 + imm, true);
          else tv.setInt32(r.offset + 4, imm + sym.value, true);
          sym = secSym;
        } else if (s.kind === 'data' && r.kind === 'abs64' && r.offset + 8 <= target.data.length) {
          tv.setBigUint64(r.offset, tv.getBigUint64(r.offset, true) + BigInt(sym.value), true);
          sym = secSym;
        } else if (s.kind === 'data' && (r.kind === 'abs32' || r.kind === 'nodyld32') && r.offset + 4 <= target.data.length) {
          tv.setUint32(r.offset, (tv.getUint32(r.offset, true) + sym.value) >>> 0, true);
          sym = secSym;
        }
      }
      // LD_IMM64 relocations point at the instruction; clang's ABS relocs point at the datum.
      dv.setBigUint64(i * 16, BigInt(r.offset), true);
      if (!symNumber.has(sym)) {
        warnings.push(`relocation against temporary label '${r.symbol}' could not be expressed; written against its section`);
        sym = locals.find((x) => x.type === STT_SECTION && x.shndx === sym.shndx) ?? locals[0];
      }
      const type = r.kind === 'abs32' || r.kind === 'nodyld32' ? word32RelocType(r.symbol) : RELOC_TYPE[r.kind];
      dv.setBigUint64(i * 16 + 8, (BigInt(symNumber.get(sym)!) << 32n) | BigInt(type), true);
    });
    relSections.push({ name: `.rel${s.name}`, type: SHT_REL, flags: 0, data: rel, size: rel.length, link: -1, info: indexOf.get(s.name)!, align: 8, entsize: 16 });
  }
  sections.push(...relSections);

  const strtab = new StrTab();
  const symtabData = new Uint8Array(allSyms.length * 24);
  const sv = new DataView(symtabData.buffer);
  allSyms.forEach((s, i) => {
    const o = i * 24;
    sv.setUint32(o, strtab.add(s.name), true);
    sv.setUint8(o + 4, (s.bind << 4) | s.type);
    sv.setUint8(o + 5, 0);
    sv.setUint16(o + 6, s.shndx, true);
    sv.setBigUint64(o + 8, BigInt(s.value), true);
    sv.setBigUint64(o + 16, BigInt(s.size), true);
  });
  const symtabIndex = sections.length;
  const strtabIndex = symtabIndex + 1;
  sections.push({ name: '.symtab', type: SHT_SYMTAB, flags: 0, data: symtabData, size: symtabData.length, link: strtabIndex, info: locals.length, align: 8, entsize: 24 });
  const strData = strtab.bytes();
  sections.push({ name: '.strtab', type: SHT_STRTAB, flags: 0, data: strData, size: strData.length, link: 0, info: 0, align: 1, entsize: 0 });
  for (const s of sections) if (s.link === -1) s.link = symtabIndex;
  const shstr = new StrTab();
  const nameOffsets = sections.map((s) => shstr.add(s.name));
  const shstrtabIndex = sections.length;
  nameOffsets.push(shstr.add('.shstrtab'));
  const shstrData = shstr.bytes();
  sections.push({ name: '.shstrtab', type: SHT_STRTAB, flags: 0, data: shstrData, size: shstrData.length, link: 0, info: 0, align: 1, entsize: 0 });

  // Layout: header, section contents (aligned), section header table.
  let off = 64;
  const offsets: number[] = [];
  for (const s of sections) {
    const a = Math.max(1, s.align);
    off = Math.ceil(off / a) * a;
    offsets.push(off);
    if (s.type !== SHT_NOBITS) off += s.data.length;
  }
  off = Math.ceil(off / 8) * 8;
  const shoff = off;
  const total = shoff + sections.length * 64;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELFCLASS64, little endian, version 1, SYSV
  dv.setUint16(16, 1, true); // ET_REL
  dv.setUint16(18, EM_BPF, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(40, BigInt(shoff), true);
  dv.setUint16(52, 64, true); // ehsize
  dv.setUint16(58, 64, true); // shentsize
  dv.setUint16(60, sections.length, true);
  dv.setUint16(62, shstrtabIndex, true);
  sections.forEach((s, i) => {
    if (i > 0 && s.type !== SHT_NOBITS) out.set(s.data, offsets[i]);
    const h = shoff + i * 64;
    if (i === 0) return;
    dv.setUint32(h, nameOffsets[i] ?? 0, true);
    dv.setUint32(h + 4, s.type, true);
    dv.setBigUint64(h + 8, BigInt(s.flags), true);
    dv.setBigUint64(h + 24, BigInt(offsets[i]), true);
    dv.setBigUint64(h + 32, BigInt(s.size), true);
    dv.setUint32(h + 40, s.link, true);
    dv.setUint32(h + 44, s.info, true);
    dv.setBigUint64(h + 48, BigInt(s.align), true);
    dv.setBigUint64(h + 56, BigInt(s.entsize), true);
  });
  return { bytes: out, warnings };
}
