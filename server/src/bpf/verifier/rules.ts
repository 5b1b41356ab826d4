// Load-time rules of the kernel that depend on the program's type, attach type or flags rather than
// on register state: helpers a func_proto withholds for some attach types, sleepable helpers,
// map/program compatibility (check_map_prog_compatibility), device-bound XDP metadata kfuncs.
import type { Btf, LoadedObject, LoadedProgram, MapDef } from '../loader/types';
import type { Insn } from '../isa/insn';
import { BtfKind, BtfType } from '../btf/types';
import { ProgType } from '../progtypes';
import { VerifierError } from './errors';
import { stripModifiers as strip } from './btfutil';

/** enum bpf_attach_type values the rules below name */
const ATTACH = {
  CGROUP_INET_INGRESS: 0, CGROUP_INET_EGRESS: 1, CGROUP_SOCK_OPS: 3, CGROUP_UDP4_RECVMSG: 19, CGROUP_UDP6_RECVMSG: 20,
  CGROUP_INET4_GETPEERNAME: 29, CGROUP_INET6_GETPEERNAME: 30, CGROUP_INET4_GETSOCKNAME: 31, CGROUP_INET6_GETSOCKNAME: 32,
  CGROUP_UNIX_RECVMSG: 51, CGROUP_UNIX_GETPEERNAME: 52, CGROUP_UNIX_GETSOCKNAME: 53,
} as const;

/** cgroup_common_func_proto: hooks whose return value is not an errno have no get/set_retval */
const NO_RETVAL_ATTACH = new Set<number>([
  ATTACH.CGROUP_INET_INGRESS, ATTACH.CGROUP_INET_EGRESS, ATTACH.CGROUP_SOCK_OPS, ATTACH.CGROUP_UDP4_RECVMSG,
  ATTACH.CGROUP_UDP6_RECVMSG, ATTACH.CGROUP_UNIX_RECVMSG, ATTACH.CGROUP_INET4_GETPEERNAME, ATTACH.CGROUP_INET6_GETPEERNAME,
  ATTACH.CGROUP_UNIX_GETPEERNAME, ATTACH.CGROUP_INET4_GETSOCKNAME, ATTACH.CGROUP_INET6_GETSOCKNAME, ATTACH.CGROUP_UNIX_GETSOCKNAME,
]);

const CGROUP_TYPES = new Set<number>([
  ProgType.CGROUP_SKB, ProgType.CGROUP_SOCK, ProgType.CGROUP_SOCK_ADDR, ProgType.SOCK_OPS, ProgType.CGROUP_DEVICE,
  ProgType.CGROUP_SYSCTL, ProgType.CGROUP_SOCKOPT,
]);

/**
 * True when the program's func_proto returns NULL for a helper its program type otherwise offers
 * ("program of this type cannot use helper ..."): bpf_get_retval / bpf_set_retval in cgroup hooks
 * attached where the return value is not an errno (skb ingress/egress, sock_ops, recvmsg,
 * getpeername, getsockname).
 */
export function helperWithheld(name: string, prog: LoadedProgram, targetBtf?: Btf): boolean {
  if ((name === 'bpf_get_retval' || name === 'bpf_set_retval') && CGROUP_TYPES.has(prog.progType)) {
    return NO_RETVAL_ATTACH.has(prog.expectedAttachType);
  }
  // bpf_tcp_ca_get_func_proto: a retiring congestion control (release) may not set or get options
  if ((name === 'bpf_setsockopt' || name === 'bpf_getsockopt') && prog.progType === ProgType.STRUCT_OPS && targetBtf && prog.attachBtfId) {
    const st = targetBtf.types[prog.attachBtfId];
    return st?.name === 'tcp_congestion_ops' && st.members?.[prog.expectedAttachType]?.name === 'release';
  }
  return false;
}

const GPL_LICENSES = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);


/** specialFields per map: a pure function of the map's definition and the object's BTF, found once per object */
const specialFieldsOf = new WeakMap<MapDef, { btf: Btf | undefined; fields: ReadonlySet<string> }>();

/** Names of the special kernel structs (bpf_timer, bpf_list_head...) a map value holds, nested structs and arrays included (btf_parse_fields). */
export function specialFields(btf: Btf | undefined, map: MapDef): ReadonlySet<string> {
  const known = specialFieldsOf.get(map);
  if (known && known.btf === btf) return known.fields;
  const fields = findSpecialFields(btf, map);
  specialFieldsOf.set(map, { btf, fields });
  return fields;
}

