// The object loader: ELF object bytes → programs ready for the verifier and the emulator,
// following libbpf 1.x (tools/lib/bpf/libbpf.c): programs by section, maps (BTF-defined, legacy,
// global data, .kconfig), CO-RE relocations, subprogram linking in libbpf's append order, map and
// data relocations, kfunc/ksym externs, per-program func_info and line_info.
import { type Insn, LD_IMM64 } from '../isa/insn';
import {
  BPF_JMP, BPF_CALL, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_BTF_ID, BPF_INSN_SIZE,
} from '../isa/opcodes';
import {
  readElf, type ElfFile, type ElfSection, type ElfSymbol, SHT_PROGBITS, SHT_NOBITS, SHF_EXECINSTR,
  STB_LOCAL, STB_GLOBAL, STB_WEAK, STT_FUNC, STT_OBJECT, STT_NOTYPE, STT_SECTION, SHN_UNDEF, SHN_LORESERVE, R_BPF_64_64, R_BPF_64_32,
  R_BPF_NONE, RELOC_TYPE_NAMES,
} from '../elf/elf';
import { parseBtf, Btf } from '../btf/btf';
import { BtfKind } from '../btf/types';
import { parseBtfExt, type BtfExt, type ExtLineInfo, type ExtFuncInfo } from '../btf/ext';
import { classifySection, attachTypeNumber, SEC_ATTACH_BTF, type SectionInfo } from './sections';
import { MapType, ProgType } from '../progtypes';
import {
  parseBtfMapDef, type MapEntry, BPF_F_RDONLY_PROG, BPF_F_MMAPABLE, BPF_F_LINK, DEFAULT_MAX_ENTRIES,
} from './maps';
import { applyCoreRelo, CoreCandCache, essentialNameLen, typesAreCompat } from './core';
import type { LoadedObject, LoadedProgram, LineInfo, FuncInfo, Btf as BtfContract } from './types';

export interface LoadOptions {
  /** target kernel BTF for CO-RE, kfuncs and typed ksyms (raw bytes or parsed) */
  targetBtf?: Uint8Array | BtfContract;
  /** values for .kconfig externs: CONFIG_FOO -> 'y' | 'm' | 'n' | number | bigint | string */
  kconfig?: Record<string, string | number | bigint | boolean>;
  /** LINUX_KERNEL_VERSION for .kconfig (KERNEL_VERSION(a,b,c) encoding) */
  kernelVersion?: number;
  /** addresses of typeless ksyms (as /proc/kallsyms lists them) */
  kallsyms?: Map<string, bigint>;
  /** number of possible CPUs, for perf event arrays declared without max_entries */
  possibleCpus?: number;
}

export interface LoadResult {
  object?: LoadedObject;
  /** conditions libbpf would refuse the object for; the object is still returned when possible */
  errors: string[];
}

type RelocKind = 'call' | 'subprog_addr' | 'ld64' | 'data' | 'extern_call' | 'extern_ld64';
interface Reloc { kind: RelocKind; insnIdx: number; mapIdx: number; symOff: number; extIdx: number }

interface RawProg {
  name: string;
  secIdx: number;
  secName: string;
  /** first instruction (slot) of the function inside its section */
  secInsnOff: number;
  insnCnt: number;
  insns: Insn[];
  relocs: Reloc[];
  isSub: boolean;
  global: boolean;
  /** global or weak with hidden/internal visibility: libbpf verifies such subprograms as static */
  hidden: boolean;
  /** position of this (sub)program inside the main program being linked; 0 = not yet appended */
  subInsnOff: number;
  problems: { insn: number; message: string }[];
}

interface Extern {
  name: string;
  symIdx: number;
  weak: boolean;
  kind: 'kcfg' | 'ksym';
  btfId: number;
  /** ksym: the type id after skipping modifiers and typedefs (0 = typeless); kfunc: FUNC_PROTO */
  typeId: number;
  isFunc: boolean;
  kcfgSize: number;
  kcfgAlign: number;
  kcfgOff: number;
  resolved: boolean;
  kernelBtfId: number;
  addr: bigint;
}

/** ELF symbol visibility (st_other & 3) */
const STV_INTERNAL = 1;
const STV_HIDDEN = 2;
const MAX_INSNS_PER_OBJECT = 1 << 22;
/** BPF_COMPLEXITY_LIMIT_INSNS: the kernel's cap on a program's size */
const MAX_PROG_INSNS = 1_000_000;
/** all programs together: subprograms are copied into every program that calls them */
const MAX_LINKED_TOTAL = 1 << 23;
/** larger than any array map value the kernel accepts (KMALLOC_MAX_SIZE is a few MB) */
const MAX_GLOBAL_DATA = 1 << 24;

function isCall(i: Insn): boolean { return i.code === (BPF_JMP | BPF_CALL); }
function isSubprogCall(i: Insn): boolean { return isCall(i) && i.src === BPF_PSEUDO_CALL && i.dst === 0 && i.off === 0; }
function isPseudoFunc(i: Insn): boolean { return i.code === LD_IMM64 && i.src === BPF_PSEUDO_FUNC; }

function decodeSection(data: Uint8Array, le: boolean): Insn[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = Math.floor(data.byteLength / BPF_INSN_SIZE);
  const out: Insn[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * BPF_INSN_SIZE;
    const regs = view.getUint8(o + 1);
    out[i] = {
      code: view.getUint8(o),
      dst: le ? regs & 0x0f : regs >> 4,
      src: le ? regs >> 4 : regs & 0x0f,
      off: view.getInt16(o + 2, le),
      imm: view.getInt32(o + 4, le),
    };
  }
  return out;
}

export function loadObject(elfBytes: Uint8Array, opts: LoadOptions = {}): LoadResult {
  try {
    return new ObjectLoader(elfBytes, opts).load();
  } catch (e) {
    // Every input check is explicit; this only keeps the no-exception contract if one was missed.
    return { errors: [`internal loader error: ${(e as Error).message}`] };
  }
}

