// BPF graph API and allocated objects (kernel/bpf/btf.c btf_parse_fields, kernel/bpf/verifier.c
// check_kfunc_args' graph root/node/refcounted-kptr arguments, mark_reg_graph_node,
// ref_set_non_owning, ref_convert_owning_non_owning, invalidate_non_owning_refs).
//
// Special fields (bpf_spin_lock, bpf_list_head/node, bpf_rb_root/node, bpf_refcount) are found in
// a map value's BTF type (a struct, or a global data section's DATASEC, where each `private(X)`
// section is its own map) and in program-BTF structs allocated with bpf_obj_new. A graph root names
// the struct it holds and that struct's node member with a `contains:<struct>:<member>` decl tag.
// List/rbtree kfuncs need the lock of the root's allocation held; a pushed node becomes a
// non-owning reference (NON_OWN_REF) that dies at bpf_spin_unlock; popped/removed nodes are owning
// references pointing at the node inside their struct (off = node offset).
import type { Btf, MapDef } from '../loader/types';
import { BtfKind, BtfType } from '../btf/types';
import { stripModifiers as strip } from './btfutil';
import {
  Reg, RegType, markPtr, markUnknown, markNotInit, sminNum, umaxNum, PTR_MAYBE_NULL, MEM_ALLOC, NON_OWN_REF, MEM_RCU, MEM_PERCPU,
} from './reg';
import { tnumIsConst, tnumIsZero, tnumUNum } from './tnum';
import type { Frame, VState } from './state';

/** A register seen read-only (state.ts shares register objects between states copy-on-write). */
type RReg = Readonly<Omit<Reg, '__ro'>>;

/** Register i of frame f, writable: un-shared first where registers are copy-on-write (Frame.w). */
function writable(f: Frame, i: number): Reg {
  const w = (f as unknown as { w?: (i: number) => Reg }).w;
  return w ? w.call(f, i) : (f.regs[i] as unknown as Reg);
}

export type FieldKind = 'bpf_spin_lock' | 'bpf_list_head' | 'bpf_list_node' | 'bpf_rb_root' | 'bpf_rb_node' | 'bpf_refcount' | 'kptr';

export interface GraphField {
  kind: FieldKind;
  /** byte offset in the map value / object */
  off: number;
  size: number;
  /** graph roots: the struct held (program BTF id), its name and the node member's offset */
  valueTypeId?: number;
  valueName?: string;
  nodeOff?: number;
  /** kptrs: the type tag (kptr, kptr_untrusted, percpu_kptr, uptr) and the struct pointed to */
  kptrTag?: string;
  pointeeId?: number;
  pointeeName?: string;
}

export interface BtfRecord {
  fields: GraphField[];
  /** -22 (-EINVAL, as the kernel prints it) when the type has no bpf_spin_lock */
  spinLockOff: number;
  refcountOff: number;
}

const SPECIAL: Record<string, FieldKind> = {
  bpf_spin_lock: 'bpf_spin_lock', bpf_list_head: 'bpf_list_head', bpf_list_node: 'bpf_list_node',
  bpf_rb_root: 'bpf_rb_root', bpf_rb_node: 'bpf_rb_node', bpf_refcount: 'bpf_refcount',
};
const MAX_FIELDS = 64;

const cache = new WeakMap<Btf, Map<number, BtfRecord | null>>();
const tagCache = new WeakMap<Btf, Map<number, Map<number, string>>>();

/** `contains:` decl tags: type id -> component index (-1 for the type/var itself) -> tag value */
function containsTags(btf: Btf): Map<number, Map<number, string>> {
  let m = tagCache.get(btf);
  if (m) return m;
  m = new Map();
  for (const t of btf.types) {
    if (!t || t.kind !== BtfKind.DECL_TAG || !t.name.startsWith('contains:')) continue;
    let per = m.get(t.type);
    if (!per) m.set(t.type, (per = new Map()));
    per.set(t.componentIdx ?? -1, t.name.slice('contains:'.length));
  }
  tagCache.set(btf, m);
  return m;
}