function findSpecialFields(btf: Btf | undefined, map: MapDef): Set<string> {
  const out = new Set<string>();
  if (!btf || !map.btfValueTypeId) return out;
  const seen = new Set<number>();
  const visit = (id: number, depth: number): void => {
    const t = strip(btf, id);
    if (!t || depth > 8 || seen.has(t.id)) return;
    seen.add(t.id);
    if (t.kind === BtfKind.STRUCT && SPECIAL.has(t.name)) {
      out.add(t.name);
      return;
    }
    if (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) for (const m of t.members ?? []) visit(m.type, depth + 1);
    else if (t.kind === BtfKind.ARRAY && t.array) visit(t.array.elemType, depth + 1);
    else if (t.kind === BtfKind.DATASEC) for (const v of t.secinfo ?? []) visit(v.type, depth + 1);
    else if (t.kind === BtfKind.VAR) visit(t.type, depth + 1);
  };
  visit(map.btfValueTypeId, 0);
  return out;
}

const SPECIAL = new Set(['bpf_spin_lock', 'bpf_res_spin_lock', 'bpf_timer', 'bpf_wq', 'bpf_list_head', 'bpf_rb_root', 'bpf_list_node', 'bpf_rb_node', 'bpf_refcount']);

/** is_tracing_prog_type */
function isTracingType(pt: number): boolean {
  return pt === ProgType.KPROBE || pt === ProgType.TRACEPOINT || pt === ProgType.PERF_EVENT ||
    pt === ProgType.RAW_TRACEPOINT || pt === ProgType.RAW_TRACEPOINT_WRITABLE;
}

/**
 * check_map_prog_compatibility for the fields the verifier does not check elsewhere (lists and
 * rbtrees, timers, workqueues in tracing programs); undefined when compatible.
 */
export function mapProgCompatError(btf: Btf | undefined, map: MapDef, prog: LoadedProgram): string | undefined {
  const tracing = isTracingType(prog.progType);
  if (!tracing && prog.progType !== ProgType.SOCKET_FILTER) return undefined;
  const f = specialFields(btf, map);
  if (tracing && (f.has('bpf_list_head') || f.has('bpf_rb_root'))) return 'tracing progs cannot use bpf_{list_head,rb_root} yet';
  if (f.has('bpf_spin_lock')) return tracing ? 'tracing progs cannot use bpf_spin_lock yet' : 'socket filter progs cannot use bpf_spin_lock yet';
  if (tracing && f.has('bpf_timer')) return 'tracing progs cannot use bpf_timer yet';
  if (tracing && f.has('bpf_wq')) return 'tracing progs cannot use bpf_wq yet';
  return undefined;
}

/**
 * XDP metadata kfuncs (bpf_dev_bound_kfunc_id): only programs bound to a device at load time
 * (BPF_F_XDP_DEV_BOUND_ONLY with an ifindex) may call them; a plain load never is.
 */
export function devBoundKfunc(name: string): boolean {
  return /^bpf_xdp_metadata_rx_(timestamp|hash|vlan_tag)$/.test(name);
}

/**
 * The load-time checks bpf_check makes before do_check, in its order: add_subprog_and_kfunc refuses
 * device-bound metadata kfuncs, then resolve_pseudo_ldimm64 checks every map the instructions
 * reference (reachable or not) against the program type. `kfuncName` resolves a kfunc call's name.
 */
export function checkLoadRules(insns: Insn[], obj: LoadedObject, prog: LoadedProgram, kfuncName: (idx: number) => string | undefined): void {
  // check_struct_ops_btf_id (reported here, before the instructions are checked)
  if (prog.progType === ProgType.STRUCT_OPS && !GPL_LICENSES.has(prog.license || obj.license)) {
    throw new VerifierError('struct ops programs must have a GPL compatible license', 0);
  }
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i];
    if (x.code === 0x85 && x.src === 2 && devBoundKfunc(kfuncName(i) ?? '')) {
      throw new VerifierError('metadata kfuncs require device-bound program', i);
    }
  }
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i];
    if (x.code !== 0x18) continue;
    if (x.src === 1 || x.src === 2 || x.src === 5 || x.src === 6) {
      const map = obj.maps[x.imm];
      const why = map ? mapProgCompatError(obj.btf, map, prog) : undefined;
      if (why) throw new VerifierError(why, i);
    }
    i++;
  }
}

/**
 * The object BTF's "exception_callback:<name>" decl tags, in type order: found once per BTF (a pure
 * function of its types; the index is rebuilt if the type list ever grows).
 */