/** Loads the target BTF from bytes or an already parsed Btf; errors become notes. */
function toTargetBtf(t: Uint8Array | BtfContract | undefined, notes: string[]): Btf | undefined {
  if (!t) return undefined;
  if (t instanceof Btf) return t;
  if (t instanceof Uint8Array) {
    const r = parseBtf(t);
    if (!r.btf) notes.push(`target BTF is unusable: ${r.errors.join('; ')}`);
    return r.btf;
  }
  // a foreign implementation of the contract: wrap its types
  return new Btf(t.types, new Uint8Array(1));
}

class ObjectLoader {
  private errors: string[] = [];
  private notes: string[] = [];
  private elf!: ElfFile;
  private btf?: Btf;
  private ext?: BtfExt;
  private targetBtf?: Btf;
  private progs: RawProg[] = [];
  private maps: MapEntry[] = [];
  private externs: Extern[] = [];
  private textShndx = -1;
  private mapsShndx = -1;
  private kconfigMapIdx = -1;
  private license = '';
  private kernVersion = 0;
  /** ELF section index -> data kind for global data sections */
  private dataSecs = new Map<number, 'data' | 'rodata' | 'bss'>();
  private structOpsSecs: ElfSection[] = [];
  /** instructions copied into linked programs so far (bounded: see MAX_LINKED_TOTAL) */
  private linkedTotal = 0;

  constructor(private readonly bytes: Uint8Array, private readonly opts: LoadOptions) {}

  load(): LoadResult {
    // libbpf only uses relocations of code and of '.maps'; skip the (many) debug-info ones
    const r = readElf(this.bytes, { relocationsFor: (t) => (t.flags & SHF_EXECINSTR) !== 0 || t.name === '.maps' || isStructOpsSec(t.name) });
    if (!r.elf) return { errors: r.errors };
    this.elf = r.elf;
    for (const e of r.errors) this.notes.push(e);
    this.targetBtf = toTargetBtf(this.opts.targetBtf, this.notes);
    this.collectSections();
    this.collectExterns();
    this.initMaps();
    this.collectProgRelocs();
    this.collectMapRelocs();
    this.applyCore();
    this.resolveExterns();
    const programs = this.linkPrograms();
    const object: LoadedObject = {
      programs,
      maps: this.maps.map((m) => m.def),
      btf: this.btf,
      targetBtf: this.targetBtf,
      license: this.license,
      kernVersion: this.kernVersion,
      notes: this.notes,
    };
    return { object, errors: this.errors };
  }

  private sym(i: number): ElfSymbol | undefined { return this.elf.symbols[i]; }

  private collectSections(): void {
    const { elf } = this;
    const le = elf.header.littleEndian;
    const btfSec = elf.sectionByName('.BTF');
    if (btfSec && btfSec.type === SHT_PROGBITS) {
      const b = parseBtf(btfSec.data);
      if (b.btf) {
        this.btf = b.btf;
        this.fixupDatasecs();
      } else this.notes.push(`.BTF is unusable, continuing without it: ${b.errors.join('; ')}`);
    }
    const extSec = elf.sectionByName('.BTF.ext');
    if (extSec && this.btf) {
      const e = parseBtfExt(extSec.data, this.btf.strings);
      if (e.ext) this.ext = e.ext;
      else this.notes.push(`.BTF.ext is unusable, continuing without line info and CO-RE: ${e.errors.join('; ')}`);
    }
    let totalInsns = 0;
    for (const s of elf.sections) {
      if (s.name === 'license') {
        const end = s.data.indexOf(0);
        this.license = new TextDecoder().decode(s.data.subarray(0, end < 0 ? s.data.length : end));
      } else if (s.name === 'version') {
        if (s.data.length !== 4) this.errors.push(`invalid kver section: size ${s.data.length}, expected 4`);
        else this.kernVersion = new DataView(s.data.buffer, s.data.byteOffset, 4).getUint32(0, le);
      } else if (s.name === '.maps') {
        this.mapsShndx = s.index;
      } else if (s.type === SHT_PROGBITS && s.data.length > 0) {
        if (s.flags & SHF_EXECINSTR) {
          if (s.name === '.text') this.textShndx = s.index;
          totalInsns += s.data.length / 8;
          if (totalInsns > MAX_INSNS_PER_OBJECT) { this.errors.push('object has more than 4M instructions; refusing to load'); return; }
          this.addPrograms(s);
        } else if (s.name === '.data' || s.name.startsWith('.data.')) {
          this.dataSecs.set(s.index, 'data');
        } else if (isStructOpsSec(s.name)) {
          this.structOpsSecs.push(s);
        } else if (s.name === '.rodata' || s.name.startsWith('.rodata.')) {
          this.dataSecs.set(s.index, 'rodata');
        }
      } else if (s.type === SHT_NOBITS && (s.name === '.bss' || s.name.startsWith('.bss.'))) {
        this.dataSecs.set(s.index, 'bss');
      }
    }
    this.progs.sort((a, b) => a.secIdx - b.secIdx || a.secInsnOff - b.secInsnOff);
    this.markHiddenSubprogsStatic();
    // libbpf 1.1 treats a lone .text function as a program; objects assembled from plain BPF
    // assembly often have only .text, so every .text function becomes an entry point then
    if (this.progs.length > 0 && this.progs.every((p) => p.isSub)) {
      for (const p of this.progs) p.isSub = false;
      if (this.progs.length > 1) this.notes.push('no program sections: treating every .text function as a program (libbpf would treat them as subprograms)');
    }
  }

  /**
   * Like libbpf (bpf_object__sanitize_and_load_btf): a global or weak subprogram with hidden or
   * internal visibility (`__hidden`, as in usdt.bpf.h) gets BTF_FUNC_STATIC linkage, so the kernel
   * verifies it with its caller's context instead of as a global function.
   */
  private markHiddenSubprogsStatic(): void {
    if (!this.btf) return;
    for (const p of this.progs) {
      if (!p.isSub || !p.hidden) continue;
      const f = this.btf.allByName(p.name, BtfKind.FUNC).find((t) => t.linkage === 1);
      f?.setFuncLinkage?.(0);
    }
  }