/** btf_parse_graph_root: "<struct>:<member>" -> the struct and its node member's offset */
function graphRoot(btf: Btf, tag: string | undefined, nodeKind: FieldKind): { id: number; name: string; nodeOff: number } | undefined {
  if (!tag) return undefined;
  const i = tag.indexOf(':');
  if (i <= 0) return undefined;
  const vt = btf.byName(tag.slice(0, i), BtfKind.STRUCT);
  if (!vt) return undefined;
  const node = (vt.members ?? []).filter((m) => m.name === tag.slice(i + 1));
  if (node.length !== 1) return undefined;
  const nt = strip(btf, node[0].type);
  if (!nt || nt.name !== nodeKind || node[0].offset % 64) return undefined;
  return { id: vt.id, name: vt.name, nodeOff: node[0].offset / 8 };
}

/** Collects the special fields of type t placed at byte `base` (nested structs and arrays walked). */
function collect(btf: Btf, t: BtfType, base: number, tag: string | undefined, out: GraphField[], depth: number): boolean {
  if (out.length > MAX_FIELDS || depth > 8) return false;
  if (t.kind === BtfKind.ARRAY && t.array) {
    const et = strip(btf, t.array.elemType);
    if (!et) return true;
    const esz = btf.sizeOf?.(et.id) ?? et.size;
    const n = Math.min(t.array.nelems, MAX_FIELDS);
    const before = out.length;
    for (let k = 0; k < n; k++) {
      if (!collect(btf, et, base + k * esz, tag, out, depth + 1)) return false;
      if (out.length === before) break; // no special field inside: no need to walk the other elements
    }
    return true;
  }
  if (t.kind === BtfKind.PTR) {
    // a kptr declared on its own (a global variable) or as an array element
    const k1 = kptrOf(btf, t);
    if (k1) out.push({ kind: 'kptr', off: base, size: 8, ...k1 });
    return true;
  }
  if (t.kind !== BtfKind.STRUCT) return true;
  const kind = SPECIAL[t.name];
  if (kind) {
    const f: GraphField = { kind, off: base, size: t.size };
    if (kind === 'bpf_list_head' || kind === 'bpf_rb_root') {
      const r = graphRoot(btf, tag, kind === 'bpf_list_head' ? 'bpf_list_node' : 'bpf_rb_node');
      if (!r) return false; // the kernel refuses the BTF (no or bad __contains)
      f.valueTypeId = r.id; f.valueName = r.name; f.nodeOff = r.nodeOff;
    }
    out.push(f);
    return true;
  }
  const tags = containsTags(btf).get(t.id);
  const members = t.members ?? [];
  for (let k = 0; k < members.length; k++) {
    const m = members[k];
    const mt = strip(btf, m.type);
    if (!mt || m.bitfieldSize) continue;
    if (mt.kind === BtfKind.PTR) {
      const k2 = kptrOf(btf, mt);
      if (k2) out.push({ kind: 'kptr', off: base + Math.floor(m.offset / 8), size: 8, ...k2 });
      continue;
    }
    if (mt.kind !== BtfKind.STRUCT && mt.kind !== BtfKind.ARRAY) continue;
    if (!collect(btf, mt, base + Math.floor(m.offset / 8), tags?.get(k), out, depth + 1)) return false;
  }
  return true;
}

/** A `__kptr`-style pointer: PTR -> TYPE_TAG(kptr...) -> struct */
function kptrOf(btf: Btf, ptr: BtfType): { kptrTag: string; pointeeId: number; pointeeName: string } | undefined {
  const tag = btf.types[ptr.type];
  if (!tag || tag.kind !== BtfKind.TYPE_TAG || !/^(kptr|kptr_ref|kptr_untrusted|percpu_kptr|uptr)$/.test(tag.name)) return undefined;
  const st = strip(btf, tag.type);
  if (!st || (st.kind !== BtfKind.STRUCT && st.kind !== BtfKind.FWD)) return undefined;
  return { kptrTag: tag.name, pointeeId: st.id, pointeeName: st.name };
}

