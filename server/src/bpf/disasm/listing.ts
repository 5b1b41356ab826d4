// Disassembly listings of BPF ELF objects in llvm-objdump's format (`-d`, with `-S`-style source
// lines taken from .BTF.ext line_info and `-r` relocation lines). The listing can be assembled
// back (the assembler reads this format), and the LSP highlights it with the same grammar.
// Unlike the rest of bpf/asm, this reads objects, so it uses the ELF and BTF readers.
import { readElf, SHF_EXECINSTR, STT_FILE, STT_SECTION, RELOC_TYPE_NAMES, ElfFile, ElfRelocation } from '../elf/elf';
import { parseBtf } from '../btf/btf';
import { parseBtfExt, ExtLineInfo } from '../btf/ext';
import { decodeInsns, LD_IMM64 } from '../isa/insn';
import { printInsnLlvm } from '../isa/print';

export interface ListingOptions {
  /** Interleave source lines from BTF line_info (like llvm-objdump -S). Default true. */
  source?: boolean;
  /** Print relocation lines (like llvm-objdump -r). Default false. */
  relocs?: boolean;
  /** Print w registers in 32-bit loads/stores/atomics (llvm-objdump --mcpu=v3/v4). Default false. */
  alu32?: boolean;
  /** Only this section. */
  section?: string;
  /** The file name printed in the header line. */
  fileName?: string;
}

export interface Listing {
  text: string;
  errors: string[];
  /** Instructions printed, per section. */
  counts: Map<string, number>;
}

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

function lineInfoBySection(elf: ElfFile, errors: string[]): Map<string, ExtLineInfo[]> {
  const out = new Map<string, ExtLineInfo[]>();
  const btfSec = elf.sectionByName('.BTF');
  const extSec = elf.sectionByName('.BTF.ext');
  if (!btfSec || !extSec) return out;
  const b = parseBtf(btfSec.data);
  // the readers' messages mostly name their section already: prefix only those that do not
  if (!b.btf) { errors.push(...b.errors.map((e) => (/\bBTF\b/.test(e) ? e : `.BTF: ${e}`))); return out; }
  const e = parseBtfExt(extSec.data, b.btf.strings);
  if (!e.ext) { errors.push(...e.errors.map((x) => (x.includes('.BTF.ext') ? x : `.BTF.ext: ${x}`))); return out; }
  for (const s of e.ext.lineInfo) out.set(s.section, [...s.records].sort((a, c) => a.insnOff - c.insnOff));
  return out;
}

/** The listing of every executable section of an object. Never throws. */
export function disassembleObject(bytes: Uint8Array, opts: ListingOptions = {}): Listing {
  const errors: string[] = [];
  const counts = new Map<string, number>();
  const { elf, errors: elfErrors } = readElf(bytes);
  errors.push(...elfErrors);
  if (!elf) return { text: '', errors, counts };
  const out: string[] = ['', `${opts.fileName ?? 'object'}:\tfile format elf64-bpf`, ''];
  const lines = opts.source === false ? new Map<string, ExtLineInfo[]>() : lineInfoBySection(elf, errors);
  for (const sec of elf.sections) {
    if (!(sec.flags & SHF_EXECINSTR) || sec.size === 0) continue;
    if (opts.section !== undefined && sec.name !== opts.section) continue;
    const { insns, error } = decodeInsns(sec.data);
    if (error) errors.push(`${sec.name}: ${error}`);
    const syms = elf.symbols
      .filter((s) => s.shndx === sec.index && s.type !== STT_SECTION && s.type !== STT_FILE && s.name)
      .sort((a, b) => a.value - b.value || a.name.localeCompare(b.name));
    const symsAt = new Map<number, string[]>();
    for (const s of syms) {
      if (s.value % 8 !== 0) continue;
      const list = symsAt.get(s.value / 8) ?? [];
      list.push(s.name);
      symsAt.set(s.value / 8, list);
    }
    const targetName = (idx: number): string => {
      const addr = idx * 8;
      let best: { name: string; value: number } | undefined;
      for (const s of syms) if (s.value <= addr) best = s;
      if (!best) return addr ? `${sec.name}+0x${addr.toString(16)}` : sec.name;
      return addr === best.value ? best.name : `${best.name}+0x${(addr - best.value).toString(16)}`;
    };
    const relocs = new Map<number, ElfRelocation>();
    for (const r of elf.relocations.get(sec.index) ?? []) relocs.set(r.offset, r);
    const li = lines.get(sec.name) ?? [];
    let liPos = 0;
    let lastLine: string | undefined;
    out.push(`Disassembly of section ${sec.name}:`);
    let count = 0;
    for (let i = 0; i < insns.length; i++) {
      const names = symsAt.get(i);
      if (names) for (const n of names) out.push('', `${(i * 8).toString(16).padStart(16, '0')} <${n}>:`);
      while (liPos < li.length && li[liPos].insnOff < i) liPos++;
      if (liPos < li.length && li[liPos].insnOff === i) {
        const text = li[liPos].lineText;
        const key = `${li[liPos].fileName}:${li[liPos].line}`;
        if (key !== lastLine && text) out.push(`; ${text}`);
        lastLine = key;
      }
      const wide = insns[i].code === LD_IMM64 && i + 1 < insns.length;
      const raw = sec.data.subarray(i * 8, (i + (wide ? 2 : 1)) * 8);
      const text = printInsnLlvm(insns, i, { alu32: opts.alu32, targetName });
      out.push(`${String(i).padStart(8)}:\t${[...raw].map(hex2).join(' ')}\t${text}`);
      count++;
      if (opts.relocs) {
        const r = relocs.get(i * 8) ?? (wide ? relocs.get(i * 8 + 4) : undefined) ?? relocs.get(i * 8 + 4);
        if (r) {
          const sym = elf.symbols[r.sym];
          const name = sym ? (sym.type === STT_SECTION ? elf.sections[sym.shndx]?.name ?? '' : sym.name) : `#${r.sym}`;
          out.push(`\t\t${r.offset.toString(16).padStart(16, '0')}:  ${RELOC_TYPE_NAMES[r.type] ?? `R_BPF_${r.type}`}\t${name}`);
        }
      }
      if (wide) i++;
    }
    counts.set(sec.name, count);
    out.push('');
  }
  return { text: out.join('\n'), errors, counts };
}