  /**
   * Clang leaves DATASEC sizes and variable offsets as 0; like libbpf, take them from the ELF
   * section and symbols, then sort each DATASEC's variables by offset (map order follows it).
   */
  private fixupDatasecs(): void {
    const btf = this.btf!;
    for (const t of btf.types) {
      if (t.kind !== BtfKind.DATASEC || t.name === '.kconfig' || t.name === '.ksyms') continue;
      const sec = this.elf.sectionByName(t.name);
      let fixOffsets = false;
      if (t.size === 0 && sec && sec.size > 0) {
        t.size = sec.size;
        fixOffsets = true;
      }
      const si = t.secinfo!;
      if (fixOffsets && sec) {
        for (const vi of si) {
          const v = btf.get(vi.type);
          if (!v || v.kind !== BtfKind.VAR || v.linkage === 0 || v.linkage === 2) continue;
          const sym = this.elf.symbols.find((x) => x.name === v.name && x.shndx === sec.index && x.type === STT_OBJECT);
          if (sym) vi.offset = sym.value;
          else this.notes.push(`DATASEC '${t.name}': no ELF symbol for variable '${v.name}'`);
        }
      }
      const sorted = [...si].sort((a, b) => a.offset - b.offset);
      for (let i = 0; i < si.length; i++) si[i] = sorted[i];
    }
  }

  private addPrograms(s: ElfSection): void {
    if (s.data.length % 8 !== 0) {
      this.errors.push(`section '${s.name}': size ${s.data.length} is not a multiple of 8`);
      return;
    }
    const all = decodeSection(s.data, this.elf.header.littleEndian);
    for (const sym of this.elf.symbols) {
      if (sym.shndx !== s.index || sym.type !== STT_FUNC) continue;
      if (sym.value + sym.size > s.data.length || sym.value % 8 !== 0 || sym.size % 8 !== 0) {
        this.errors.push(`sec '${s.name}': program '${sym.name}' at offset ${sym.value} crosses the section boundary`);
        continue;
      }
      if (s.index !== this.textShndx && s.name !== '.text' && sym.bind === STB_LOCAL) {
        this.errors.push(`sec '${s.name}': program '${sym.name}' is static and not supported (libbpf refuses static programs outside .text)`);
        continue;
      }
      const off = sym.value / 8;
      const cnt = sym.size / 8;
      this.progs.push({
        name: sym.name,
        secIdx: s.index,
        secName: s.name,
        secInsnOff: off,
        insnCnt: cnt,
        insns: all.slice(off, off + cnt),
        relocs: [],
        isSub: s.name === '.text',
        global: sym.bind !== STB_LOCAL,
        hidden: sym.bind !== STB_LOCAL && (sym.visibility === STV_HIDDEN || sym.visibility === STV_INTERNAL),
        subInsnOff: 0,
        problems: [],
      });
    }
  }

  // ---- externs -------------------------------------------------------------------------------

  private collectExterns(): void {
    const { btf } = this;
    for (const sym of this.elf.symbols) {
      if (sym.shndx !== SHN_UNDEF || (sym.bind !== STB_GLOBAL && sym.bind !== STB_WEAK) || sym.type !== STT_NOTYPE || !sym.name) continue;
      if (!btf) { this.errors.push(`extern '${sym.name}' needs BTF, but the object has none`); continue; }
      const found = findExternBtf(btf, sym.name);
      if (!found) { this.errors.push(`failed to find BTF for extern '${sym.name}'`); continue; }
      const { varOrFunc, secName } = found;
      const ext: Extern = {
        name: varOrFunc.name, symIdx: sym.index, weak: sym.bind === STB_WEAK, kind: 'ksym', btfId: varOrFunc.id,
        typeId: 0, isFunc: varOrFunc.kind === BtfKind.FUNC, kcfgSize: 0, kcfgAlign: 0, kcfgOff: 0, resolved: false,
        kernelBtfId: 0, addr: 0n,
      };
      if (secName === '.kconfig') {
        if (ext.isFunc) { this.errors.push(`extern function ${ext.name} is unsupported under .kconfig section`); continue; }
        ext.kind = 'kcfg';
        const size = btf.sizeOf(varOrFunc.type);
        const align = btf.alignOf(varOrFunc.type);
        if (!size || !align) { this.errors.push(`failed to resolve size of extern (kcfg) '${ext.name}'`); continue; }
        ext.kcfgSize = size;
        ext.kcfgAlign = align;
      } else if (secName === '.ksyms') {
        ext.typeId = ext.isFunc ? varOrFunc.type : Math.max(0, btf.resolve(varOrFunc.type));
      } else {
        this.errors.push(`unrecognized extern section '${secName}'`);
        continue;
      }
      this.externs.push(ext);
    }
    // libbpf's order: kconfig before ksym; kconfig by alignment (descending), size (ascending); then name
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    this.externs.sort((a, b) => {
      if (a.kind !== b.kind) return a.kind === 'kcfg' ? -1 : 1;
      if (a.kind === 'kcfg') {
        if (a.kcfgAlign !== b.kcfgAlign) return b.kcfgAlign - a.kcfgAlign;
        if (a.kcfgSize !== b.kcfgSize) return a.kcfgSize - b.kcfgSize;
      }
      return cmp(a.name, b.name);
    });
    let off = 0;
    for (const e of this.externs) {
      if (e.kind !== 'kcfg') continue;
      e.kcfgOff = Math.ceil(off / e.kcfgAlign) * e.kcfgAlign;
      off = e.kcfgOff + e.kcfgSize;
    }
    // like libbpf, the .kconfig DATASEC describes the map value: variable offsets and total size
    const kds = off > 0 ? btf?.byName('.kconfig', BtfKind.DATASEC) : undefined;
    if (kds && btf) {
      kds.size = off;
      for (const vi of kds.secinfo!) {
        const e = this.externs.find((x) => x.kind === 'kcfg' && x.btfId === vi.type);
        if (e) vi.offset = e.kcfgOff;
      }
    }
  }

  // ---- maps ----------------------------------------------------------------------------------

  private addMap(e: MapEntry): number {
    e.def.index = this.maps.length;
    this.maps.push(e);
    return e.def.index;
  }