function build(btf: Btf, typeId: number): BtfRecord | null {
  const t = strip(btf, typeId);
  if (!t) return null;
  const fields: GraphField[] = [];
  if (t.kind === BtfKind.DATASEC) {
    for (const si of t.secinfo ?? []) {
      const v = btf.types[si.type];
      if (!v || v.kind !== BtfKind.VAR) continue;
      const vt = strip(btf, v.type);
      if (!vt) continue;
      if (!collect(btf, vt, si.offset, containsTags(btf).get(v.id)?.get(-1), fields, 0)) return null;
    }
  } else if (t.kind === BtfKind.STRUCT) {
    if (!collect(btf, t, 0, undefined, fields, 0)) return null;
  } else {
    return null;
  }
  // btf_parse_fields: more than BTF_FIELDS_MAX (11) special fields and the type has no record at all
  if (!fields.length || fields.length > 11) return null;
  fields.sort((a, b) => a.off - b.off);
  const locks = fields.filter((f) => f.kind === 'bpf_spin_lock');
  const rcs = fields.filter((f) => f.kind === 'bpf_refcount');
  if (locks.length > 1 || rcs.length > 1) return null;
  const rec: BtfRecord = { fields, spinLockOff: locks[0]?.off ?? -22, refcountOff: rcs[0]?.off ?? -1 };
  // bpf_list_head and bpf_rb_root need a bpf_spin_lock next to them
  if (fields.some((f) => f.kind === 'bpf_list_head' || f.kind === 'bpf_rb_root') && !locks.length) return null;
  return rec;
}

/** The special fields of a (program BTF) struct or DATASEC type, or undefined when it has none. */
export function recordOf(btf: Btf | undefined, typeId: number | undefined): BtfRecord | undefined {
  if (!btf || !typeId) return undefined;
  let m = cache.get(btf);
  if (!m) cache.set(btf, (m = new Map()));
  let r = m.get(typeId);
  if (r === undefined) { r = build(btf, typeId); m.set(typeId, r); }
  return r ?? undefined;
}

/** A map value's record (struct value or global data section). */
export function mapRecord(btf: Btf | undefined, map: MapDef | undefined): BtfRecord | undefined {
  return map ? recordOf(btf, map.btfValueTypeId) : undefined;
}

/** The bpf_spin_lock offset in a global data section's value (DATASEC), if any. */
export function datasecSpinLockOff(btf: Btf | undefined, map: MapDef): number | undefined {
  if (!btf || !map.btfValueTypeId || strip(btf, map.btfValueTypeId)?.kind !== BtfKind.DATASEC) return undefined;
  const r = mapRecord(btf, map);
  return r && r.spinLockOff >= 0 ? r.spinLockOff : undefined;
}

const isAlloc = (r: RReg): boolean => r.type === RegType.PTR_TO_BTF_ID && (r.flags & MEM_ALLOC) !== 0;

/** reg_btf_record: the record of what a map value or allocated-object pointer points into */
export function regRecord(progBtf: Btf | undefined, r: RReg): BtfRecord | undefined {
  if (r.type === RegType.PTR_TO_MAP_VALUE) return mapRecord(progBtf, r.map);
  if (isAlloc(r)) return recordOf(progBtf, r.btfId);
  return undefined;
}

/**
 * check_map_access: a load/store at [off, off+size) from map value pointer r (off includes r.off)
 * touching a special field other than a kptr (kptr fields have their own rules: kptr.ts).
 */
export function mapFieldAccessError(btf: Btf | undefined, map: MapDef, r: RReg, off: number, size: number): string | undefined {
  const rec = mapRecord(btf, map);
  if (!rec) return undefined;
  const lo = sminNum(r) + off, hi = umaxNum(r) + off + size;
  for (const f of rec.fields) {
    if (f.kind !== 'kptr' && lo < f.off + f.size && f.off < hi) return `${f.kind} cannot be accessed directly by load/store`;
  }
  return undefined;
}

/** btf_struct_access on an allocated object: special fields cannot be read or written */
export function allocFieldAccessError(progBtf: Btf | undefined, r: RReg, off: number, size: number): string | undefined {
  const rec = recordOf(progBtf, r.btfId);
  if (!rec) return undefined;
  for (const f of rec.fields) {
    if (off < f.off + f.size && f.off < off + size) return `direct access to ${f.kind} is disallowed`;
  }
  return undefined;
}

/** What a held lock is identified by: the map (map values) or the program BTF (allocated objects), and the register id. */
export function lockIdentity(progBtf: Btf | undefined, r: RReg): { ptr: unknown; id: number } {
  // a global data pointer has id 0 in the kernel; 0 means "no lock" here, so it is kept as -1
  return { ptr: r.type === RegType.PTR_TO_MAP_VALUE ? r.map : progBtf, id: r.id || -1 };
}

