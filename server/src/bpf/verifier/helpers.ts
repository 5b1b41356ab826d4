// Helper prototypes as the verifier needs them, from the knowledge base (server/src/knowledge):
// its table of the 6.12 func_proto switches plus what newer kernels were measured to offer.
import { allHelpers, isHelperAllowed } from '../../knowledge/helpers';
import { PROG_TYPE_NAMES } from '../progtypes';

export interface HelperArg { kind: string; base: string; flags: string[]; /** MEM_FIXED_SIZE size */ size?: number }
export interface HelperProto {
  id: number;
  name: string;
  gplOnly: boolean;
  ret: { kind: string; base: string; flags: string[] };
  args: HelperArg[];
  /** program type numbers the helper is available to */
  progTypes: Set<number>;
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
      args: h.args.map((a) => ({ kind: a.kind, base: a.base, flags: [...a.flags], size: fixedSize(a.size) })),
      progTypes,
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

export function helperProto(id: number): HelperProto | undefined {
  table ??= load();
  return table.get(id);
}

/** The kernel's func_id_name: the helper's name, or "unknown". */
export function helperName(id: number): string {
  return helperProto(id)?.name ?? 'unknown';
}