  private initMaps(): void {
    this.initLegacyMaps();
    this.initBtfMaps();
    this.initGlobalDataMaps();
    this.initKconfigMap();
    this.initStructOpsMaps();
    for (const m of this.maps) {
      const d = m.def;
      if (d.maxEntries === 0 && m.kind === 'btf') {
        if (d.type === MapType.PERF_EVENT_ARRAY) {
          d.maxEntries = this.opts.possibleCpus ?? 1;
          this.notes.push(`map '${d.name}': perf event array without max_entries; libbpf sets it to the number of possible CPUs (assuming ${d.maxEntries})`);
        } else {
          d.maxEntries = DEFAULT_MAX_ENTRIES;
          this.notes.push(`map '${d.name}' has max_entries 0: user space must set it before load; assuming ${DEFAULT_MAX_ENTRIES}`);
        }
      }
    }
  }

  private initLegacyMaps(): void {
    const sec = this.elf.sectionByName('maps');
    if (!sec) return;
    this.notes.push("legacy map definitions in 'maps' section are not supported by libbpf v1.0+; bpfls reads them as struct bpf_map_def");
    const le = this.elf.header.littleEndian;
    const syms = this.elf.symbols.filter((s) => s.shndx === sec.index && s.type !== STT_SECTION && s.name).sort((a, b) => a.value - b.value);
    const view = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
    const n = syms.length;
    if (n === 0) return;
    const defSize = Math.floor(sec.size / n);
    if (defSize < 20) { this.errors.push(`legacy 'maps' section: definition size ${defSize} is smaller than struct bpf_map_def (20)`); return; }
    for (const s of syms) {
      if (s.value + 20 > sec.data.length) { this.errors.push(`legacy map '${s.name}' is outside the 'maps' section`); continue; }
      const u = (o: number) => view.getUint32(s.value + o, le);
      this.addMap({
        def: { index: -1, name: s.name, type: u(0), keySize: u(4), valueSize: u(8), maxEntries: u(12), flags: u(16) },
        secIdx: sec.index, secOffset: s.value, defSize, kind: 'legacy',
      });
    }
  }

  private initBtfMaps(): void {
    if (this.mapsShndx < 0) return;
    const { btf } = this;
    if (!btf) { this.errors.push("'.maps' section needs BTF, but the object has none"); return; }
    const ds = btf.byName('.maps', BtfKind.DATASEC);
    if (!ds) { this.errors.push("DATASEC '.maps' not found in BTF"); return; }
    for (const vi of ds.secinfo!) {
      const v = btf.get(vi.type);
      if (!v || v.kind !== BtfKind.VAR) { this.errors.push(`.maps: entry ${vi.type} is not a VAR`); continue; }
      const errs: string[] = [];
      const parsed = parseBtfMapDef(btf, v.name, v.type, false, errs);
      this.errors.push(...errs);
      if (!parsed) continue;
      const d = parsed.def;
      this.addMap({
        def: d,
        secIdx: this.mapsShndx,
        secOffset: vi.offset,
        defSize: vi.size,
        valuesOffset: parsed.valuesBitOffset !== undefined ? parsed.valuesBitOffset / 8 : undefined,
        kind: 'btf',
      });
      if (d.inner || parsed.valuesBitOffset !== undefined) {
        const slots = d.maxEntries;
        d.initSlots = new Array(Math.min(slots, 1 << 16)).fill(null);
      }
    }
  }

  private initGlobalDataMaps(): void {
    for (const s of this.elf.sections) {
      const kind = this.dataSecs.get(s.index);
      if (!kind || s.size === 0) continue;
      if (s.size > MAX_GLOBAL_DATA) {
        this.errors.push(`section '${s.name}' is ${s.size} bytes: global data maps larger than ${MAX_GLOBAL_DATA} bytes cannot be created`);
        continue;
      }
      const ds = this.btf?.byName(s.name, BtfKind.DATASEC);
      const rdonly = kind === 'rodata';
      this.addMap({
        def: {
          index: -1, name: s.name, type: MapType.ARRAY, keySize: 4, valueSize: s.size, maxEntries: 1,
          flags: (rdonly ? BPF_F_RDONLY_PROG : 0) | BPF_F_MMAPABLE,
          btfValueTypeId: ds?.id,
          section: s.name,
          initialValue: kind === 'bss' ? new Uint8Array(s.size) : s.data.slice(),
          frozen: rdonly,
        },
        secIdx: s.index, secOffset: 0, defSize: s.size, kind,
      });
    }
  }

  /**
   * struct_ops maps (libbpf's bpf_object__init_struct_ops_maps): one map per variable of a
   * '.struct_ops' / '.struct_ops.link' section; its relocations say which program fills which
   * function-pointer member.
   */
  private initStructOpsMaps(): void {
    const btf = this.btf;
    for (const sec of this.structOpsSecs) {
      const name = sec.name.replace(/^\?/, '');
      if (!btf) { this.errors.push(`section '${sec.name}' needs BTF, but the object has none`); continue; }
      const ds = btf.byName(sec.name, BtfKind.DATASEC);
      if (!ds) { this.errors.push(`DATASEC '${sec.name}' not found in BTF`); continue; }
      const entries: MapEntry[] = [];
      for (const vi of ds.secinfo!) {
        const v = btf.get(vi.type);
        const st = v && btf.get(btf.resolve(v.type));
        if (!v || v.kind !== BtfKind.VAR || !st || st.kind !== BtfKind.STRUCT) {
          this.errors.push(`struct_ops: variable ${vi.type} in '${sec.name}' is not a struct`);
          continue;
        }
        if (vi.offset + vi.size > sec.data.length) { this.errors.push(`struct_ops map '${v.name}' lies outside '${sec.name}'`); continue; }
        const kernValue = this.targetBtf?.byName(`bpf_struct_ops_${st.name}`, BtfKind.STRUCT);
        const e: MapEntry = {
          def: {
            index: -1, name: v.name, type: MapType.STRUCT_OPS, keySize: 4, valueSize: kernValue?.size ?? st.size, maxEntries: 1,
            flags: name === '.struct_ops.link' ? BPF_F_LINK : 0, btfValueTypeId: st.id, section: sec.name,
            initialValue: sec.data.slice(vi.offset, vi.offset + vi.size),
          },
          secIdx: sec.index, secOffset: vi.offset, defSize: vi.size, kind: 'struct_ops', structType: st.id, structProgs: new Map(),
        };
        if (!kernValue) this.notes.push(`struct_ops map '${v.name}': the target BTF has no bpf_struct_ops_${st.name}; value size is the local struct size`);
        this.addMap(e);
        entries.push(e);
      }
      for (const rel of this.elf.relocations.get(sec.index) ?? []) {
        const sym = this.sym(rel.sym);
        const e = entries.find((x) => rel.offset >= x.secOffset && rel.offset < x.secOffset + x.defSize);
        if (!sym || !e) continue;
        const st = btf.get(e.structType!)!;
        const bit = (rel.offset - e.secOffset) * 8;
        const mi = st.members!.findIndex((m) => m.offset === bit);
        if (mi < 0) { this.errors.push(`struct_ops map '${e.def.name}': relocation at offset ${rel.offset} is not at a member`); continue; }
        e.structProgs!.set(mi, sym.name);
      }
      for (const e of entries) {
        const st = btf.get(e.structType!)!;
        e.def.initSlots = st.members!.map((_, i) => e.structProgs!.get(i) ?? null);
      }
    }
  }