/**
 * process_spin_lock for an allocated object (the map value case is the verifier's): returns the
 * error, if any, for a bpf_spin_lock/unlock argument pointing into a bpf_obj_new object.
 */
export function allocSpinLockError(progBtf: Btf | undefined, r: RReg): string | undefined {
  const rec = recordOf(progBtf, r.btfId);
  if (!rec || rec.spinLockOff < 0) return `local 'kptr' has no valid bpf_spin_lock`;
  const off = r.off + tnumUNum(r.varOff);
  if (off !== rec.spinLockOff) return `off ${off} doesn't point to 'struct bpf_spin_lock' that is at ${rec.spinLockOff}`;
  return undefined;
}

/** Every register (all frames, spilled ones too) matching `match`, made writable and passed to fn. */
export function forEachMatchingReg(st: VState, match: (r: RReg) => boolean, fn: (r: Reg) => void): void {
  for (const f of st.frames) {
    for (let i = 0; i < 11; i++) if (match(f.regs[i])) fn(writable(f, i));
    const ro = f.stackRO;
    for (let k = 0; k < ro.length; k++) {
      const s = ro[k];
      if (s.types[7] === 1 /* STACK_SPILL */ && match(s.spilled)) fn(f.ws(k).spilled);
    }
  }
}

/** invalidate_non_owning_refs (bpf_spin_unlock): non-owning references become unknown scalars. */
export function invalidateNonOwningRefs(st: VState): void {
  forEachMatchingReg(st, (r) => r.type !== RegType.SCALAR_VALUE && r.type !== RegType.NOT_INIT && (r.flags & NON_OWN_REF) !== 0, markUnknown);
}

// ---- kfuncs ------------------------------------------------------------------------------------

export interface GraphHost {
  readonly cur: VState;
  readonly regs: readonly RReg[];
  readonly progBtf: Btf | undefined;
  wreg(regno: number): Reg;
  checkRegRead(regno: number): RReg;
  err(msg: string): never;
  verbose(msg: string): void;
  nextId(): number;
  acquireRef(insn: number): number;
  releaseRef(id: number): void;
  /** check_func_arg_reg_off for a kfunc argument (kfuncs.ts) */
  argRegOff(reg: RReg, regno: number): void;
  /** in_rbtree_lock_required_cb: the current frame is (called from) bpf_rbtree_add's less() callback */
  inRbtreeCb(): boolean;
  /** push_callback_call with set_rbtree_add_callback_state: setup fills the callee frame's R1-R5 */
  pushRbtreeCallback(subprogno: number, setup: (f: Frame) => void): void;
}

type Op = 'push' | 'pop' | 'peek' | 'add' | 'remove' | 'first' | 'walk' | 'refcount';
const OPS: Record<string, Op> = {
  bpf_list_push_front: 'push', bpf_list_push_back: 'push', bpf_list_pop_front: 'pop', bpf_list_pop_back: 'pop',
  bpf_list_front: 'peek', bpf_list_back: 'peek', bpf_rbtree_add: 'add', bpf_rbtree_remove: 'remove',
  bpf_rbtree_first: 'first', bpf_rbtree_root: 'first', bpf_rbtree_left: 'walk', bpf_rbtree_right: 'walk',
  bpf_refcount_acquire: 'refcount',
};

/** The graph kfuncs this file models (the rest of check_kfunc_call stays in kfuncs.ts). */
export function isGraphKfunc(name: string): boolean {
  return OPS[name.replace(/_impl$/, '')] !== undefined;
}

/** is_bpf_graph_api_kfunc / kfunc_spin_allowed: kfuncs callable while a bpf_spin_lock is held */
export function kfuncAllowedUnderLock(name: string): boolean {
  return isGraphKfunc(name) || /^bpf_iter_num_(new|next|destroy)$/.test(name) || /^bpf_res_spin_(lock|unlock)/.test(name);
}

interface Param { name?: string; type: number }

/** The held lock protects the allocation reg points into (check_reg_allocation_locked). */
function allocationLocked(h: GraphHost, r: RReg): boolean {
  if (!h.cur.activeLock) return false;
  const { ptr, id } = lockIdentity(h.progBtf, r);
  if (h.cur.activeLockPtr !== ptr || h.cur.activeLock !== id) {
    h.verbose('held lock and object are not in the same allocation\n');
    return false;
  }
  return true;
}

