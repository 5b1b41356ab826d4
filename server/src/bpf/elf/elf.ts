// ELF64 little/big-endian reader for BPF relocatable objects: header, sections, symbols and
// relocations. Hostile input yields errors, never exceptions: every offset and count is checked
// against the file size before use, so work and memory are bounded by the input length.

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

export const EM_BPF = 247;

export const R_BPF_NONE = 0;
export const R_BPF_64_64 = 1;
export const R_BPF_64_ABS64 = 2;
export const R_BPF_64_ABS32 = 3;
export const R_BPF_64_NODYLD32 = 4;
export const R_BPF_64_32 = 10;

export const RELOC_TYPE_NAMES: Record<number, string> = {
  0: 'R_BPF_NONE', 1: 'R_BPF_64_64', 2: 'R_BPF_64_ABS64', 3: 'R_BPF_64_ABS32', 4: 'R_BPF_64_NODYLD32', 10: 'R_BPF_64_32',
};

export interface ElfHeader {
  littleEndian: boolean;
  type: number;
  machine: number;
  version: number;
  flags: number;
  shoff: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** the section's bytes (empty for SHT_NOBITS) */
  data: Uint8Array;
}

export interface ElfSymbol {
  index: number;
  name: string;
  value: number;
  size: number;
  bind: number;
  type: number;
  visibility: number;
  shndx: number;
}

export interface ElfRelocation {
  /** byte offset inside the target section */
  offset: number;
  type: number;
  /** symbol index in the symbol table */
  sym: number;
  /** explicit addend (RELA only; 0 for REL) */
  addend: number;
}

export interface ElfFile {
  header: ElfHeader;
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** relocations by the index of the section they apply to */
  relocations: Map<number, ElfRelocation[]>;
  bytes: Uint8Array;
  sectionByName(name: string): ElfSection | undefined;
}

const EMPTY = new Uint8Array(0);
const MAX_SAFE_HI = 0x1fffff; // high word limit so a u64 stays an exact JS number

class Reader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly le: boolean) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(o: number): number { return this.view.getUint8(o); }
  u16(o: number): number { return this.view.getUint16(o, this.le); }
  u32(o: number): number { return this.view.getUint32(o, this.le); }
  /** u64 as a number; values beyond 2^53 become NaN so range checks reject them */
  u64(o: number): number {
    const lo = this.view.getUint32(o + (this.le ? 0 : 4), this.le);
    const hi = this.view.getUint32(o + (this.le ? 4 : 0), this.le);
    return hi > MAX_SAFE_HI ? NaN : hi * 0x100000000 + lo;
  }
  i64(o: number): number {
    const lo = this.view.getUint32(o + (this.le ? 0 : 4), this.le);
    const hi = this.view.getInt32(o + (this.le ? 4 : 0), this.le);
    return hi * 0x100000000 + lo;
  }
}

function inRange(off: number, len: number, total: number): boolean {
  return Number.isSafeInteger(off) && Number.isSafeInteger(len) && off >= 0 && len >= 0 && off + len <= total;
}

/** A NUL-terminated string from a string table, or an error text when out of range. */
export function cString(table: Uint8Array, off: number, maxLen = 4096): string | undefined {
  if (!(off >= 0 && off < table.length)) return off === 0 && table.length === 0 ? '' : undefined;
  let end = off;
  const lim = Math.min(table.length, off + maxLen);
  while (end < lim && table[end] !== 0) end++;
  if (end === lim && end === table.length) return undefined; // not terminated
  let s = '';
  for (let i = off; i < end; i++) s += String.fromCharCode(table[i]);
  // names are ASCII in practice; decode UTF-8 only when needed
  if (/[\x80-\xff]/.test(s)) s = new TextDecoder().decode(table.subarray(off, end));
  return s;
}

export interface ReadElfOptions {
  /** which relocation sections to decode, by their target section (default: all) */
  relocationsFor?: (target: ElfSection) => boolean;
}

