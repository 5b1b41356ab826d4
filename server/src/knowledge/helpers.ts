// BPF helper functions (include/uapi/linux/bpf.h, IDs 1..211): prototypes in the verifier's terms,
// GPL-only flag, the program types whose func_proto returns each helper, and the first kernel release.
// The facts live in helpers.data.ts (generated from the kernel sources); this file is the API.
import { HELPER_DATA } from './helpers.data';
import { PROBED_ADDITIONS, PROBED_KERNEL } from './helpers.probed.data';
import { PROG_TYPE_NAMES } from '../bpf/progtypes';

export interface HelperArg {
  /** parameter name from the uapi prototype */
  name: string;
  /** C type from the uapi prototype, e.g. "const void *" */
  cType: string;
  /** the verifier's type as the kernel's bpf_func_proto writes it, e.g. "ARG_PTR_TO_MAP_VALUE_OR_NULL" or "ARG_PTR_TO_MEM | MEM_RDONLY" */
  kind: string;
  /** base type without flags, e.g. "ARG_PTR_TO_MEM" */
  base: string;
  /** type flags: PTR_MAYBE_NULL, MEM_RDONLY, MEM_UNINIT, MEM_WRITE, MEM_FIXED_SIZE, MEM_ALLOC, DYNPTR_TYPE_*, OBJ_RELEASE... */
  flags: readonly string[];
  /** MEM_FIXED_SIZE: the size in bytes (or the C expression when not a plain sizeof) */
  size?: number | string;
  /** ARG_PTR_TO_BTF_ID*: the kernel struct expected */
  btfType?: string;
}

export interface HelperRet {
  cType: string;
  /** e.g. "RET_PTR_TO_MAP_VALUE_OR_NULL" */
  kind: string;
  /** e.g. "RET_PTR_TO_MAP_VALUE" */
  base: string;
  /** e.g. ["PTR_MAYBE_NULL"] */
  flags: readonly string[];
  /** RET_PTR_TO_BTF_ID*: the kernel struct returned */
  btfType?: string;
}

/** One program type that may call the helper; `requires` lists capabilities or conditions, joined by "; ". */
export interface HelperAvailability {
  /** short program type name as in ProgType, e.g. "XDP", "KPROBE" */
  progType: string;
  /** e.g. "CAP_PERFMON", "CAP_BPF", "CAP_SYS_ADMIN; refused under kernel lockdown", "depends on attach type" */
  requires?: string;
}

/**
 * A program type whose func_proto returns another bpf_func_proto for the same helper ID (e.g.
 * bpf_get_stackid for perf_event programs, bpf_get_socket_cookie for tracing programs).
 */
export interface HelperVariant {
  /** the kernel's bpf_func_proto variable, e.g. "bpf_get_stackid_proto_pe" */
  kernelProto: string;
  gplOnly: boolean;
  ret: HelperRet;
  args: readonly HelperArg[];
  mightSleep?: boolean;
  /** short program type names that get this variant */
  progTypes: readonly string[];
}

/** The generated record form (helpers.data.ts). */
export interface RawHelper {
  id: number;
  name: string;
  proto: string;
  gplOnly: boolean;
  ret: HelperRet;
  args: readonly HelperArg[];
  since?: string;
  mightSleep?: boolean;
  /** "XDP" or ["XDP", "CAP_PERFMON"] */
  progTypes: readonly (string | readonly [string, string])[];
  variants?: readonly HelperVariant[];
  unresolved?: boolean;
}

export interface HelperDeprecation {
  /** helpers to use instead */
  successors: readonly string[];
  /** why, in one sentence */
  reason: string;
}

export interface HelperInfo {
  id: number;
  /** full C name, "bpf_map_lookup_elem" */
  name: string;
  /** C prototype as the uapi documents it */
  proto: string;
  gplOnly: boolean;
  ret: HelperRet;
  args: readonly HelperArg[];
  /** the kernel release that introduced it, e.g. "4.1" */
  since?: string;
  /** the helper may sleep: only sleepable programs may call it */
  mightSleep?: boolean;
  progTypes: HelperAvailability[] | readonly HelperAvailability[];
  /** per-program-type prototypes that differ from the one above */
  variants?: readonly HelperVariant[];
  deprecated?: HelperDeprecation;
}