/**
 * check_kfunc_args + the graph parts of check_kfunc_call for bpf_list_*, bpf_rbtree_* and
 * bpf_refcount_acquire. kfuncBtf is the kernel BTF of the prototype. Returns 'callback' when
 * bpf_rbtree_add's less() callback was pushed (the caller goes on at the next instruction).
 */
export function checkGraphKfunc(h: GraphHost, name: string, kfuncBtf: Btf, params: readonly Param[], retType: number,
  flags: readonly string[], idx: number): 'done' | 'callback' {
  const op = OPS[name.replace(/_impl$/, '')];
  const trusted = flags.includes('KF_TRUSTED_ARGS') || flags.includes('KF_RCU');
  let head: { field: GraphField; rec: BtfRecord; kind: 'bpf_list_head' | 'bpf_rb_root' } | undefined;
  let nodeRefObjId = 0;
  let refArg: { btfId: number; btfName?: string; owning: boolean; rec: BtfRecord; size: number } | undefined;
  let less: number | undefined;
  const progBtf = h.progBtf;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const regno = i + 1;
    const sfx = /__([a-z_]+)$/.exec(p.name ?? '')?.[1] ?? '';
    if (sfx === 'ign') continue;
    const reg = h.checkRegRead(regno);
    const t = strip(kfuncBtf, p.type);
    if (!t || t.kind !== BtfKind.PTR) {
      if (reg.type !== RegType.SCALAR_VALUE) h.err(`R${regno} is not a scalar`);
      continue;
    }
    const isNull = reg.type === RegType.SCALAR_VALUE && tnumIsZero(reg.varOff);
    if (trusted && (isNull || (reg.type !== RegType.SCALAR_VALUE && reg.flags & PTR_MAYBE_NULL))) {
      h.err(`Possibly NULL pointer passed to trusted arg${i}`);
    }
    const refT = strip(kfuncBtf, t.type);
    const refName = refT?.name ?? '';
    h.argRegOff(reg, regno);
    if (refT?.kind === BtfKind.FUNC_PROTO) {
      if (reg.type !== RegType.PTR_TO_FUNC) h.err(`arg${i} expected pointer to func`);
      less = reg.subprogno;
      continue;
    }
    if (sfx === 'refcounted_kptr') {
      // KF_ARG_PTR_TO_REFCOUNTED_KPTR
      if (!isAlloc(reg)) h.err(`arg#${i} is neither owning or non-owning ref`);
      const rec = recordOf(progBtf, reg.btfId);
      if (!rec || rec.refcountOff < 0) h.err(`arg#${i} doesn't point to a type with bpf_refcount field`);
      const size = strip(progBtf!, reg.btfId)?.size ?? reg.memSize;
      refArg = { btfId: reg.btfId, btfName: reg.btfName, owning: !(reg.flags & NON_OWN_REF) && reg.refObjId !== 0, rec, size };
      continue;
    }
    if (refName === 'bpf_list_head' || refName === 'bpf_rb_root') {
      const isMap = reg.type === RegType.PTR_TO_MAP_VALUE && reg.flags === 0;
      if (!isMap && !(reg.type === RegType.PTR_TO_BTF_ID && reg.flags === MEM_ALLOC)) {
        h.err(`arg#${i} expected pointer to map value or allocated object`);
      }
      if (!isMap && !reg.refObjId) h.err('allocated object must be referenced');
      if (!tnumIsConst(reg.varOff)) h.err(`R${regno} doesn't have constant offset. ${refName} has to be at the constant offset`);
      const rec = regRecord(progBtf, reg);
      const off = reg.off + tnumUNum(reg.varOff);
      const field = rec?.fields.find((f) => f.off === off && f.kind === refName);
      if (!rec || !field) h.err(`${refName} not found at offset=${off >>> 0}`);
      if (!allocationLocked(h, reg)) h.err(`bpf_spin_lock at off=${rec.spinLockOff} must be held for ${refName}`);
      head = { field, rec, kind: refName };
      continue;
    }
    if (refName === 'bpf_list_node' || refName === 'bpf_rb_node') {
      if (refName === 'bpf_list_node' || op === 'add') {
        if (!(reg.type === RegType.PTR_TO_BTF_ID && reg.flags === MEM_ALLOC)) h.err(`arg#${i} expected pointer to allocated object`);
        if (!reg.refObjId) h.err('allocated object must be referenced');
      } else {
        if (!(reg.type === RegType.PTR_TO_BTF_ID && reg.flags & NON_OWN_REF) && !reg.refObjId) {
          h.err(`${name} can only take non-owning or refcounted bpf_rb_node pointer`);
        }
        if (h.inRbtreeCb()) h.err(`${name} not allowed in rbtree cb`);
      }
      if (!tnumIsConst(reg.varOff)) h.err(`R${regno} doesn't have constant offset. ${refName} has to be at the constant offset`);
      const nodeOff = reg.off + tnumUNum(reg.varOff);
      const rec = isAlloc(reg) ? recordOf(progBtf, reg.btfId) : undefined;
      if (!rec || !rec.fields.some((f) => f.off === nodeOff && f.kind === refName)) h.err(`${refName} not found at offset=${nodeOff >>> 0}`);
      if (!head) h.err(`verifier internal error: ${refName} argument without its root`);
      const hf = head.field;
      const regT = progBtf ? strip(progBtf, reg.btfId) : undefined;
      if (!regT || regT.id !== hf.valueTypeId) {
        h.err(`operation on ${head.kind} expects arg#1 ${refName} at offset=${hf.nodeOff} in struct ${hf.valueName}, but arg is at offset=${nodeOff} in struct ${regT?.name ?? ''}`);
      }
      if (nodeOff !== hf.nodeOff) h.err(`arg#1 offset=${nodeOff}, but expected ${refName} at offset=${hf.nodeOff} in struct ${hf.valueName}`);
      nodeRefObjId = reg.refObjId;
      continue;
    }
    h.err(`verifier internal error: unexpected argument ${i} of ${name}`);
  }

  // push/add: the node now belongs to the collection; the program keeps a non-owning reference
  if (op === 'push' || op === 'add') {
    const rec = head ? recordOf(progBtf, head.field.valueTypeId) : undefined;
    const extra = rec && rec.refcountOff >= 0 ? MEM_RCU : 0;
    if (!nodeRefObjId) h.err(`verifier internal error: ${name} without an owning node`);
    const id = nodeRefObjId;
    forEachMatchingReg(h.cur, (r) => r.type !== RegType.NOT_INIT && r.type !== RegType.SCALAR_VALUE && r.refObjId === id, (r) => {
      r.refObjId = 0;
      r.flags |= NON_OWN_REF | extra;
    });
    h.releaseRef(id);
  }
  for (let i = 0; i <= 5; i++) markNotInit(h.wreg(i));
  const rt = retType ? strip(kfuncBtf, retType) : undefined;
  if (op === 'push' || op === 'add') {
    if (rt) markUnknown(h.wreg(0));
    if (op === 'add' && less !== undefined && head) {
      const hf = head.field;
      const rec = recordOf(progBtf, hf.valueTypeId);
      const size = progBtf ? strip(progBtf, hf.valueTypeId!)?.size ?? 0 : 0;
      h.pushRbtreeCallback(less, (f) => {
        for (const r of [1, 2]) {
          const reg = writable(f, r);
          markGraphNode(reg, hf, size, NON_OWN_REF | (rec && rec.refcountOff >= 0 ? MEM_RCU : 0));
        }
        for (let r = 3; r <= 5; r++) markNotInit(writable(f, r));
      });
      return 'callback';
    }
    return 'done';
  }
  const r0 = h.wreg(0);
  if (op === 'refcount') {
    if (!refArg) h.err('verifier internal error: bpf_refcount_acquire without its argument');
    markPtr(r0, RegType.PTR_TO_BTF_ID, MEM_ALLOC);
    r0.btfId = refArg.btfId;
    r0.btfName = refArg.btfName;
    r0.memSize = refArg.size;
    // an owning argument cannot have dropped to zero: the result is not NULL (is_kfunc_ret_null)
    const retNull = !refArg.owning;
    if (retNull) r0.flags |= PTR_MAYBE_NULL;
    const id = h.acquireRef(idx);
    r0.refObjId = id;
    r0.id = retNull || refArg.rec.spinLockOff >= 0 ? id : 0;
    return 'done';
  }
  if (!head) h.err(`verifier internal error: ${name} without its root`);
  const hf = head.field;
  const rec = recordOf(progBtf, hf.valueTypeId);
  const size = progBtf ? strip(progBtf, hf.valueTypeId!)?.size ?? 0 : 0;
  if (op === 'pop' || op === 'remove') {
    // KF_ACQUIRE | KF_RET_NULL: an owning reference to the node inside its struct
    markGraphNode(r0, hf, size, PTR_MAYBE_NULL);
    const id = h.acquireRef(idx);
    r0.id = id;
    r0.refObjId = id;
  } else {
    // KF_RET_NULL, not acquiring: a non-owning reference valid until bpf_spin_unlock
    markGraphNode(r0, hf, size, PTR_MAYBE_NULL | NON_OWN_REF | (rec && rec.refcountOff >= 0 ? MEM_RCU : 0));
    r0.id = h.nextId();
  }
  return 'done';
}