export function readElf(bytes: Uint8Array, opts: ReadElfOptions = {}): { elf?: ElfFile; errors: string[] } {
  const errors: string[] = [];
  const fail = (msg: string) => ({ errors: [...errors, msg] });
  try {
    return readElfUnchecked(bytes, errors, fail, opts);
  } catch (e) {
    // Only DataView range errors can land here, and every read is checked first; keep the
    // contract (no escaped exception) even if a check was missed.
    return fail(`malformed ELF: ${(e as Error).message}`);
  }
}

function readElfUnchecked(
  bytes: Uint8Array,
  errors: string[],
  fail: (m: string) => { errors: string[] },
  opts: ReadElfOptions,
): { elf?: ElfFile; errors: string[] } {
  if (bytes.length < 64) return fail(`not an ELF64 object: file is ${bytes.length} bytes, the ELF64 header alone is 64`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return fail('not an ELF file (bad magic)');
  if (bytes[4] !== 2) return fail(`not an ELF64 object (EI_CLASS ${bytes[4]}); BPF objects are 64-bit`);
  if (bytes[5] !== 1 && bytes[5] !== 2) return fail(`bad ELF data encoding ${bytes[5]}`);
  const r = new Reader(bytes, bytes[5] === 1);
  const header: ElfHeader = {
    littleEndian: r.le,
    type: r.u16(16),
    machine: r.u16(18),
    version: r.u32(20),
    flags: r.u32(48),
    shoff: r.u64(40),
    shentsize: r.u16(58),
    shnum: r.u16(60),
    shstrndx: r.u16(62),
  };
  if (header.machine !== EM_BPF) errors.push(`ELF machine is ${header.machine}, not EM_BPF (247)`);
  if (header.shoff === 0) return fail('ELF has no section header table');
  if (header.shentsize !== 64) return fail(`bad ELF section header size ${header.shentsize} (expected 64)`);
  if (!inRange(header.shoff, 64, bytes.length)) return fail(`section header table offset ${header.shoff} is outside the file (${bytes.length} bytes)`);
  let shnum = header.shnum;
  let shstrndx = header.shstrndx;
  // extended numbering: counts live in section 0
  if (shnum === 0) shnum = r.u64(header.shoff + 32);
  if (shstrndx === SHN_XINDEX) shstrndx = r.u32(header.shoff + 40);
  if (!Number.isSafeInteger(shnum) || !inRange(header.shoff, shnum * 64, bytes.length)) {
    return fail(`section header table (${shnum} entries at ${header.shoff}) runs past the end of the file (${bytes.length} bytes)`);
  }
  header.shnum = shnum;
  header.shstrndx = shstrndx;

  const raw: Omit<ElfSection, 'name' | 'data'>[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = header.shoff + i * 64;
    raw.push({
      index: i,
      type: r.u32(o + 4),
      flags: r.u64(o + 8),
      addr: r.u64(o + 16),
      offset: r.u64(o + 24),
      size: r.u64(o + 32),
      link: r.u32(o + 40),
      info: r.u32(o + 44),
      addralign: r.u64(o + 48),
      entsize: r.u64(o + 56),
    });
  }
  // section data must lie within the file and not overlap each other or the header table
  const spans: [number, number, number][] = [[0, 64, -1], [header.shoff, header.shoff + shnum * 64, -2]];
  for (const s of raw) {
    if (s.type === SHT_NOBITS || s.type === SHT_NULL) continue;
    if (!inRange(s.offset, s.size, bytes.length)) {
      return fail(`section ${s.index}: data (offset ${s.offset}, size ${s.size}) is outside the file (${bytes.length} bytes)`);
    }
    if (s.size > 0) spans.push([s.offset, s.offset + s.size, s.index]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) {
      const what = (k: number) => (k === -1 ? 'the ELF header' : k === -2 ? 'the section header table' : `section ${k}`);
      return fail(`${what(spans[i][2])} overlaps ${what(spans[i - 1][2])}`);
    }
  }
  if (shstrndx >= shnum) return fail(`section name table index ${shstrndx} is out of range (${shnum} sections)`);
  const strSec = raw[shstrndx];
  const shstr = strSec.type === SHT_NOBITS ? new Uint8Array(0) : bytes.subarray(strSec.offset, strSec.offset + strSec.size);
  const sections: ElfSection[] = raw.map((s) => {
    const name = cString(shstr, r.u32(header.shoff + s.index * 64));
    if (name === undefined) errors.push(`section ${s.index}: name offset is outside the section name table`);
    const data = s.type === SHT_NOBITS || s.type === SHT_NULL ? EMPTY : bytes.subarray(s.offset, s.offset + s.size);
    return {
      index: s.index, name: name ?? `<section ${s.index}>`, type: s.type, flags: s.flags, addr: s.addr, offset: s.offset,
      size: s.size, link: s.link, info: s.info, addralign: s.addralign, entsize: s.entsize, data,
    };
  });
  if (errors.length && errors.some((e) => !e.startsWith('ELF machine'))) return { errors };

  // symbol table (the first SHT_SYMTAB)
  const symbols: ElfSymbol[] = [];
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab) {
    if (symtab.entsize !== 24 && symtab.entsize !== 0) return fail(`symbol table entry size ${symtab.entsize} (expected 24)`);
    if (symtab.size % 24 !== 0) return fail(`symbol table size ${symtab.size} is not a multiple of 24`);
    if (symtab.link >= shnum) return fail(`symbol table string table index ${symtab.link} is out of range`);
    const strtab = sections[symtab.link].data;
    const n = symtab.size / 24;
    const sr = new Reader(symtab.data, r.le);
    for (let i = 0; i < n; i++) {
      const o = i * 24;
      const nameOff = sr.u32(o);
      const name = cString(strtab, nameOff);
      if (name === undefined) return fail(`symbol ${i}: name offset ${nameOff} is outside the string table`);
      const info = sr.u8(o + 4);
      symbols.push({
        index: i,
        name,
        bind: info >> 4,
        type: info & 0xf,
        visibility: sr.u8(o + 5) & 3,
        shndx: sr.u16(o + 6),
        value: sr.u64(o + 8),
        size: sr.u64(o + 16),
      });
    }
  }

  const relocations = new Map<number, ElfRelocation[]>();
  for (const s of sections) {
    if (s.type !== SHT_REL && s.type !== SHT_RELA) continue;
    const rela = s.type === SHT_RELA;
    const ent = rela ? 24 : 16;
    if (s.size % ent !== 0) return fail(`relocation section ${s.name}: size ${s.size} is not a multiple of ${ent}`);
    if (s.info >= shnum || s.info === 0) return fail(`relocation section ${s.name}: target section index ${s.info} is out of range`);
    const target = sections[s.info];
    if (opts.relocationsFor && !opts.relocationsFor(target)) continue;
    const rr = new Reader(s.data, r.le);
    const list = relocations.get(s.info) ?? [];
    for (let i = 0; i < s.size / ent; i++) {
      const o = i * ent;
      const offset = rr.u64(o);
      const info = rr.view.getUint32(o + (r.le ? 8 : 12), r.le);
      const sym = rr.view.getUint32(o + (r.le ? 12 : 8), r.le);
      if (!(offset < target.size)) return fail(`relocation section ${s.name}: entry ${i} offset ${offset} is outside section ${target.name} (${target.size} bytes)`);
      if (sym >= symbols.length) return fail(`relocation section ${s.name}: entry ${i} symbol index ${sym} is out of range (${symbols.length} symbols)`);
      list.push({ offset, type: info, sym, addend: rela ? rr.i64(o + 16) : 0 });
    }
    relocations.set(s.info, list);
  }

  const byName = new Map<string, ElfSection>();
  for (const s of sections) if (!byName.has(s.name)) byName.set(s.name, s);
  return {
    elf: { header, sections, symbols, relocations, bytes, sectionByName: (n) => byName.get(n) },
    errors,
  };
}