/** Helpers the uapi documentation tells users to replace. */
export const HELPER_DEPRECATIONS: Readonly<Record<string, HelperDeprecation>> = {
  bpf_probe_read: {
    successors: ['bpf_probe_read_kernel', 'bpf_probe_read_user'],
    reason: 'it does not say whether the address is a kernel or a user address; on architectures with overlapping address spaces it is not available at all',
  },
  bpf_probe_read_str: {
    successors: ['bpf_probe_read_kernel_str', 'bpf_probe_read_user_str'],
    reason: 'it does not say whether the address is a kernel or a user address; on architectures with overlapping address spaces it is not available at all',
  },
  bpf_perf_event_read: {
    successors: ['bpf_perf_event_read_value'],
    reason: 'its return value cannot tell errors from counter values, and it gives no enabled/running times',
  },
};

/** Program types whose helpers are those of another program (freplace targets). */
const INHERITS_HELPERS = new Set(['EXT']);
/** Each struct_ops interface (tcp_congestion_ops, sched_ext_ops...) adds helpers of its own. */
const PER_INTERFACE_HELPERS = new Set(['STRUCT_OPS']);

const byId: HelperInfo[] = [];
const byName = new Map<string, HelperInfo>();

for (const raw of HELPER_DATA) {
  const info: HelperInfo = {
    id: raw.id,
    name: raw.name,
    proto: raw.proto,
    gplOnly: raw.gplOnly,
    ret: raw.ret,
    args: raw.args,
    since: raw.since,
    mightSleep: raw.mightSleep,
    progTypes: raw.progTypes.map((p) => (typeof p === 'string' ? { progType: p } : { progType: p[0], requires: p[1] })),
    variants: raw.variants,
    deprecated: HELPER_DEPRECATIONS[raw.name],
  };
  byId[info.id] = info;
  byName.set(info.name, info);
}

// What a newer kernel added, as measured on it (helpers.probed.data.ts).
const newer = `newer kernels only (offered by Linux ${PROBED_KERNEL.replace(/^(\d+\.\d+).*$/, '$1')}, not by 6.12; may need CAP_PERFMON)`;
for (const [pt, names] of Object.entries(PROBED_ADDITIONS)) {
  for (const n of names) {
    const h = byName.get(n);
    if (h && !h.progTypes.some((x) => x.progType === pt)) h.progTypes = [...h.progTypes, { progType: pt, requires: newer }];
  }
}

/** Highest helper ID known (211 as of Linux 6.12). */
export const MAX_HELPER_ID = byId.length - 1;

export function helperById(id: number): HelperInfo | undefined {
  return byId[id];
}

/** Accepts "bpf_map_lookup_elem" or "map_lookup_elem" (the BPF_FUNC_ suffix). */
export function helperByName(name: string): HelperInfo | undefined {
  return byName.get(name) ?? byName.get(`bpf_${name}`);
}

export function allHelpers(): readonly HelperInfo[] {
  return byId.filter((h): h is HelperInfo => h !== undefined);
}

function shortProgType(progType: number | string): string {
  if (typeof progType === 'string') return progType.replace(/^BPF_PROG_TYPE_/, '');
  return (PROG_TYPE_NAMES[progType] ?? '').replace(/^BPF_PROG_TYPE_/, '');
}

export interface HelperAllowed {
  allowed: boolean;
  /** set when the kernel allows it only with a capability or under a condition */
  requires?: string;
}

/**
 * Whether a program of the given type (ProgType number or name like "XDP"/"BPF_PROG_TYPE_XDP") may call
 * the helper, as the program type's get_func_proto decides. EXT programs take their target's helpers,
 * so they are always reported allowed.
 */
