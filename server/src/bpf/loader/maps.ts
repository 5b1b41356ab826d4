// Map definitions: BTF-defined maps in ".maps" (libbpf's __uint/__type/__array conventions),
// the legacy "maps" section (struct bpf_map_def), and global data sections as array maps.
import { BtfKind } from '../btf/types';
import { type Btf, BTF_KIND_NAMES } from '../btf/btf';
import type { MapDef } from './types';
import { MapType } from '../progtypes';

export const BPF_F_RDONLY_PROG = 0x80;
export const BPF_F_MMAPABLE = 0x400;
export const BPF_F_LINK = 0x2000;
export const LIBBPF_PIN_NONE = 0;
export const LIBBPF_PIN_BY_NAME = 1;
/** default for a map declared without max_entries (user space usually sets it before load) */
export const DEFAULT_MAX_ENTRIES = 4096;

/** A map plus where it was declared, for relocations against its ELF symbol. */
export interface MapEntry {
  def: MapDef;
  /** ELF section index holding the definition (or the global data) */
  secIdx: number;
  /** byte offset of the definition inside that section (0 for global data) */
  secOffset: number;
  /** byte size of the definition variable (for .maps), to locate 'values' slots */
  defSize: number;
  /** byte offset of the 'values' member inside the definition, for map-in-map/prog-array init */
  valuesOffset?: number;
  kind: 'btf' | 'legacy' | 'data' | 'rodata' | 'bss' | 'kconfig' | 'struct_ops';
  /** struct_ops: the local struct type, and per member index the program it points to */
  structType?: number;
  structProgs?: Map<number, string>;
}

interface FieldError { error: string }

/** libbpf's __uint(name, N): a pointer to an array of N elements; __ulong: an enum with one value. */
function fieldInt(btf: Btf, typeId: number): number | FieldError {
  const t = btf.get(btf.resolve(typeId));
  if (!t) return { error: 'bad type' };
  if (t.kind === BtfKind.PTR) {
    const a = btf.get(btf.resolve(t.type));
    if (!a || a.kind !== BtfKind.ARRAY) return { error: 'is not a pointer to an array (use __uint)' };
    return a.array!.nelems;
  }
  if ((t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64) && t.enumValues!.length === 1) {
    const v = t.enumValues![0].value;
    return Number(BigInt.asUintN(64, v));
  }
  return { error: `is a ${BTF_KIND_NAMES[t.kind] ?? t.kind}, expected a pointer to an array (use __uint)` };
}

const isErr = (v: unknown): v is FieldError => typeof v === 'object' && v !== null && 'error' in v;

/** Parses one BTF map definition struct; `inner` is parsed when a 'values' member names a map. */
export function parseBtfMapDef(
  btf: Btf,
  name: string,
  defTypeId: number,
  isInner: boolean,
  errors: string[],
  depth = 0,
): { def: MapDef; valuesBitOffset?: number } | undefined {
  const t = btf.get(btf.resolve(defTypeId));
  if (!t || (t.kind !== BtfKind.STRUCT && t.kind !== BtfKind.UNION)) {
    errors.push(`map '${name}': definition is not a struct`);
    return undefined;
  }
  const def: MapDef = { index: -1, name, type: 0, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0 };
  let valuesBitOffset: number | undefined;
  const members = t.members!;
  for (let i = 0; i < members.length; i++) {
    const m = members[i];
    const bad = (what: string) => { errors.push(`map '${name}': '${m.name}' ${what}`); };
    const intField = (): number | undefined => {
      const v = fieldInt(btf, m.type);
      if (isErr(v)) { bad(v.error); return undefined; }
      return v;
    };
    const ptrSize = (): { size: number; type: number } | undefined => {
      const p = btf.get(m.type);
      if (!p || p.kind !== BtfKind.PTR) { bad('must be a pointer (use __type)'); return undefined; }
      const size = btf.sizeOf(p.type);
      if (size === undefined) { bad(`has a type of unknown size (${btf.typeName(p.type)})`); return undefined; }
      return { size, type: p.type };
    };
    switch (m.name) {
      case 'type': { const v = intField(); if (v !== undefined) def.type = v; break; }
      case 'max_entries': { const v = intField(); if (v !== undefined) def.maxEntries = v; break; }
      case 'map_flags': { const v = intField(); if (v !== undefined) def.flags = v; break; }
      case 'numa_node': { const v = intField(); if (v !== undefined) def.numaNode = v; break; }
      case 'map_extra': { const v = intField(); if (v !== undefined) def.mapExtra = v; break; }
      case 'key_size': case 'value_size': {
        const v = intField();
        if (v === undefined) break;
        const cur = m.name === 'key_size' ? def.keySize : def.valueSize;
        if (cur && cur !== v) { bad(`conflicts with the size ${cur} already set`); break; }
        if (m.name === 'key_size') def.keySize = v;
        else def.valueSize = v;
        break;
      }
      case 'key': case 'value': {
        const r = ptrSize();
        if (!r) break;
        const cur = m.name === 'key' ? def.keySize : def.valueSize;
        if (cur && cur !== r.size) { bad(`has size ${r.size}, conflicting with ${cur}`); break; }
        if (m.name === 'key') { def.keySize = r.size; def.btfKeyTypeId = r.type; }
        else { def.valueSize = r.size; def.btfValueTypeId = r.type; }
        break;
      }
      case 'values': {
        const isMapInMap = def.type === MapType.ARRAY_OF_MAPS || def.type === MapType.HASH_OF_MAPS;
        const isProgArray = def.type === MapType.PROG_ARRAY;
        if (isInner) { bad('is not allowed in an inner map definition'); break; }
        if (i !== members.length - 1) { bad('must be the last member'); break; }
        if (!isMapInMap && !isProgArray) { bad('is only for map-in-map and prog-array maps'); break; }
        if (def.valueSize && def.valueSize !== 4) { bad(`needs value_size 4, not ${def.valueSize}`); break; }
        def.valueSize = 4;
        valuesBitOffset = m.offset;
        const arr = btf.get(m.type);
        if (!arr || arr.kind !== BtfKind.ARRAY || arr.array!.nelems !== 0) { bad('must be a zero-length array (use __array)'); break; }
        const ptr = btf.get(btf.resolve(arr.array!.elemType));
        if (!ptr || ptr.kind !== BtfKind.PTR) { bad('must be an array of pointers'); break; }
        const target = btf.get(btf.resolve(ptr.type));
        if (isProgArray) {
          if (!target || target.kind !== BtfKind.FUNC_PROTO) bad('of a prog array must point to a function prototype');
          break;
        }
        if (!target || target.kind !== BtfKind.STRUCT) { bad('must point to a map definition struct'); break; }
        if (depth > 2) { bad('nests map definitions too deeply'); break; }
        const inner = parseBtfMapDef(btf, `${name}.inner`, target.id, true, errors, depth + 1);
        if (inner) def.inner = inner.def;
        break;
      }
      case 'pinning': {
        if (isInner) { bad('is not allowed in an inner map definition'); break; }
        const v = intField();
        if (v === undefined) break;
        if (v !== LIBBPF_PIN_NONE && v !== LIBBPF_PIN_BY_NAME) { bad(`has invalid value ${v}`); break; }
        def.pinning = v;
        break;
      }
      default:
        // libbpf ignores unknown members unless in strict mode
        break;
    }
  }
  if (def.type === MapType.PERF_EVENT_ARRAY) {
    if (!def.keySize) def.keySize = 4;
    if (!def.valueSize) def.valueSize = 4;
  }
  return { def, valuesBitOffset };
}
