// Helper prototypes as the verifier needs them, from the knowledge base (server/src/knowledge):
// its table of the 6.12 func_proto switches plus what newer kernels were measured to offer.
import { allHelpers, helperById, helperProtoFor, isHelperAllowed } from '../../knowledge/helpers';
import { PROG_TYPE_NAMES, ProgType } from '../progtypes';

export interface HelperArg {
  kind: string; base: string; flags: string[]; /** MEM_FIXED_SIZE size */ size?: number;
  /** ARG_PTR_TO_BTF_ID: the kernel struct the pointer must point to (arg_btf_id) */ btfType?: string;
}
export interface HelperProto {
  id: number;
  name: string;
  gplOnly: boolean;
  ret: { kind: string; base: string; flags: string[] };
  args: HelperArg[];
  /** program type numbers the helper is available to */
  progTypes: Set<number>;
  /** the prototype may sleep: only sleepable programs may call it */
  mightSleep?: boolean;
}

let table: Map<number, HelperProto> | undefined;

function load(): Map<number, HelperProto> {
  const m = new Map<number, HelperProto>();
  for (const h of allHelpers()) {
    const progTypes = new Set<number>();
    PROG_TYPE_NAMES.forEach((_, pt) => { if (pt > 0 && isHelperAllowed(h, pt).allowed) progTypes.add(pt); });
    m.set(h.id, {
      id: h.id, name: h.name, gplOnly: h.gplOnly,
      ret: { kind: h.ret.kind, base: h.ret.base, flags: [...h.ret.flags] },
      args: h.args.map((a) => ({ kind: a.kind, base: a.base, flags: [...a.flags], size: fixedSize(a.size), btfType: a.btfType })),
      progTypes,
      mightSleep: h.mightSleep,
    });
  }
  return m;
}

/** MEM_FIXED_SIZE sizes the kernel writes as sizeof() of a uapi header struct. */
const UAPI_SIZES: Record<string, number> = {
  'sizeof(struct iphdr)': 20, 'sizeof(struct ipv6hdr)': 40, 'sizeof(struct tcphdr)': 20,
};

function fixedSize(size: number | string | undefined): number | undefined {
  return typeof size === 'number' ? size : size === undefined ? undefined : UAPI_SIZES[size];
}

/** per (helper id, program type): the variant prototype a program type's func_proto returns */
const variantTable = new Map<number, HelperProto>();

/**
 * The prototype the verifier checks for helper `id`; with a program type, the one that type's
 * get_func_proto returns (bpf_get_socket_cookie takes a BTF socket pointer in tracing programs,
 * bpf_setsockopt the ctx in sock_ops, bpf_get_stack a read-only buffer in raw_tp...).
 */
export function helperProto(id: number, progType?: number): HelperProto | undefined {
  table ??= load();
  const base = table.get(id);
  if (!base || progType === undefined) return base;
  // sock_filter_func_proto: cgroup/sock programs pass their ctx (a full socket) to bpf_sk_storage_get
  if (base.name === 'bpf_sk_storage_get' && progType === ProgType.CGROUP_SOCK) {
    return { ...base, args: base.args.map((a, i) => (i === 1 ? { kind: 'ARG_PTR_TO_CTX', base: 'ARG_PTR_TO_CTX', flags: [] } : a)) };
  }
  // tracing_prog_func_proto: bpf_sk_storage_get_tracing_proto takes a BTF socket pointer or NULL
  if ((base.name === 'bpf_sk_storage_get' || base.name === 'bpf_sk_storage_delete') && progType === ProgType.TRACING) {
    return { ...base, args: base.args.map((a, i) => (i === 1 ? { kind: 'ARG_PTR_TO_BTF_ID_OR_NULL', base: 'ARG_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL'] } : a)) };
  }
  const info = helperById(id);
  if (!info?.variants?.length) return base;
  const key = id * 1024 + progType;
  let v = variantTable.get(key);
  if (!v) {
    const p = helperProtoFor(info, progType);
    v = p === info ? base : {
      ...base, gplOnly: p.gplOnly, mightSleep: p.mightSleep,
      ret: { kind: p.ret.kind, base: p.ret.base, flags: [...p.ret.flags] },
      args: p.args.map((a) => ({ kind: a.kind, base: a.base, flags: [...a.flags], size: fixedSize(a.size) })),
    };
    variantTable.set(key, v);
  }
  return v;
}

/** The kernel's func_id_name: the helper's name, or "unknown". */
export function helperName(id: number): string {
  return helperProto(id)?.name ?? 'unknown';
}