export function isHelperAllowed(helper: HelperInfo | number | string, progType: number | string): HelperAllowed {
  const h = typeof helper === 'object' ? helper : typeof helper === 'number' ? helperById(helper) : helperByName(helper);
  if (!h) return { allowed: false };
  const pt = shortProgType(progType);
  if (INHERITS_HELPERS.has(pt)) return { allowed: true };
  const a = h.progTypes.find((x) => x.progType === pt);
  if (!a && PER_INTERFACE_HELPERS.has(pt)) return { allowed: true, requires: 'depends on the struct_ops interface (its get_func_proto may add it)' };
  if (!a) return { allowed: false };
  return a.requires ? { allowed: true, requires: a.requires } : { allowed: true };
}

/** The prototype the verifier checks for this helper in a program of the given type. */
export function helperProtoFor(h: HelperInfo, progType: number | string): { gplOnly: boolean; ret: HelperRet; args: readonly HelperArg[]; mightSleep?: boolean } {
  const pt = shortProgType(progType);
  const v = h.variants?.find((x) => x.progTypes.includes(pt));
  return v ?? h;
}

/** The verifier's short words for a helper argument kind, for hover text. */
export function describeArgKind(arg: HelperArg): string {
  const words: Record<string, string> = {
    ARG_CONST_MAP_PTR: 'a map (pointer to a map definition)',
    ARG_PTR_TO_MAP_KEY: 'pointer to a map key',
    ARG_PTR_TO_MAP_VALUE: 'pointer to a map value',
    ARG_PTR_TO_MEM: 'pointer to memory (stack, packet, map value, ...)',
    ARG_PTR_TO_ARENA: 'pointer into an arena',
    ARG_CONST_SIZE: 'constant size, > 0',
    ARG_CONST_SIZE_OR_ZERO: 'constant size, may be 0',
    ARG_PTR_TO_CTX: 'the program context',
    ARG_ANYTHING: 'any initialized value',
    ARG_SCALAR: 'a scalar',
    ARG_PTR_TO_SPIN_LOCK: 'pointer to a struct bpf_spin_lock in a map value',
    ARG_PTR_TO_SOCK_COMMON: 'pointer to a sock_common',
    ARG_PTR_TO_SOCKET: 'pointer to a full socket',
    ARG_PTR_TO_BTF_ID: 'pointer to a kernel object',
    ARG_PTR_TO_RINGBUF_MEM: 'pointer to ring buffer memory from bpf_ringbuf_reserve',
    ARG_CONST_ALLOC_SIZE_OR_ZERO: 'constant allocation size',
    ARG_PTR_TO_BTF_ID_SOCK_COMMON: 'pointer to a kernel socket or bpf_sock',
    ARG_PTR_TO_PERCPU_BTF_ID: 'pointer to a per-CPU kernel variable',
    ARG_PTR_TO_FUNC: 'a static BPF function (callback)',
    ARG_PTR_TO_STACK: 'pointer to the BPF stack',
    ARG_PTR_TO_CONST_STR: 'pointer to a constant, NUL-terminated string in read-only data',
    ARG_PTR_TO_TIMER: 'pointer to a struct bpf_timer in a map value',
    ARG_KPTR_XCHG_DEST: 'pointer to a kptr field in a map value',
    ARG_PTR_TO_DYNPTR: 'pointer to a struct bpf_dynptr on the stack',
  };
  let s = words[arg.base] ?? arg.base;
  if (arg.btfType) s += ` (struct ${arg.btfType})`;
  const fl: string[] = [];
  if (arg.flags.includes('PTR_MAYBE_NULL')) fl.push('may be NULL');
  if (arg.flags.includes('MEM_RDONLY')) fl.push('read only');
  if (arg.flags.includes('MEM_UNINIT')) fl.push('may be uninitialized (the helper writes it)');
  if (arg.flags.includes('MEM_FIXED_SIZE') && arg.size !== undefined) fl.push(`${arg.size} bytes`);
  return fl.length ? `${s}; ${fl.join(', ')}` : s;
}