  /** struct_ops programs: the kernel struct and member index they implement (libbpf sets these at load). */
  private structOpsAttach(main: RawProg): { attachBtfId?: number; member?: number } {
    for (const m of this.maps) {
      if (m.kind !== 'struct_ops') continue;
      for (const [mi, prog] of m.structProgs!) {
        if (prog !== main.name) continue;
        const st = this.btf!.get(m.structType!)!;
        const kern = this.targetBtf?.byName(st.name, BtfKind.STRUCT);
        if (!kern) return {};
        const km = kern.members!.findIndex((x) => x.name === st.members![mi].name);
        return { attachBtfId: kern.id, member: km < 0 ? undefined : km };
      }
    }
    return {};
  }

  private initKconfigMap(): void {
    const kc = this.externs.filter((e) => e.kind === 'kcfg');
    if (kc.length === 0) return;
    const last = kc[kc.length - 1];
    const size = last.kcfgOff + last.kcfgSize;
    if (size > MAX_GLOBAL_DATA) {
      this.errors.push(`.kconfig externs need ${size} bytes, more than a map value can hold`);
      return;
    }
    const value = new Uint8Array(size);
    const view = new DataView(value.buffer);
    for (const e of kc) this.setKconfigValue(e, view);
    this.kconfigMapIdx = this.addMap({
      def: {
        index: -1, name: '.kconfig', type: MapType.ARRAY, keySize: 4, valueSize: size, maxEntries: 1,
        flags: BPF_F_RDONLY_PROG | BPF_F_MMAPABLE, btfValueTypeId: this.btf?.byName('.kconfig', BtfKind.DATASEC)?.id,
        section: '.kconfig', initialValue: value, frozen: true,
      },
      secIdx: -1, secOffset: 0, defSize: size, kind: 'kconfig',
    });
  }

