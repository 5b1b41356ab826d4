// Small BTF lookups the verifier needs (special fields inside map values).
import type { Btf, MapDef } from '../loader/types';
import { BtfKind, BtfType } from '../btf/types';

function skipMods(btf: Btf, id: number): BtfType | undefined {
  let t = btf.types[id];
  for (let i = 0; t && i < 32; i++) {
    if (t.kind === BtfKind.TYPEDEF || t.kind === BtfKind.CONST || t.kind === BtfKind.VOLATILE ||
      t.kind === BtfKind.RESTRICT || t.kind === BtfKind.TYPE_TAG) t = btf.types[t.type];
    else break;
  }
  return t;
}

/** Byte offset of a top-level member of the given struct type name in the map's value, if any. */
export function specialFieldOffset(btf: Btf | undefined, map: MapDef, structName: string): number | undefined {
  if (!btf || !map.btfValueTypeId) return undefined;
  const v = skipMods(btf, map.btfValueTypeId);
  if (!v) return undefined;
  if (v.kind === BtfKind.STRUCT && v.name === structName) return 0;
  if (v.kind !== BtfKind.STRUCT && v.kind !== BtfKind.UNION) return undefined;
  for (const m of v.members ?? []) {
    const mt = skipMods(btf, m.type);
    if (mt && mt.kind === BtfKind.STRUCT && mt.name === structName) return m.offset / 8;
  }
  return undefined;
}
