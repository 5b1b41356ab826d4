// Small BTF lookups the verifier needs (special fields inside map values).
import type { Btf, MapDef } from '../loader/types';
import { BtfKind, BtfType } from '../btf/types';

/** The type behind typedefs and const/volatile/restrict/type-tag modifiers (bounded: BTF may loop). */
export function stripModifiers(btf: Btf, id: number): BtfType | undefined {
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
  const v = stripModifiers(btf, map.btfValueTypeId);
  if (!v) return undefined;
  if (v.kind === BtfKind.STRUCT && v.name === structName) return 0;
  if (v.kind !== BtfKind.STRUCT && v.kind !== BtfKind.UNION) return undefined;
  for (const m of v.members ?? []) {
    const mt = stripModifiers(btf, m.type);
    if (mt && mt.kind === BtfKind.STRUCT && mt.name === structName) return m.offset / 8;
  }
  return undefined;
}

export type GlobalArg = { kind: 'scalar' } | { kind: 'ctx' } | { kind: 'mem'; size: number; /** __arg_nonnull */ nonNull?: boolean } | { kind: 'other' };

function sizeOfType(btf: Btf, id: number, depth = 0): number {
  const t = stripModifiers(btf, id);
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
  'sk_reuseport_md', 'bpf_flow_keys', 'bpf_nf_ctx', 'bpf_user_pt_regs_t']);

/** The "arg:..." decl tags (__arg_ctx, __arg_nonnull...) on each parameter of FUNC funcId. */
function argTags(btf: Btf, funcId: number): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const t of btf.types) {
    if (!t || t.kind !== BtfKind.DECL_TAG || t.type !== funcId || !t.name.startsWith('arg:')) continue;
    const i = t.componentIdx ?? -1;
    if (i < 0) continue;
    let set = out.get(i);
    if (!set) out.set(i, (set = new Set()));
    set.add(t.name.slice(4));
  }
  return out;
}

const KIND_NAMES = ['UNKNOWN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE', 'CONST',
  'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64'];

/** btf_type_str: the kind's name as the kernel's log prints it (void: UNKNOWN) */
export function btfKindStr(t: BtfType | undefined): string {
  return t ? KIND_NAMES[t.kind] ?? 'UNKNOWN' : 'UNKNOWN';
}

/** A global (non-static) function's name and argument kinds from its BTF prototype, or undefined for static ones. */
export function globalFunc(btf: Btf | undefined, funcTypeId: number): { name: string; args: GlobalArg[]; invalid?: string } | undefined {
  if (!btf) return undefined;
  const f = btf.types[funcTypeId];
  if (!f || f.kind !== BtfKind.FUNC || f.linkage !== 1) return undefined;
  const proto = btf.types[f.type];
  const tags = argTags(btf, f.id);
  // btf_prepare_func_args (its log lines): at most 5 arguments, an integer or enum return type
  const ret = stripModifiers(btf, proto?.type ?? 0);
  const nargs = (proto?.params ?? []).length;
  let invalid: string | undefined = nargs > 5 ? `Global function ${f.name}() with ${nargs} > 5 args. Buggy compiler.`
    : ret && (ret.kind === BtfKind.INT || ret.kind === BtfKind.ENUM || ret.kind === BtfKind.ENUM64)
      ? undefined : `Global function ${f.name}() doesn't return scalar. Only those are supported.`;
  const args: GlobalArg[] = (proto?.params ?? []).map((p, i) => {
    const t = stripModifiers(btf, p.type);
    if (!t) return { kind: 'other' } as GlobalArg;
    if (t.kind === BtfKind.INT || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64) return { kind: 'scalar' };
    if (t.kind === BtfKind.PTR) {
      const tag = tags.get(i);
      // btf_prepare_func_args: __arg_ctx makes any pointer the program's ctx
      if (tag?.has('ctx')) return { kind: 'ctx' };
      const pt = stripModifiers(btf, t.type);
      if (pt && (pt.kind === BtfKind.STRUCT || pt.kind === BtfKind.UNION) && CTX_NAMES.has(pt.name)) return { kind: 'ctx' };
      if (tag?.has('trusted') || tag?.has('untrusted') || tag?.has('arena')) return { kind: 'other' };
      const size = sizeOfType(btf, t.type);
      if (size > 0) return { kind: 'mem', size, nonNull: tag?.has('nonnull') || undefined };
      // btf_resolve_size fails (void *, forward declarations...)
      invalid ??= `arg#${i} reference type('${btfKindStr(pt)} ${pt?.name ?? ''}') size cannot be determined: -22`;
      return { kind: 'other' };
    }
    invalid ??= `Arg#${i} type ${btfKindStr(t)} in ${f.name}() is not supported yet.`;
    return { kind: 'other' };
  });
  return { name: f.name, args, invalid };
}