  private setKconfigValue(e: Extern, view: DataView): void {
    const btf = this.btf!;
    let v: string | number | bigint | boolean | undefined = this.opts.kconfig?.[e.name];
    if (e.name === 'LINUX_KERNEL_VERSION') v = this.opts.kernelVersion ?? v;
    else if (e.name === 'LINUX_HAS_BPF_COOKIE' || e.name === 'LINUX_HAS_SYSCALL_WRAPPER') v ??= 1;
    if (v === undefined) {
      // with the target's config at hand, libbpf refuses a strong extern the config does not set
      if (!e.weak && this.opts.kconfig) this.errors.push(`extern '${e.name}' (strong): not resolved`);
      else if (!e.weak) this.notes.push(`extern (kcfg) '${e.name}': value not provided; using 0 (libbpf reads it from the kernel config)`);
      return;
    }
    const t = btf.get(btf.resolve(btf.get(e.btfId)!.type));
    let num: bigint;
    if (typeof v === 'string') {
      if (t?.kind === BtfKind.ARRAY) {
        const s = v.replace(/^"|"$/g, '');
        for (let i = 0; i < Math.min(s.length, e.kcfgSize - 1); i++) view.setUint8(e.kcfgOff + i, s.charCodeAt(i) & 0xff);
        return;
      }
      num = v === 'y' ? 1n : v === 'm' ? 2n : v === 'n' ? 0n : /^-?(0x[0-9a-f]+|\d+)$/i.test(v) ? BigInt(v) : 0n;
    } else {
      num = typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v);
    }
    const o = e.kcfgOff;
    switch (e.kcfgSize) {
      case 1: view.setUint8(o, Number(BigInt.asUintN(8, num))); break;
      case 2: view.setUint16(o, Number(BigInt.asUintN(16, num)), true); break;
      case 4: view.setUint32(o, Number(BigInt.asUintN(32, num)), true); break;
      case 8: view.setBigUint64(o, BigInt.asUintN(64, num), true); break;
      default: this.notes.push(`extern (kcfg) '${e.name}': size ${e.kcfgSize} is not settable`);
    }
  }

  // ---- relocations ---------------------------------------------------------------------------

  private progBySecInsn(secIdx: number, insnIdx: number): RawProg | undefined {
    for (const p of this.progs) {
      if (p.secIdx === secIdx && insnIdx >= p.secInsnOff && insnIdx < p.secInsnOff + p.insnCnt) return p;
    }
    return undefined;
  }

  private collectProgRelocs(): void {
    for (const [secIdx, rels] of this.elf.relocations) {
      const sec = this.elf.sections[secIdx];
      if (!(sec.flags & SHF_EXECINSTR)) continue;
      for (const rel of rels) {
        if (rel.type === R_BPF_NONE) continue;
        const sym = this.sym(rel.sym);
        if (!sym) continue;
        if (rel.offset % 8 !== 0) { this.errors.push(`sec '${sec.name}': relocation at offset ${rel.offset} is not instruction-aligned`); continue; }
        const secInsn = rel.offset / 8;
        const prog = this.progBySecInsn(secIdx, secInsn);
        if (!prog) continue; // libbpf skips relocations outside any program
        if (rel.type !== R_BPF_64_64 && rel.type !== R_BPF_64_32) {
          this.notes.push(`prog '${prog.name}': ignoring ${RELOC_TYPE_NAMES[rel.type] ?? `relocation type ${rel.type}`} at insn ${secInsn - prog.secInsnOff}`);
          continue;
        }
        const r = this.recordReloc(prog, secInsn - prog.secInsnOff, sym, rel.sym);
        if (r) prog.relocs.push(r);
      }
    }
    for (const p of this.progs) p.relocs.sort((a, b) => a.insnIdx - b.insnIdx);
  }

  private recordReloc(prog: RawProg, insnIdx: number, sym: ElfSymbol, symIdx: number): Reloc | undefined {
    const insn = prog.insns[insnIdx];
    const base: Reloc = { kind: 'ld64', insnIdx, mapIdx: -1, symOff: 0, extIdx: -1 };
    const fail = (m: string) => { this.errors.push(`prog '${prog.name}': ${m}`); return undefined; };
    if (!isCall(insn) && insn.code !== LD_IMM64) return fail(`invalid relo against '${sym.name}' for insns[${insnIdx}].code 0x${insn.code.toString(16)}`);
    if (insn.code === LD_IMM64 && insnIdx + 1 >= prog.insns.length) return fail(`ldimm64 at insn ${insnIdx} is truncated`);
    if (sym.shndx === SHN_UNDEF && (sym.bind === STB_GLOBAL || sym.bind === STB_WEAK) && sym.type === STT_NOTYPE) {
      const extIdx = this.externs.findIndex((e) => e.symIdx === symIdx);
      if (extIdx < 0) return fail(`extern relo failed to find extern for '${sym.name}' (${symIdx})`);
      return { ...base, kind: isCall(insn) ? 'extern_call' : 'extern_ld64', extIdx };
    }
    if (isCall(insn)) {
      if (insn.src !== BPF_PSEUDO_CALL) return fail('incorrect bpf_call opcode');
      if (!sym.shndx || sym.shndx !== this.textShndx) return fail(`bad call relo against '${sym.name}' in section '${this.elf.sections[sym.shndx]?.name ?? sym.shndx}'`);
      if (sym.value % 8) return fail(`bad call relo against '${sym.name}' at offset ${sym.value}`);
      return { ...base, kind: 'call', symOff: sym.value };
    }
    if (!sym.shndx || sym.shndx >= SHN_LORESERVE) return fail(`invalid relo against '${sym.name}' in special section 0x${sym.shndx.toString(16)}; forgot to initialize global var?..`);
    if (sym.shndx === this.textShndx && (sym.type === STT_FUNC || sym.type === STT_SECTION)) {
      if (sym.value % 8 || insn.imm % 8) return fail(`bad subprog addr relo against '${sym.name}' at offset ${sym.value}+${insn.imm}`);
      return { ...base, kind: 'subprog_addr', symOff: sym.value };
    }
    const dataKind = this.dataSecs.get(sym.shndx);
    if (!dataKind) {
      const isMapsSec = sym.shndx === this.mapsShndx || this.elf.sections[sym.shndx]?.name === 'maps';
      if (!isMapsSec) return fail(`bad map relo against '${sym.name}' in section '${this.elf.sections[sym.shndx]?.name}'`);
      const mapIdx = this.maps.findIndex((m) => (m.kind === 'btf' || m.kind === 'legacy') && m.secIdx === sym.shndx && m.secOffset === sym.value);
      if (mapIdx < 0) return fail(`map relo failed to find map for section '${this.elf.sections[sym.shndx]?.name}', off ${sym.value}`);
      return { ...base, kind: 'ld64', mapIdx };
    }
    const mapIdx = this.maps.findIndex((m) => m.kind === dataKind && m.secIdx === sym.shndx);
    if (mapIdx < 0) return fail(`data relo failed to find map for section '${this.elf.sections[sym.shndx]?.name}'`);
    return { ...base, kind: 'data', mapIdx, symOff: sym.value };
  }

  /** .rel.maps: initial contents of map-in-map and prog-array slots, by target name. */
  private collectMapRelocs(): void {
    if (this.mapsShndx < 0) return;
    const rels = this.elf.relocations.get(this.mapsShndx);
    if (!rels) return;
    for (const rel of rels) {
      const sym = this.sym(rel.sym);
      if (!sym) continue;
      const m = this.maps.find((x) => x.kind === 'btf' && rel.offset >= x.secOffset && rel.offset < x.secOffset + x.defSize);
      if (!m || m.valuesOffset === undefined || !m.def.initSlots) {
        this.errors.push(`.maps relo at offset ${rel.offset} does not point into a map's values`);
        continue;
      }
      const slot = (rel.offset - m.secOffset - m.valuesOffset) / 8;
      if (!Number.isInteger(slot) || slot < 0 || slot >= m.def.initSlots.length) {
        this.errors.push(`map '${m.def.name}': initial slot ${slot} is out of range (max_entries ${m.def.maxEntries})`);
        continue;
      }
      m.def.initSlots[slot] = sym.name;
    }
  }

  private applyCore(): void {
    if (!this.ext || !this.btf || this.ext.coreRelos.length === 0) return;
    if (!this.targetBtf) this.notes.push('no target BTF: CO-RE relocations are resolved against the object\'s own BTF');
    const target = this.targetBtf ?? this.btf;
    const cache = new CoreCandCache(this.btf, target);
    for (const sec of this.ext.coreRelos) {
      const progsInSec = this.progs.filter((p) => p.secName === sec.section);
      if (progsInSec.length === 0) continue;
      let i = 0;
      for (const rec of sec.records) {
        const prog = progsInSec.find((p) => rec.insnOff >= p.secInsnOff && rec.insnOff < p.secInsnOff + p.insnCnt);
        if (!prog) { i++; continue; }
        const idx = rec.insnOff - prog.secInsnOff;
        const res = applyCoreRelo(this.btf, target, rec, prog.insns, idx, i, cache);
        if (res.problem) prog.problems.push({ insn: idx, message: res.problem });
        if (res.error) this.errors.push(`prog '${prog.name}': relo #${i}: ${res.error}`);
        i++;
      }
    }
  }

  private resolveExterns(): void {
    const target = this.targetBtf;
    for (const e of this.externs) {
      if (e.kind !== 'ksym') continue;
      if (!e.typeId && !e.isFunc) {
        const addr = this.opts.kallsyms?.get(e.name);
        if (addr !== undefined) { e.addr = addr; e.resolved = true; }
        continue;
      }
      if (!target) continue;
      const essential = e.name.slice(0, essentialNameLen(e.name));
      const want = e.isFunc ? BtfKind.FUNC : BtfKind.VAR;
      const t = target.byName(essential, want);
      if (!t) continue;
      // like libbpf: kfunc prototypes as they are; variables after skipping modifiers and typedefs
      const localType = e.typeId;
      const targType = e.isFunc ? t.type : target.resolve(t.type);
      let compat = 0;
      try { compat = typesAreCompat(this.btf!, localType, target, targType, 32); } catch { compat = -1; }
      if (compat <= 0) {
        const what = e.isFunc ? `extern (func ksym) '${e.name}': func_proto [${localType}] incompatible with kernel [${targType}]`
          : `extern (var ksym) '${e.name}': incompatible types, expected [${localType}] ${this.btf!.typeName(localType)}, but kernel has [${targType}] ${target.typeName(targType)}`;
        this.errors.push(what);
        continue;
      }
      e.kernelBtfId = t.id;
      e.resolved = true;
    }
  }

  // ---- linking -------------------------------------------------------------------------------

  private linkPrograms(): LoadedProgram[] {
    for (const p of this.progs) {
      for (const r of p.relocs) if (r.kind === 'subprog_addr') p.insns[r.insnIdx].src = BPF_PSEUDO_FUNC;
    }
    const out: LoadedProgram[] = [];
    for (const main of this.progs) {
      if (main.isSub) continue;
      const cls = classifySection(main.secName);
      const ctx: LinkCtx = {
        // one literal shape for every instruction (a spread copy gets another hidden class, which
        // makes the verifier's instruction reads polymorphic)
        insns: main.insns.map((i) => ({ code: i.code, dst: i.dst, src: i.src, off: i.off, imm: i.imm })),
        relocs: main.relocs.map((r) => ({ ...r })),
        lineInfo: [],
        funcInfo: [],
        problems: main.problems.map((p) => ({ ...p })),
      };
      for (const p of this.progs) p.subInsnOff = 0;
      this.relocCode(main, main, ctx, 0);
      this.relocateData(ctx);
      let attachBtfId = this.attachBtfId(main, cls, ctx);
      let expectedAttachType = cls.expectedAttachType;
      if (cls.progType === ProgType.STRUCT_OPS) {
        const so = this.structOpsAttach(main);
        attachBtfId = so.attachBtfId;
        if (so.member !== undefined) expectedAttachType = so.member;
      }
      out.push({
        name: main.name,
        section: main.secName,
        progType: cls.progType,
        expectedAttachType,
        attachTo: cls.attachTo,
        attachBtfId,
        autoload: cls.autoload,
        sleepable: cls.sleepable,
        insns: ctx.insns,
        lineInfo: ctx.lineInfo,
        funcInfo: ctx.funcInfo,
        license: this.license,
        kernVersion: this.kernVersion,
        problems: ctx.problems,
      });
      if (!cls.def) ctx.problems.push({ insn: 0, message: `section '${main.secName}' is not a known libbpf program section: program type unknown` });
      ctx.problems.sort((a, b) => a.insn - b.insn);
    }
    return out;
  }

  /** libbpf's find_attach_btf_id: the target BTF type a BTF-attached program binds to. */
  private attachBtfId(main: RawProg, cls: SectionInfo, ctx: LinkCtx): number | undefined {
    if (!cls.def || !(cls.def.flags & SEC_ATTACH_BTF) || cls.progType === ProgType.EXT) return undefined;
    const slash = main.secName.indexOf('/');
    if (slash < 0 || slash === main.secName.length - 1) {
      ctx.problems.push({ insn: 0, message: `section '${main.secName}' needs an attach target after '/'` });
      return undefined;
    }
    const name = main.secName.slice(slash + 1);
    const at = cls.expectedAttachType;
    const [prefix, kind] = at === attachTypeNumber('BPF_TRACE_RAW_TP') ? ['btf_trace_', BtfKind.TYPEDEF]
      : at === attachTypeNumber('BPF_LSM_MAC') || at === attachTypeNumber('BPF_LSM_CGROUP') ? ['bpf_lsm_', BtfKind.FUNC]
        : at === attachTypeNumber('BPF_TRACE_ITER') ? ['bpf_iter_', BtfKind.FUNC] : ['', BtfKind.FUNC];
    if (!this.targetBtf) {
      ctx.problems.push({ insn: 0, message: `no target BTF to find '${prefix}${name}' for attaching` });
      return undefined;
    }
    const t = this.targetBtf.byName(prefix + name, kind);
    if (!t) ctx.problems.push({ insn: 0, message: `failed to find kernel BTF type ID of '${name}' (looked for ${prefix}${name})` });
    return t?.id;
  }

  private appendExtInfo(prog: RawProg, ctx: LinkCtx): void {
    if (!this.ext) return;
    const adj = prog.subInsnOff - prog.secInsnOff;
    const inRange = (o: number) => o >= prog.secInsnOff && o < prog.secInsnOff + prog.insnCnt;
    for (const s of this.ext.funcInfo) {
      if (s.section !== prog.secName) continue;
      for (const r of s.records as ExtFuncInfo[]) {
        if (!inRange(r.insnOff)) continue;
        ctx.funcInfo.push({ insnOff: r.insnOff + adj, typeId: r.typeId, name: this.btf?.get(r.typeId)?.name ?? '' });
      }
    }
    for (const s of this.ext.lineInfo) {
      if (s.section !== prog.secName) continue;
      for (const r of s.records as ExtLineInfo[]) {
        if (!inRange(r.insnOff)) continue;
        ctx.lineInfo.push({ insnOff: r.insnOff + adj, fileName: r.fileName, line: r.line, col: r.col, lineText: r.lineText });
      }
    }
  }

  private relocCode(main: RawProg, prog: RawProg, ctx: LinkCtx, depth: number): void {
    this.appendExtInfo(prog, ctx);
    const text = this.textShndx;
    for (let k = 0; k < prog.insnCnt; k++) {
      const at = prog.subInsnOff + k;
      const insn = ctx.insns[at];
      if (!isSubprogCall(insn) && !isPseudoFunc(insn)) continue;
      const relo = prog.relocs.find((r) => r.insnIdx === k);
      if (relo && relo.kind === 'extern_call') continue;
      if (relo && relo.kind !== 'call' && relo.kind !== 'subprog_addr') {
        this.errors.push(`prog '${prog.name}': unexpected relo for insn #${k}, type ${relo.kind}`);
        continue;
      }
      let subIdx: number;
      if (relo) subIdx = relo.kind === 'call' ? relo.symOff / 8 + insn.imm + 1 : (relo.symOff + insn.imm) / 8;
      else if (isPseudoFunc(insn)) { this.errors.push(`prog '${prog.name}': missing subprog addr relo for insn #${k}`); continue; }
      else {
        // static call inside the same section: imm is relative to the instruction
        if (prog.secIdx !== text) { this.errors.push(`prog '${prog.name}': call at insn #${k} targets a function outside .text`); continue; }
        subIdx = prog.secInsnOff + k + insn.imm + 1;
      }
      const sub = this.progBySecInsn(text, subIdx);
      if (!sub) {
        ctx.problems.push({ insn: at, message: 'call to a subprogram that does not exist in .text' });
        this.errors.push(`prog '${prog.name}': no .text sub-program found for the call at insn #${k}`);
        continue;
      }
      if (sub.subInsnOff === 0 && sub !== main) {
        if (depth > 1000) { this.errors.push(`prog '${main.name}': subprogram nesting is too deep`); return; }
        if (ctx.insns.length + sub.insns.length > MAX_PROG_INSNS || this.linkedTotal + sub.insns.length > MAX_LINKED_TOTAL) {
          // the kernel refuses programs over 1M instructions; the total cap bounds memory on hostile input
          this.errors.push(`prog '${main.name}': linking '${sub.name}' would exceed ${ctx.insns.length + sub.insns.length > MAX_PROG_INSNS ? 'the kernel\'s 1M-instruction limit' : 'the loader\'s instruction budget'}`);
          return;
        }
        this.linkedTotal += sub.insns.length;
        sub.subInsnOff = ctx.insns.length;
        for (const i of sub.insns) ctx.insns.push({ code: i.code, dst: i.dst, src: i.src, off: i.off, imm: i.imm });
        for (const r of sub.relocs) ctx.relocs.push({ ...r, insnIdx: r.insnIdx + sub.subInsnOff });
        for (const p of sub.problems) ctx.problems.push({ ...p, insn: p.insn + sub.subInsnOff });
        this.relocCode(main, sub, ctx, depth + 1);
      }
      ctx.insns[at].imm = sub.subInsnOff - at - 1;
    }
  }

  private relocateData(ctx: LinkCtx): void {
    const { insns } = ctx;
    for (const r of ctx.relocs) {
      const insn = insns[r.insnIdx];
      const next = insns[r.insnIdx + 1];
      switch (r.kind) {
        case 'ld64':
          insn.src = BPF_PSEUDO_MAP_IDX;
          insn.imm = r.mapIdx;
          break;
        case 'data':
          if (!next) break;
          next.imm = (insn.imm + r.symOff) | 0;
          insn.src = BPF_PSEUDO_MAP_IDX_VALUE;
          insn.imm = r.mapIdx;
          break;
        case 'extern_ld64': {
          const e = this.externs[r.extIdx];
          if (!next) break;
          if (e.kind === 'kcfg') {
            insn.src = BPF_PSEUDO_MAP_IDX_VALUE;
            insn.imm = this.kconfigMapIdx;
            next.imm = e.kcfgOff;
          } else if (e.typeId && e.resolved) {
            insn.src = BPF_PSEUDO_BTF_ID;
            insn.imm = e.kernelBtfId;
            next.imm = 0;
          } else {
            insn.imm = Number(BigInt.asIntN(32, e.addr));
            next.imm = Number(BigInt.asIntN(32, e.addr >> 32n));
            if (!e.resolved) {
              const why = e.typeId ? (this.targetBtf ? 'not found in the target BTF' : 'no target BTF to resolve it') : 'typeless ksym needs its /proc/kallsyms address';
              if (e.weak) ctx.problems.push({ insn: r.insnIdx, message: `weak ksym '${e.name}' unresolved (${why}); it reads as 0` });
              else ctx.problems.push({ insn: r.insnIdx, message: `extern (var ksym) '${e.name}': ${why}` });
            }
          }
          break;
        }
        case 'extern_call': {
          const e = this.externs[r.extIdx];
          insn.src = BPF_PSEUDO_KFUNC_CALL;
          if (e.resolved) {
            insn.imm = e.kernelBtfId;
            insn.off = 0;
          } else if (e.weak) {
            // libbpf 1.1 leaves an unresolved weak kfunc call as imm 0 (newer versions poison it with
            // call POISON_CALL_KFUNC_BASE + extern index); either way it fails only if reachable
            insn.imm = 0;
            insn.off = 0;
            ctx.problems.push({ insn: r.insnIdx, message: `weak kfunc '${e.name}' not found in the target BTF; the call fails verification if reachable` });
          } else {
            insn.imm = -1;
            const why = this.targetBtf ? 'not found in the target BTF' : 'no target BTF to resolve it';
            ctx.problems.push({ insn: r.insnIdx, message: `extern (func ksym) '${e.name}': ${why}` });
          }
          break;
        }
        default:
          break;
      }
    }
  }
}

interface LinkCtx {
  insns: Insn[];
  relocs: Reloc[];
  lineInfo: LineInfo[];
  funcInfo: FuncInfo[];
  problems: { insn: number; message: string }[];
}

export const POISON_CALL_KFUNC_BASE = 2002000000;

function findExternBtf(btf: Btf, name: string): { varOrFunc: ReturnType<Btf['get']> & object; secName: string } | undefined {
  for (const t of btf.types) {
    if (t.kind !== BtfKind.DATASEC) continue;
    for (const vi of t.secinfo!) {
      const v = btf.get(vi.type);
      if (v && (v.kind === BtfKind.VAR || v.kind === BtfKind.FUNC) && v.name === name) return { varOrFunc: v, secName: t.name };
    }
  }
  return undefined;
}

function isStructOpsSec(name: string): boolean {
  const n = name.startsWith('?') ? name.slice(1) : name;
  return n === '.struct_ops' || n === '.struct_ops.link';
}
