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

export type GlobalArg = { kind: 'scalar' } | { kind: 'ctx' } | { kind: 'mem'; size: number } | { kind: 'other' };

function sizeOfType(btf: Btf, id: number, depth = 0): number {
  const t = skipMods(btf, id);
  if (!t || depth > 16) return 0;
  switch (t.kind) {
    case BtfKind.INT: case BtfKind.ENUM: case BtfKind.ENUM64: case BtfKind.STRUCT: case BtfKind.UNION: case BtfKind.FLOAT: return t.size;
    case BtfKind.PTR: return 8;
    case BtfKind.ARRAY: return (t.array?.nelems ?? 0) * sizeOfType(btf, t.array?.elemType ?? 0, depth + 1);
    default: return 0;
  }
}

const CTX_NAMES = new Set(['__sk_buff', 'xdp_md', 'pt_regs', 'bpf_sock_ops', 'sk_msg_md', 'bpf_sock', 'bpf_sock_addr',
  'bpf_perf_event_data', 'bpf_raw_tracepoint_args', 'bpf_sk_lookup', 'bpf_sysctl', 'bpf_sockopt', 'bpf_cgroup_dev_ctx',
  'sk_reuseport_md', 'bpf_flow_keys', 'bpf_nf_ctx']);

/** A global (non-static) function's name and argument kinds from its BTF prototype, or undefined for static ones. */
export function globalFunc(btf: Btf | undefined, funcTypeId: number): { name: string; args: GlobalArg[] } | undefined {
  if (!btf) return undefined;
  const f = btf.types[funcTypeId];
  if (!f || f.kind !== BtfKind.FUNC || f.linkage !== 1) return undefined;
  const proto = btf.types[f.type];
  const args: GlobalArg[] = (proto?.params ?? []).map((p) => {
    const t = skipMods(btf, p.type);
    if (!t) return { kind: 'other' } as GlobalArg;
    if (t.kind === BtfKind.INT || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64) return { kind: 'scalar' };
    if (t.kind === BtfKind.PTR) {
      const pt = skipMods(btf, t.type);
      if (pt && (pt.kind === BtfKind.STRUCT || pt.kind === BtfKind.UNION) && CTX_NAMES.has(pt.name)) return { kind: 'ctx' };
      const size = sizeOfType(btf, t.type);
      return size > 0 ? { kind: 'mem', size } : { kind: 'other' };
    }
    return { kind: 'other' };
  });
  return { name: f.name, args };
}