const exceptionTagIndex = new WeakMap<readonly BtfType[], { n: number; tags: BtfType[] }>();
function exceptionCallbackTags(btf: Btf): readonly BtfType[] {
  const types = btf.types;
  let e = exceptionTagIndex.get(types);
  if (!e || e.n !== types.length) {
    const tags: BtfType[] = [];
    for (const t of types) if (t && t.kind === BtfKind.DECL_TAG && t.name.startsWith('exception_callback:')) tags.push(t);
    e = { n: types.length, tags };
    exceptionTagIndex.set(types, e);
  }
  return e.tags;
}

/**
 * bpf_find_exception_callback_insn_off (first thing add_subprog_and_kfunc does): the main
 * function's "exception_callback:<name>" decl tag must name one global function that the program
 * carries in its func_info.
 */
export function checkExceptionCallbackTag(obj: LoadedObject, prog: LoadedProgram): void {
  const btf = obj.btf;
  if (!btf) return;
  const all = exceptionCallbackTags(btf);
  if (!all.length) return;
  const main = prog.funcInfo.find((f) => f.insnOff === 0);
  if (!main) return;
  const tags = all.filter((t) => t.type === main.typeId && (t.componentIdx ?? -1) === -1);
  if (!tags.length) return;
  if (tags.length > 1) throw new VerifierError('multiple exception callback tags for main subprog', 0);
  const name = tags[0].name.slice('exception_callback:'.length);
  const fn = btf.byName(name, BtfKind.FUNC);
  if (!fn) throw new VerifierError(`exception callback '${name}' could not be found in BTF`, 0);
  if (fn.linkage !== 1) throw new VerifierError(`exception callback '${name}' must have global linkage`, 0);
  const fi = prog.funcInfo.find((f) => f.typeId === fn.id);
  if (!fi) throw new VerifierError('exception callback type id not found in func_info', 0);
  if (fi.insnOff === 0) throw new VerifierError('invalid exception callback insn_off in func_info: 0', 0);
}

/** check_max_stack_depth: the exception callback may only run as the exception handler, never be called. */
export function checkExceptionCallbackCalls(insns: Insn[], obj: LoadedObject, prog: LoadedProgram): void {
  const btf = obj.btf;
  if (!btf) return;
  const all = exceptionCallbackTags(btf);
  if (!all.length) return;
  const main = prog.funcInfo.find((f) => f.insnOff === 0);
  if (!main) return;
  const tag = all.find((t) => t.type === main.typeId && (t.componentIdx ?? -1) === -1);
  if (!tag) return;
  const fn = btf.byName(tag.name.slice('exception_callback:'.length), BtfKind.FUNC);
  const at = fn ? prog.funcInfo.find((f) => f.typeId === fn.id)?.insnOff : undefined;
  if (!at) return;
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i];
    if (x.code === 0x85 && x.src === 1 && i + x.imm + 1 === at) throw new VerifierError(`insn ${i} cannot call exception cb directly`, i);
    if (x.code === 0x18) i++;
  }
}

/**
 * may_update_sockmap: program types that can never hold a locked socket may update or delete
 * sockmap/sockhash entries with the generic map helpers (sock_ops only delete; iterators too).
 */
export function mayUpdateSockmap(prog: LoadedProgram, fname: string): boolean {
  if (fname !== 'bpf_map_update_elem' && fname !== 'bpf_map_delete_elem') return false;
  switch (prog.progType) {
    case ProgType.TRACING: return prog.expectedAttachType === 28; // BPF_TRACE_ITER
    case ProgType.SOCK_OPS: return fname === 'bpf_map_delete_elem';
    case ProgType.SOCKET_FILTER: case ProgType.SCHED_CLS: case ProgType.SCHED_ACT: case ProgType.XDP:
    case ProgType.SK_REUSEPORT: case ProgType.FLOW_DISSECTOR: case ProgType.SK_LOOKUP:
      return true;
    default:
      return false;
  }
}

/**
 * check_max_stack_depth's frame count: the most calls along one chain from the main program
 * (calls[sp] lists the subprograms sp calls). A cycle (recursion) counts as endless; the result is
 * capped at 64.
 */
export function callChainFrames(calls: number[][]): number {
  const CAP = 64;
  const memo = new Map<number, number>();
  const onPath = new Set<number>();
  const longest = (sp: number): number => {
    const m = memo.get(sp);
    if (m !== undefined) return m;
    if (onPath.has(sp)) return CAP;
    onPath.add(sp);
    let best = 0;
    for (const c of new Set(calls[sp] ?? [])) {
      best = Math.max(best, 1 + longest(c));
      if (best >= CAP) break;
    }
    onPath.delete(sp);
    best = Math.min(best, CAP);
    memo.set(sp, best);
    return best;
  };
  return longest(0);
}
