// What the loader produces from an ELF object: programs ready for the verifier and the emulator.
import type { Insn } from '../isa/insn';
import type { BtfType } from '../btf/types';

export interface MapDef {
  /** index in LoadedObject.maps; LD_IMM64 map references carry this index (see below) */
  index: number;
  name: string;
  type: number; // MapType
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** BTF type ids of key and value in the object's BTF, when declared with __type */
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
  /** inner map template for ARRAY_OF_MAPS / HASH_OF_MAPS */
  inner?: MapDef;
  /** global data maps (.data, .rodata, .bss, .kconfig, custom .data.*): the ELF section and initial bytes */
  section?: string;
  initialValue?: Uint8Array;
  /** .rodata and .kconfig are frozen by libbpf: the verifier may treat their contents as constants */
  frozen?: boolean;
  /** map-in-map initial slots, prog-array initial slots (by name) */
  initSlots?: (string | null)[];
  pinning?: number;
  mapExtra?: number;
  numaNode?: number;
}

export interface LineInfo {
  insnOff: number; // slot index in LoadedProgram.insns
  fileName: string;
  line: number;
  col: number;
  lineText: string;
}

export interface FuncInfo {
  insnOff: number;
  typeId: number; // BTF FUNC id in the object's BTF
  name: string;
}

export interface LoadedProgram {
  /** the function name of the entry point (e.g. "xdp_prog") */
  name: string;
  /** the ELF section, e.g. "xdp", "kprobe/do_sys_open", "?tc" */
  section: string;
  progType: number; // ProgType
  expectedAttachType: number;
  /** attach target from the section name (e.g. function name for kprobe/fentry) */
  attachTo?: string;
  /**
   * For BTF-attached programs (tp_btf, fentry/fexit/fmod_ret, lsm, iter): the id in the target BTF
   * of what libbpf attaches to (typedef btf_trace_<tp>, FUNC <fn>, bpf_lsm_<hook>, bpf_iter_<name>).
   */
  attachBtfId?: number;
  /** whether libbpf would autoload it ('?' prefix turns autoload off) */
  autoload: boolean;
  sleepable: boolean;
  /**
   * Final instructions after relocation, with subprograms appended as libbpf appends them.
   * Map references: LD_IMM64 with src BPF_PSEUDO_MAP_IDX (imm = map index) or
   * BPF_PSEUDO_MAP_IDX_VALUE (imm = map index, second slot imm = offset in the value).
   * Kfunc calls: src BPF_PSEUDO_KFUNC_CALL, imm = BTF id in the target (kernel) BTF, off = 0.
   * Calls to unresolvable externs keep imm = -1 and are listed in LoadedProgram.problems.
   */
  insns: Insn[];
  lineInfo: LineInfo[];
  funcInfo: FuncInfo[];
  license: string;
  kernVersion: number;
  /** loader-level problems for this program (unresolved kfunc, failed CO-RE relocation...) */
  problems: { insn: number; message: string }[];
}

export interface Btf {
  types: BtfType[];
  /** find by name (and optional kind), first match */
  byName(name: string, kind?: number): BtfType | undefined;
  // Helpers below are optional in the contract but always present on the Btf objects made by
  // parseBtf and loadObject (class Btf in bpf/btf/btf.ts).
  /** the type with this id, or undefined when out of range */
  get?(id: number): BtfType | undefined;
  /** skips typedefs and const/volatile/restrict/type_tag; -1 for a bad id or a cycle */
  resolve?(id: number): number;
  /** byte size (arrays multiplied out, pointers 8); undefined when the type has none */
  sizeOf?(id: number): number | undefined;
  /** member lookup through anonymous struct/union members; bitOffset from the outer type */
  findMember?(typeId: number, name: string): { member: { name: string; type: number; offset: number; bitfieldSize: number }; bitOffset: number; path: number[] } | undefined;
  /** the type spelled like C: "struct task_struct *", "char[16]" */
  typeName?(id: number): string;
}

export interface LoadedObject {
  programs: LoadedProgram[];
  maps: MapDef[];
  /** the object's own BTF */
  btf?: Btf;
  /** the target kernel BTF used for CO-RE and kfuncs, when available */
  targetBtf?: Btf;
  license: string;
  kernVersion: number;
  /** object-level warnings (e.g. "map 'events' has max_entries 0: user space sets it; assuming 4096") */
  notes: string[];
}