/** mark_reg_graph_node: a pointer to the node member of the root's value struct */
function markGraphNode(r: Reg, hf: GraphField, size: number, flags: number): void {
  markPtr(r, RegType.PTR_TO_BTF_ID, MEM_ALLOC | flags);
  r.btfId = hf.valueTypeId!;
  r.btfName = hf.valueName;
  r.off = hf.nodeOff!;
  r.memSize = size;
}

// ---- bpf_kptr_xchg with local kptrs ------------------------------------------------------------

export interface LocalKptr { btfId: number; name: string; size: number; percpu: boolean }

/**
 * process_kptr_func + map_kptr_match_type for bpf_kptr_xchg(dst, ptr) when dst is a referenced kptr
 * field holding a program-BTF struct (a "local kptr": its name is not a kernel type). Returns that
 * struct, an error message, or undefined when dst is not such a field (left to the caller).
 */
export function localKptrXchg(progBtf: Btf | undefined, targetBtf: Btf | undefined, dst: RReg, src: RReg): LocalKptr | string | undefined {
  if (!progBtf || !tnumIsConst(dst.varOff)) return undefined;
  const rec = regRecord(progBtf, dst);
  const off = dst.off + tnumUNum(dst.varOff);
  const f = rec?.fields.find((x) => x.kind === 'kptr' && x.off === off);
  if (!f || f.pointeeId === undefined) return undefined;
  if (targetBtf?.byName(f.pointeeName ?? '', BtfKind.STRUCT)) return undefined; // a kernel type
  if (f.kptrTag === 'kptr_untrusted' || f.kptrTag === 'uptr') return `off=${off} kptr isn't referenced kptr`;
  // percpu objects are not modelled (their memory is reached through bpf_this_cpu_ptr)
  if (f.kptrTag === 'percpu_kptr') return undefined;
  const percpu = false;
  const t = strip(progBtf, f.pointeeId);
  const info: LocalKptr = { btfId: f.pointeeId, name: f.pointeeName ?? '', size: t?.size ?? 0, percpu };
  if (src.type === RegType.SCALAR_VALUE && tnumIsZero(src.varOff)) return info;
  const want = MEM_ALLOC | (percpu ? MEM_PERCPU : 0);
  const srcT = src.type === RegType.PTR_TO_BTF_ID ? strip(progBtf, src.btfId) : undefined;
  if (src.type !== RegType.PTR_TO_BTF_ID || (src.flags & ~PTR_MAYBE_NULL) !== want || src.off !== 0 || srcT?.id !== f.pointeeId) {
    const name = src.type === RegType.PTR_TO_BTF_ID ? src.btfName ?? '' : '';
    return `invalid kptr access, R2 type=${src.type === RegType.PTR_TO_BTF_ID ? 'ptr_' : 'scalar'}${name} expected=ptr_${info.name}`;
  }
  return info;
}

/** bpf_kptr_xchg's R0 for a local kptr: the object (MEM_ALLOC, maybe NULL), an acquired reference */
export function markLocalKptr(r0: Reg, k: LocalKptr, refId: number): void {
  markPtr(r0, RegType.PTR_TO_BTF_ID, MEM_ALLOC | (k.percpu ? MEM_PERCPU : 0) | PTR_MAYBE_NULL);
  r0.btfId = k.btfId;
  r0.btfName = k.name;
  r0.memSize = k.size;
  r0.id = refId;
  r0.refObjId = refId;
}
