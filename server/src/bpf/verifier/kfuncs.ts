// kfunc calls (kernel/bpf/verifier.c: check_kfunc_call, check_kfunc_args, get_kfunc_ptr_arg_type,
// process_kf_arg_ptr_to_btf_id): the kfunc must be registered for the program type, its BTF
// prototype (parameter types and name suffixes such as __sz, __k, __uninit, __nullable) decides
// what each argument must be, and its KF_* flags decide references, NULL results and trust.
// The verifier reaches this file through KfuncHost; its state stays private to it.
import type { Btf, LoadedProgram, MapDef } from '../loader/types';
import { specialFieldOffset } from './btfutil';
import { BtfKind, BtfType } from '../btf/types';
import {
  Reg, RReg, RegType, notInit, markNotInit, markUnknown, markPtr, markKnownScalarNum, regTypeStr, PTR_MAYBE_NULL, MEM_RDONLY, PTR_UNTRUSTED, PTR_TRUSTED,
  MEM_RCU, MEM_ALLOC, MEM_PERCPU, NON_OWN_REF,
} from './reg';
import { tnumIsConst, tnumIsZero, tnumUNum, tnumSNum, tnumStr } from './tnum';
import { Slot, Frame } from './state';
import { isGraphKfunc, checkGraphKfunc } from './graph';
import { VerifierError } from './errors';
import { kfuncFacts, kfuncAllowedFor } from '../../knowledge/kfuncs';
import { progTypeName } from '../progtypes';
import { DynptrHost, DynptrType, processDynptrArg, dynptrOf, markDynptrSlice } from './dynptr';
import { stripModifiers as strip } from './btfutil';

export interface KfuncHost extends DynptrHost {
  readonly prog: LoadedProgram;
  readonly targetBtf: Btf | undefined;
  readonly progBtf: Btf | undefined;
  checkRegRead(regno: number): RReg;
  /** check_helper_mem_access for reading and writing size bytes at register regno */
  checkMem(regno: number, size: number): void;
  /** check_kfunc_mem_size_reg: the size register sizeRegno and the memory at sizeRegno - 1 */
  checkMemSize(sizeRegno: number): void;
  /** check_reg_const_str */
  checkConstStr(regno: number): void;
  note(msg: string): void;
  /** process_iter_next_call: queue the other outcome of an iterator's next (drained, R0 = 0) */
  iterNextFork(frameno: number, spis: number[]): void;
  /** widen_imprecise_scalars on the looping path */
  iterWiden(): void;
  /** push_callback_call with set_timer_callback_state (R1 the map value holding the object) */
  pushAsyncCallback(subprogno: number): void;
  /** the verifier log (graph.ts: "held lock and object are not in the same allocation") */
  verbose(msg: string): void;
  /** in_rbtree_lock_required_cb (graph.ts) */
  inRbtreeCb(): boolean;
  /** push_callback_call with set_rbtree_add_callback_state (graph.ts fills the callee's registers) */
  pushRbtreeCallback(subprogno: number, setup: (f: Frame) => void): void;
}

const BPF_REG_TRUSTED_MODIFIERS = MEM_ALLOC | PTR_TRUSTED | NON_OWN_REF;


const KIND_STR: Record<number, string> = {
  [BtfKind.INT]: 'INT', [BtfKind.PTR]: 'PTR', [BtfKind.ARRAY]: 'ARRAY', [BtfKind.STRUCT]: 'STRUCT', [BtfKind.UNION]: 'UNION',
  [BtfKind.ENUM]: 'ENUM', [BtfKind.FWD]: 'FWD', [BtfKind.TYPEDEF]: 'TYPEDEF', [BtfKind.FUNC]: 'FUNC',
  [BtfKind.FUNC_PROTO]: 'FUNC_PROTO', [BtfKind.FLOAT]: 'FLOAT', [BtfKind.ENUM64]: 'ENUM64',
};
const kindStr = (t: BtfType | undefined): string => (t ? KIND_STR[t.kind] ?? 'UNKN' : 'UNKN');
const isScalarT = (t: BtfType | undefined): boolean => !!t && (t.kind === BtfKind.INT || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64 || t.kind === BtfKind.FLOAT);
const isStructT = (t: BtfType | undefined): boolean => !!t && (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION);

/** __btf_type_is_scalar_struct: a struct made (recursively) of scalars and arrays of scalars */
function isScalarStruct(btf: Btf, t: BtfType, depth: number): boolean {
  if (!isStructT(t)) return false;
  for (const m of t.members ?? []) {
    let mt = strip(btf, m.type);
    if (mt?.kind === BtfKind.ARRAY && mt.array) mt = strip(btf, mt.array.elemType);
    if (isScalarT(mt)) continue;
    if (mt && isStructT(mt) && depth < 2 && isScalarStruct(btf, mt, depth + 1)) continue;
    return false;
  }
  return true;
}

function sizeOf(btf: Btf, t: BtfType): number | undefined {
  if (btf.sizeOf) return btf.sizeOf(t.id);
  return t.kind === BtfKind.PTR ? 8 : t.size;
}

/** btf_is_prog_ctx_type: the uapi context struct of each program type */
const CTX_STRUCT: Record<string, string> = {
  SOCKET_FILTER: '__sk_buff', SCHED_CLS: '__sk_buff', SCHED_ACT: '__sk_buff', CGROUP_SKB: '__sk_buff', SK_SKB: '__sk_buff',
  LWT_IN: '__sk_buff', LWT_OUT: '__sk_buff', LWT_XMIT: '__sk_buff', LWT_SEG6LOCAL: '__sk_buff',
  XDP: 'xdp_md', CGROUP_SOCK: 'bpf_sock', CGROUP_SOCK_ADDR: 'bpf_sock_addr', SOCK_OPS: 'bpf_sock_ops',
  SK_MSG: 'sk_msg_md', FLOW_DISSECTOR: '__sk_buff', KPROBE: 'pt_regs', PERF_EVENT: 'bpf_perf_event_data',
  CGROUP_DEVICE: 'bpf_cgroup_dev_ctx', CGROUP_SYSCTL: 'bpf_sysctl', CGROUP_SOCKOPT: 'bpf_sockopt',
  SK_REUSEPORT: 'sk_reuseport_md', SK_LOOKUP: 'bpf_sk_lookup', NETFILTER: 'bpf_nf_ctx',
};

/** the kernel struct behind a uapi ctx (btf_is_projection_of) */
const PROJECTION: Record<string, string> = { __sk_buff: 'sk_buff', xdp_md: 'xdp_buff' };

function isCtxParam(progType: string, pointee: BtfType | undefined): boolean {
  if (!pointee || !isStructT(pointee)) return false;
  const ctx = CTX_STRUCT[progType];
  return !!ctx && (pointee.name === ctx || PROJECTION[ctx] === pointee.name);
}

const SPECIAL_STRUCT_ARGS: Record<string, string> = {
  bpf_dynptr: 'dynptr', bpf_list_head: 'list_head', bpf_list_node: 'list_node', bpf_rb_root: 'rb_root',
  bpf_rb_node: 'rb_node', bpf_wq: 'wq',
};

interface Meta {
  name: string;
  flags: readonly string[];
  refObjId: number;
  releaseRegno: number;
  argConst?: number;
  r0Size?: number;
  r0Rdonly: boolean;
  dynptr?: { id: number; type: DynptrType; refObjId: number };
  iter?: { frameno: number; spis: number[] };
  callback?: number;
  wqMap?: MapDef;
  wqMapUid?: number;
  argBtfId?: number;
  argBtfName?: string;
}

const isNull = (r: RReg): boolean => r.type === RegType.SCALAR_VALUE && tnumIsZero(r.varOff);

/** is_trusted_reg */
function isTrusted(r: RReg): boolean {
  if (r.refObjId) return true;
  const sockish = r.type === RegType.PTR_TO_SOCKET || r.type === RegType.PTR_TO_SOCK_COMMON || r.type === RegType.PTR_TO_TCP_SOCK ||
    r.type === RegType.CONST_PTR_TO_MAP;
  if (sockish && !(r.flags & ~BPF_REG_TRUSTED_MODIFIERS)) return true;
  return !!(r.flags & BPF_REG_TRUSTED_MODIFIERS) && !(r.flags & ~BPF_REG_TRUSTED_MODIFIERS);
}

/** reg2btf_ids: the kernel struct a non-BTF pointer type stands for */
function reg2btf(r: RReg): string | undefined {
  switch (r.type) {
    case RegType.PTR_TO_SOCKET: return 'sock';
    case RegType.PTR_TO_SOCK_COMMON: return 'sock_common';
    case RegType.PTR_TO_TCP_SOCK: return 'tcp_sock';
    case RegType.CONST_PTR_TO_MAP: return 'bpf_map';
    default: return undefined;
  }
}

/** btf_struct_ids_match: the register's struct is the one expected, or (not strict) holds it at off 0 */
function structMatches(btf: Btf, regId: number, regOff: number, needId: number, strict: boolean): boolean {
  let t = strip(btf, regId);
  const need = strip(btf, needId);
  if (!t || !need) return true;
  if (regOff === 0 && t.id === need.id) return true;
  if (strict) return false;
  let off = regOff;
  for (let depth = 0; t && depth < 8; depth++) {
    if (!isStructT(t)) return false;
    const m = (t.members ?? []).find((x) => Math.floor(x.offset / 8) <= off && isStructT(strip(btf, x.type)) &&
      off < Math.floor(x.offset / 8) + (strip(btf, x.type)?.size ?? 0));
    if (!m) return false;
    off -= Math.floor(m.offset / 8);
    t = strip(btf, m.type);
    if (off === 0 && t?.id === need.id) return true;
  }
  return false;
}

/**
 * check_reg_type for a helper's BTF pointer argument (btf_struct_ids_match): why the register's
 * struct is not the one the helper expects (nor, unless strict, begins with it), or undefined.
 */
export function helperBtfArgMismatch(btf: Btf | undefined, reg: RReg, need: string | undefined, strict: boolean): string | undefined {
  if (!btf || !need || reg.btfId <= 0) return undefined;
  const needT = btf.byName(need, BtfKind.STRUCT);
  const regT = strip(btf, reg.btfId);
  if (!needT || !regT || structMatches(btf, reg.btfId, reg.off, needT.id, strict)) return undefined;
  return `is of type ${regT.name ?? ''} but ${need} is expected`;
}

/**
 * Kfuncs a kfunc set's filter allows in a program type for one attach type only: socket iterator
 * kfuncs (tracing_iter_filter: BPF_TRACE_ITER) and kprobe session kfuncs (bpf_kprobe_multi_filter:
 * BPF_TRACE_KPROBE_SESSION).
 */
const KFUNC_ATTACH_FILTER: Record<string, [string, number]> = {
  bpf_sock_destroy: ['TRACING', 28],
  bpf_session_is_return: ['KPROBE', 56],
  bpf_session_cookie: ['KPROBE', 56],
};

export type KfuncResult = 'done' | 'unmodelled' | 'callback';

/**
 * check_kfunc_call for the kfunc `name` (already resolved): arguments, release, rcu/preempt state
 * and R0. Returns 'unmodelled' (without touching the state) for the kfuncs whose special argument
 * kinds are not modelled (lists, rbtrees, refcounted objects, workqueues, iterators other than the
 * numeric one): the caller then assumes valid arguments and an unknown scalar result.
 */
export function checkKfunc(h: KfuncHost, name: string, funcId: number, idx: number): KfuncResult {
  const progType = progTypeName(h.prog.progType).replace(/^BPF_PROG_TYPE_/, '');
  const btf = h.targetBtf;
  const fn = btf?.types[funcId];
  // BTF errors ("kernel btf_id N is not a function") and the GPL rule are the prepass's (prepass.ts)
  const facts = kfuncFacts(name);
  if (facts && kfuncAllowedFor(name, progType) === false) h.err(`calling kernel function ${name} is not allowed`);
  // kfunc sets with a filter (btf_kfunc_id_set.filter) withhold some kfuncs from some attach types
  const attachOnly = KFUNC_ATTACH_FILTER[name];
  if (attachOnly && attachOnly[0] === progType && h.prog.expectedAttachType !== attachOnly[1]) h.err(`calling kernel function ${name} is not allowed`);
  const flags = facts?.flags ?? [];
  const has = (f: string): boolean => flags.includes(f);
  if (has('KF_SLEEPABLE') && !h.prog.sleepable) h.err(`program must be sleepable to call sleepable kfunc ${name}`);

  if (name === 'bpf_rcu_read_lock' || name === 'bpf_rcu_read_unlock') {
    if (h.cur.rcuDepth) {
      if (name === 'bpf_rcu_read_lock') h.err(`nested rcu read lock (kernel function ${name})`);
      // leaving the RCU section: rcu pointers become untrusted
      for (const f of h.cur.frames) {
        const fix = (r: Reg): void => { if (r.type !== RegType.NOT_INIT && r.flags & MEM_RCU) r.flags = (r.flags & ~(MEM_RCU | PTR_MAYBE_NULL)) | PTR_UNTRUSTED; };
        for (let i = 0; i < 11; i++) { const r = f.regs[i]; if (r.type !== RegType.NOT_INIT && r.flags & MEM_RCU) fix(f.w(i)); }
        const ro = f.stack;
        for (let k = 0; k < ro.length; k++) {
          const s = ro[k];
          if (s.types[7] === 1 && s.spilled.type !== RegType.NOT_INIT && s.spilled.flags & MEM_RCU) fix(f.ws(k).spilled);
        }
      }
      h.cur.rcuDepth = 0;
    } else if (name === 'bpf_rcu_read_lock') {
      h.cur.rcuDepth = 1;
    } else {
      h.err(`unmatched rcu read unlock (kernel function ${name})`);
    }
    finishVoid(h);
    return 'done';
  }
  if (h.cur.rcuDepth && has('KF_SLEEPABLE')) h.err(`kernel func ${name} is sleepable within rcu_read_lock region`);
  if (name === 'bpf_preempt_disable' || name === 'bpf_preempt_enable') {
    // the preemption-disabled depth, kept as references of their own kind (compared when pruning)
    if (name === 'bpf_preempt_disable') {
      h.cur.refs.push({ id: h.nextId(), insn: idx, kind: 'preempt' });
    } else {
      const i = h.cur.refs.map((r) => r.kind).lastIndexOf('preempt');
      if (i < 0) h.err(`unmatched attempt to enable preemption (kernel function ${name})`);
      h.cur.refs.splice(i, 1);
    }
    finishVoid(h);
    return 'done';
  }
  if (has('KF_SLEEPABLE') && h.cur.refs.some((r) => r.kind === 'preempt')) h.err(`kernel func ${name} is sleepable within non-preemptible region`);
  if (has('KF_RCU_PROTECTED') && !(h.cur.rcuDepth > 0 || h.cur.activeLock !== 0 || !h.prog.sleepable)) {
    h.err(`kernel func ${name} requires RCU critical section protection`);
  }

  const proto = fn && btf ? btf.types[fn.type] : undefined;
  if (!btf || !proto || proto.kind !== BtfKind.FUNC_PROTO) return 'unmodelled';
  const params = proto.params ?? [];
  if (params.length > 5) h.err(`Function ${name} has ${params.length} > 5 args`);
  if (isGraphKfunc(name)) {
    // graph.ts: bpf_list_*, bpf_rbtree_*, bpf_refcount_acquire
    return checkGraphKfunc({
      get cur() { return h.cur; }, get regs() { return h.regs; }, progBtf: h.progBtf,
      wreg: (r) => h.wreg(r), checkRegRead: (r) => h.checkRegRead(r), err: (m) => h.err(m), verbose: (m) => h.verbose(m),
      nextId: () => h.nextId(), acquireRef: (i) => h.acquireRef(i), releaseRef: (id) => h.releaseRef(id),
      argRegOff: (reg, regno) => checkArgRegOff(h, reg, regno, false, false),
      inRbtreeCb: () => h.inRbtreeCb(), pushRbtreeCallback: (sp, setup) => h.pushRbtreeCallback(sp, setup),
    }, name, btf, params, proto.type, flags, idx);
  }
  if (/^bpf_(list_|rbtree_|refcount_acquire|percpu_obj_|res_spin_|throw|task_work|timer_)/.test(name)) return 'unmodelled';

  const meta: Meta = { name, flags, refObjId: 0, releaseRegno: 0, r0Rdonly: false };
  const isIterKfunc = has('KF_ITER_NEW') || has('KF_ITER_NEXT') || has('KF_ITER_DESTROY');
  const isRelease = has('KF_RELEASE');
  // kfuncs newer than the 6.12 table come from a later kernel's source, where KF_TRUSTED_ARGS became
  // the default and was dropped from the flags (6.18 still has it, e.g. on bpf_send_signal_task):
  // their pointer arguments are taken as trusted, which can only be stricter than 6.18
  // (kfuncs missing from the table altogether are treated the same way)
  const trustedArgs = has('KF_TRUSTED_ARGS') || isRelease || !facts || facts.file.includes('after 6.12');
  const rcuArgs = has('KF_RCU');
  const suffix = (i: number): string => /__([a-z_]+)$/.exec(params[i]?.name ?? '')?.[1] ?? '';

  for (let i = 0; i < params.length; i++) {
    const regno = i + 1;
    const p = params[i];
    const sfx = suffix(i);
    const t = strip(btf, p.type);
    if (sfx === 'ign' || sfx === 'prog') continue; // __prog: the verifier passes the program's aux itself
    const reg = h.checkRegRead(regno);
    if (isScalarT(t)) {
      if (reg.type !== RegType.SCALAR_VALUE) h.err(`R${regno} is not a scalar`);
      if (sfx === 'k') {
        if (!tnumIsConst(reg.varOff)) h.err(`R${regno} must be a known constant`);
        meta.argConst = tnumUNum(reg.varOff);
      } else if (/(^|_)rd(only|wr)_buf_size$/.test(p.name ?? '')) {
        if (!tnumIsConst(reg.varOff)) h.err(`R${regno} is not a const`);
        meta.r0Size = tnumUNum(reg.varOff);
        meta.r0Rdonly = /rdonly_buf_size$/.test(p.name ?? '');
      }
      continue;
    }
    if (!t || t.kind !== BtfKind.PTR) h.err(`Unrecognized arg#${i} type ${kindStr(t)}`);
    const nullable = sfx === 'nullable' || sfx === 'opt';
    if ((trustedArgs || rcuArgs) && (isNull(reg) || (reg.type !== RegType.SCALAR_VALUE && reg.flags & PTR_MAYBE_NULL)) && sfx !== 'nullable') {
      h.err(`Possibly NULL pointer passed to trusted arg${i}`);
    }
    if (reg.refObjId) {
      if (isRelease && meta.refObjId) h.err(`verifier internal error: more than one arg with ref_obj_id R${regno} ${reg.refObjId} ${meta.refObjId}`);
      meta.refObjId = reg.refObjId;
      if (isRelease) meta.releaseRegno = regno;
    }
    const refT = strip(btf, t.type);
    const refName = refT?.name ?? '';
    // get_kfunc_ptr_arg_type
    let kind: string;
    if (name === 'bpf_cast_to_kern_ctx' || isCtxParam(progType, refT)) kind = 'ctx';
    else if (sfx === 'nullable' && isNull(reg)) kind = 'null';
    else if (sfx === 'alloc') kind = 'alloc';
    else if (sfx === 'refcounted_kptr') kind = 'refcounted';
    else if (isStructT(refT) && SPECIAL_STRUCT_ARGS[refName]) kind = SPECIAL_STRUCT_ARGS[refName];
    else if (isIterKfunc && i === 0) kind = 'iter';
    else if (sfx === 'str') kind = 'str';
    else if (sfx === 'map') kind = 'map';
    else if (reg.type === RegType.PTR_TO_BTF_ID || reg2btf(reg)) {
      if (!isStructT(refT)) h.err(`kernel function ${name} args#${i} pointer type ${kindStr(refT)} ${refName} is not supported`);
      kind = 'btf_id';
    } else if (refT?.kind === BtfKind.FUNC_PROTO) kind = 'callback';
    else {
      const nextSfx = i + 1 < params.length ? suffix(i + 1) : '';
      const memSize = (nextSfx === 'sz' || nextSfx === 'szk') && isScalarT(strip(btf, params[i + 1].type));
      const isVoid = !refT || p.type === 0 || t.type === 0;
      if (!isScalarT(refT) && !(refT && isScalarStruct(btf, refT, 0)) && (memSize ? !isVoid : true)) {
        h.err(`arg#${i} pointer type ${isVoid ? 'UNKN' : kindStr(refT)} ${refName} must point to ${memSize ? 'void, ' : ''}scalar, or struct with scalar`);
      }
      kind = memSize ? 'mem_size' : 'mem';
    }
    if (kind === 'null') continue;
    if (sfx === 'irq_flag') {
      irqFlagArg(h, regno, idx, name === 'bpf_local_irq_save');
      continue;
    }
    if (kind === 'list_head' || kind === 'list_node' || kind === 'rb_root' || kind === 'rb_node' || kind === 'refcounted') {
      return 'unmodelled';
    }
    if ((kind === 'map' || kind === 'alloc' || kind === 'btf_id') && (trustedArgs || rcuArgs) && !isTrusted(reg)) {
      if (!rcuArgs) h.err(`R${regno} must be referenced or trusted`);
      if (!(reg.flags & MEM_RCU)) h.err(`R${regno} must be a rcu pointer`);
    }
    // check_func_arg_reg_off
    checkArgRegOff(h, reg, regno, isRelease && !!reg.refObjId, kind === 'dynptr');
    switch (kind) {
      case 'ctx':
        if (reg.type !== RegType.PTR_TO_CTX) h.err(`arg#${i} expected pointer to ctx, but got ${regTypeStr(reg.type, reg.flags)}`);
        break;
      case 'alloc':
        if (reg.type === RegType.PTR_TO_BTF_ID && reg.flags === MEM_ALLOC) {
          if (!/^bpf_obj_drop(_impl)?$/.test(name)) h.err(`arg#${i} expected for bpf_obj_drop_impl()`);
        } else if (reg.type === RegType.PTR_TO_BTF_ID && reg.flags === (MEM_ALLOC | MEM_PERCPU)) {
          if (!/^bpf_percpu_obj_drop(_impl)?$/.test(name)) h.err(`arg#${i} expected for bpf_percpu_obj_drop_impl()`);
        } else {
          h.err(`arg#${i} expected pointer to allocated object`);
        }
        if (!reg.refObjId) h.err('allocated object must be referenced');
        break;
      case 'dynptr': {
        const uninit = sfx === 'uninit';
        let type: DynptrType | undefined;
        let cloneRef = 0;
        if (name === 'bpf_dynptr_from_skb') type = 'skb';
        else if (name === 'bpf_dynptr_from_xdp') type = 'xdp';
        else if (name === 'bpf_dynptr_clone' && uninit) {
          if (!meta.dynptr) h.err('verifier internal error: no dynptr type for parent of clone');
          type = meta.dynptr.type;
          cloneRef = meta.dynptr.refObjId;
        } else if (uninit) {
          // kfuncs creating other dynptr kinds (files, ...) are not modelled
          return 'unmodelled';
        }
        processDynptrArg(h, regno, idx, { uninit, rdonly: reg.type === RegType.CONST_PTR_TO_DYNPTR, type, cloneRefObjId: cloneRef });
        if (!uninit) meta.dynptr = dynptrOf(h, h.regs[regno]);
        break;
      }
      case 'iter':
        meta.iter = processIterArg(h, regno, idx, refT, has('KF_ITER_NEW'), has('KF_ITER_DESTROY'), has('KF_RCU_PROTECTED'), name);
        break;
      case 'map':
        if (reg.type !== RegType.CONST_PTR_TO_MAP && !reg.map) h.err(`pointer in R${regno} isn't map pointer`);
        if (meta.wqMap && h.progBtf && specialFieldOffset(h.progBtf, meta.wqMap, 'bpf_wq') !== undefined && meta.wqMap !== reg.map) {
          h.err(`workqueue pointer in R1 map_uid=${meta.wqMapUid ?? 0} doesn't match map pointer in R2 map_uid=${reg.mapUid ?? 0}`);
        }
        break;
      case 'wq': {
        // KF_ARG_PTR_TO_WORKQUEUE / process_wq_func
        if (reg.type !== RegType.PTR_TO_MAP_VALUE || !reg.map) h.err(`arg#${i} doesn't point to a map value`);
        const wqOff = h.progBtf ? specialFieldOffset(h.progBtf, reg.map, 'bpf_wq') ?? -1 : -1;
        const at = reg.off + tnumUNum(reg.varOff);
        if (!tnumIsConst(reg.varOff) || at !== wqOff) h.err(`off ${at} doesn't point to 'struct bpf_wq' that is at ${wqOff}`);
        meta.wqMap = reg.map;
        meta.wqMapUid = reg.mapUid;
        break;
      }
      case 'btf_id': {
        const unsafe = reg.flags & ~BPF_REG_TRUSTED_MODIFIERS;
        if ((reg.type !== RegType.PTR_TO_BTF_ID || (unsafe && !(reg.flags & MEM_RCU))) && !reg2btf(reg)) {
          h.err(`arg#${i} is ${regTypeStr(reg.type, reg.flags)} expected ${regTypeStr(reg.type, reg.flags & BPF_REG_TRUSTED_MODIFIERS)} or socket`);
        }
        const strict = has('KF_ACQUIRE') || (isRelease && !!reg.refObjId);
        if (reg.type === RegType.PTR_TO_BTF_ID && reg.btfId > 0 && refT && !(reg.flags & MEM_ALLOC)) {
          const regT = strip(btf, reg.btfId);
          const projection = !!regT && PROJECTION[refName] === regT.name;
          if (!projection && !structMatches(btf, reg.btfId, reg.off, refT.id, strict)) {
            h.err(`kernel function ${name} args#${i} expected pointer to ${kindStr(refT)} ${refName} but R${regno} has a pointer to ${kindStr(regT)} ${regT?.name ?? ''}`);
          }
        } else if (reg2btf(reg) && refT && reg2btf(reg) !== refName && !(reg2btf(reg) === 'sock' && refName === 'sock_common')) {
          h.err(`kernel function ${name} args#${i} expected pointer to ${kindStr(refT)} ${refName} but R${regno} has a pointer to STRUCT ${reg2btf(reg)}`);
        }
        break;
      }
      case 'mem': {
        const sz = refT ? sizeOf(btf, refT) : undefined;
        if (sz === undefined) h.err(`arg#${i} reference type('${kindStr(refT)} ${refName}') size cannot be determined: -22`);
        if (!isNull(reg)) h.checkMem(regno, sz);
        break;
      }
      case 'mem_size': {
        const sizeReg = h.regs[regno + 1];
        if (!isNull(reg) || sfx !== 'opt') {
          try {
            h.checkMemSize(regno + 1);
          } catch (e) {
            if (!(e instanceof VerifierError)) throw e;
            h.err(`arg#${i} arg#${i + 1} memory, len pair leads to invalid memory access`);
          }
        }
        if (suffix(i + 1) === 'szk') {
          if (!tnumIsConst(sizeReg.varOff)) h.err(`R${regno + 1} must be a known constant`);
          meta.argConst = tnumUNum(sizeReg.varOff);
        }
        i++;
        break;
      }
      case 'callback':
        if (reg.type !== RegType.PTR_TO_FUNC) h.err(`arg${i} expected pointer to func`);
        // workqueue callbacks are verified like timer callbacks (set_timer_callback_state); the
        // other callback-taking kfuncs are not modelled
        if (!/^bpf_wq_set_callback(_impl)?$/.test(name)) return 'unmodelled';
        meta.callback = reg.subprogno;
        break;
      case 'str':
        if (reg.type !== RegType.PTR_TO_MAP_VALUE) h.err(`arg#${i} doesn't point to a const string`);
        h.checkConstStr(regno);
        break;
      default:
        break;
    }
  }
  if (meta.callback !== undefined) {
    // push_callback_call: the callback body is verified in its own frame; the caller goes on later
    h.pushAsyncCallback(meta.callback);
    return 'callback';
  }
  if (isRelease && !meta.releaseRegno) h.err(`release kernel function ${name} expects refcounted PTR_TO_BTF_ID`);
  if (meta.releaseRegno) h.releaseRef(meta.refObjId);

  // R0
  for (let i = 0; i <= 5; i++) markNotInit(h.wreg(i));
  const r0 = h.wreg(0);
  const rt = proto.type ? strip(btf, proto.type) : undefined;
  const isAcquire = has('KF_ACQUIRE');
  const retNull = has('KF_RET_NULL');
  const objNew = /^bpf_(percpu_)?obj_new(_impl)?$/.test(name);
  if (isAcquire && !(rt?.kind === BtfKind.PTR && isStructT(strip(btf, rt.type))) && !objNew) {
    h.err('acquire kernel function does not return PTR_TO_BTF_ID');
  }
  if (!rt) {
    // void: R0 stays not initialised
    return 'done';
  }
  if (isScalarT(rt)) {
    markUnknown(r0);
    return 'done';
  }
  if (rt.kind !== BtfKind.PTR) {
    markUnknown(r0);
    return 'done';
  }
  const pt = rt.type ? strip(btf, rt.type) : undefined;
  if (objNew) {
    if (name.includes('percpu')) return unmodelledRet(h);
    const local = meta.argConst !== undefined ? h.progBtf?.types[meta.argConst] : undefined;
    if (meta.argConst !== undefined && meta.argConst > 0xffffffff) h.err('local type ID argument must be in range [0, U32_MAX]');
    if (!h.progBtf) h.err('bpf_obj_new/bpf_percpu_obj_new requires prog BTF');
    if (!local || local.kind !== BtfKind.STRUCT) h.err('bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct');
    markPtr(r0, RegType.PTR_TO_BTF_ID, MEM_ALLOC);
    r0.btfId = local.id; // a program-BTF type (MEM_ALLOC): its special fields are graph.ts's, accesses are checked against its size
    r0.btfName = local.name;
    r0.memSize = local.size;
  } else if (name === 'bpf_cast_to_kern_ctx') {
    const kern = PROJECTION[CTX_STRUCT[progType] ?? ''];
    const kt = kern ? btf.byName(kern, BtfKind.STRUCT) : undefined;
    markPtr(r0, RegType.PTR_TO_BTF_ID, PTR_TRUSTED);
    r0.btfId = kt?.id ?? 0;
    r0.btfName = kern;
  } else if (name === 'bpf_rdonly_cast') {
    const ct = meta.argConst !== undefined ? btf.types[meta.argConst] : undefined;
    if (!ct || !isStructT(ct)) h.err('kfunc bpf_rdonly_cast type ID argument must be of a struct');
    markPtr(r0, RegType.PTR_TO_BTF_ID, PTR_UNTRUSTED);
    r0.btfId = ct.id;
    r0.btfName = ct.name;
  } else if (name === 'bpf_dynptr_slice' || name === 'bpf_dynptr_slice_rdwr') {
    if (meta.argConst === undefined || !meta.dynptr) h.err('verifier internal error: bpf_dynptr_slice(_rdwr) no constant size');
    let fl = 0;
    if (name === 'bpf_dynptr_slice') fl |= MEM_RDONLY;
    else if (!['SCHED_CLS', 'SCHED_ACT', 'XDP', 'LWT_XMIT', 'SK_SKB', 'SK_MSG', 'CGROUP_SOCKOPT'].includes(progType)) {
      // may_access_direct_pkt_data(BPF_WRITE), whatever the dynptr's type
      h.err('the prog does not allow writes to packet data');
    }
    markDynptrSlice(h, r0, meta.argConst, { id: meta.dynptr.id, refObjId: 0, type: meta.dynptr.type }, fl);
  } else if (!pt || (rt.type === 0)) {
    markUnknown(r0);
    return 'done';
  } else if (!isStructT(pt)) {
    let size = meta.r0Size;
    let rdonly = meta.r0Rdonly;
    if (size === undefined) {
      const s = sizeOf(btf, pt);
      if (s) { size = s; rdonly = true; }
    }
    if (!size) h.err(`kernel function ${name} returns pointer type ${kindStr(pt)} ${pt.name ?? ''} is not supported`);
    markPtr(r0, RegType.PTR_TO_MEM, rdonly ? MEM_RDONLY : 0);
    r0.memSize = size;
    if (meta.refObjId) r0.refObjId = meta.refObjId;
  } else {
    let fl = 0;
    if (has('KF_ITER_NEXT') && meta.iter) {
      const st = h.cur.frames[meta.iter.frameno].stack[meta.iter.spis[0]].spilled;
      fl = st.flags & MEM_RCU ? MEM_RCU : PTR_TRUSTED;
    }
    markPtr(r0, RegType.PTR_TO_BTF_ID, fl);
    r0.btfId = pt.id;
    r0.btfName = pt.name;
  }
  if (retNull) {
    r0.flags |= PTR_MAYBE_NULL;
    r0.id = h.nextId();
  }
  if (isAcquire) {
    const id = h.acquireRef(idx);
    if (retNull) r0.id = id;
    r0.refObjId = id;
  }
  if (has('KF_ITER_NEXT') && meta.iter) iterNext(h, meta.iter);
  return 'done';
}

const iterTypeStr = (t: BtfType | undefined): string => (t?.name ?? '').replace(/^bpf_iter_/, '');

/** process_iter_arg: the iterator state on the stack (nr_slots = its struct's size / 8). */
function processIterArg(h: KfuncHost, regno: number, idx: number, t: BtfType | undefined, isNew: boolean, isDestroy: boolean,
  rcuProtected: boolean, name: string): { frameno: number; spis: number[] } {
  const reg = h.regs[regno];
  if (reg.type !== RegType.PTR_TO_STACK) h.err(`arg#${regno - 1} expected pointer to an iterator on stack`);
  const nr = Math.max(1, Math.floor((t?.size ?? 8) / 8));
  // iter_get_spi's complaints (constant offset, alignment, room for nr slots) end in the
  // kfunc-level message the kernel prints after them
  const bad = (): never => h.err(isNew ? `expected uninitialized iter_${iterTypeStr(t)} as arg #${regno - 1}`
    : `expected an initialized iter_${iterTypeStr(t)} as arg #${regno - 1}`);
  if (!tnumIsConst(reg.varOff)) bad();
  const off = reg.off + tnumSNum(reg.varOff);
  if (off % 8) bad();
  const spi = Math.floor((-off - 1) / 8);
  if (spi + 1 < nr) bad();
  const spis: number[] = [];
  for (let i = 0; i < nr; i++) spis.push(spi - i);
  const fr = h.cur.frames[reg.frameno];
  const inRange = spi < fr.stack.length;
  if (isNew) {
    if (inRange && spis.some((x) => fr.stack[x].types.some((b) => b === Slot.ITER))) {
      h.err(`expected uninitialized iter_${iterTypeStr(t)} as arg #${regno - 1}`);
    }
    for (let i = 0; i < nr * 8; i += 8) h.stackWrite8(regno, i);
    const id = h.acquireRef(idx);
    const fl = rcuProtected ? (h.cur.rcuDepth > 0 || h.cur.activeLock !== 0 || !h.prog.sleepable ? MEM_RCU : PTR_UNTRUSTED) : 0;
    for (const x of spis) {
      const slot = fr.ws(x);
      for (let b = 0; b < 8; b++) slot.types[b] = Slot.ITER;
      slot.spilled = notInit();
      slot.spilled.flags = fl;
      slot.spilled.btfId = t?.id ?? 0;
      slot.spilled.refObjId = id;
      slot.spilled.iterState = 'active';
      slot.spilled.iterDepth = 0;
    }
    return { frameno: reg.frameno, spis };
  }
  const ok = inRange && spis.every((x) => fr.stack[x].types.every((b) => b === Slot.ITER) && fr.stack[x].spilled.btfId === (t?.id ?? 0));
  if (!ok) h.err(`expected an initialized iter_${iterTypeStr(t)} as arg #${regno - 1}`);
  if (fr.stack[spi].spilled.flags & PTR_UNTRUSTED) h.err(`expected an RCU CS when using ${name}`);
  if (isDestroy) {
    const id = fr.stack[spi].spilled.refObjId;
    h.cur.refs = h.cur.refs.filter((r) => r.id !== id);
    for (const x of spis) fr.setSlot(x, [0, 0, 0, 0, 0, 0, 0, 0], notInit());
  }
  return { frameno: reg.frameno, spis };
}

/** process_iter_next_call: this path gets an element; the drained outcome (R0 = NULL) is queued. */
function iterNext(h: KfuncHost, it: { frameno: number; spis: number[] }): void {
  const fr = h.cur.frames[it.frameno];
  const st = fr.stack[it.spis[0]].spilled;
  if (st.iterState === 'active') {
    h.iterNextFork(it.frameno, it.spis);
    for (const x of it.spis) { const sp = fr.ws(x).spilled; sp.iterDepth = (sp.iterDepth ?? 0) + 1; } // after the fork
    h.iterWiden();
    const r0 = h.wreg(0); // after the fork: the queued state shares the registers
    r0.flags &= ~PTR_MAYBE_NULL;
    r0.id = 0;
  } else {
    markKnownScalarNum(h.wreg(0), 0);
  }
}

function unmodelledRet(h: KfuncHost): KfuncResult {
  markUnknown(h.wreg(0));
  return 'unmodelled';
}

function finishVoid(h: KfuncHost): void {
  for (let i = 0; i <= 5; i++) markNotInit(h.wreg(i));
}

/** check_func_arg_reg_off for a kfunc argument */
function checkArgRegOff(h: KfuncHost, reg: RReg, regno: number, release: boolean, dynptr: boolean): void {
  const t = reg.type;
  if (release) {
    if (dynptr && t === RegType.PTR_TO_STACK) return;
    if (reg.off) h.err(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
    checkPtrOff(h, reg, regno, false);
    return;
  }
  switch (t) {
    case RegType.PTR_TO_STACK: case RegType.PTR_TO_PACKET: case RegType.PTR_TO_PACKET_META: case RegType.PTR_TO_MAP_KEY:
    case RegType.PTR_TO_MAP_VALUE: case RegType.PTR_TO_ARENA: case RegType.SCALAR_VALUE:
      return;
    case RegType.PTR_TO_MEM: case RegType.PTR_TO_BUF:
      if (!(reg.flags & ~(MEM_RDONLY | 4 /* MEM_RINGBUF */))) return;
      break;
    case RegType.PTR_TO_BTF_ID:
      if (!(reg.flags & ~(MEM_ALLOC | PTR_TRUSTED | MEM_RCU | NON_OWN_REF))) { checkPtrOff(h, reg, regno, true); return; }
      break;
    default:
      break;
  }
  checkPtrOff(h, reg, regno, false);
}

/** __check_ptr_off_reg */
function checkPtrOff(h: KfuncHost, reg: RReg, regno: number, fixedOk: boolean): void {
  const ts = regTypeStr(reg.type, reg.flags);
  if (reg.off < 0) h.err(`negative offset ${ts} ptr R${regno} off=${reg.off} disallowed`);
  if (!fixedOk && reg.off) h.err(`dereference of modified ${ts} ptr R${regno} off=${reg.off} disallowed`);
  if (!tnumIsZero(reg.varOff)) h.err(`variable ${ts} access var_off=${tnumStr(reg.varOff)} disallowed`);
}

/**
 * check_ptr_to_btf_access: the trust of a pointer read out of a BTF object. Walking an untrusted
 * pointer stays untrusted; walking a trusted or RCU one keeps trust only for the fields the kernel
 * lists (its <struct>__safe_trusted / __safe_rcu / ..._or_null types, read from the target BTF):
 * other pointers become plain PTR_TO_BTF_ID in an RCU critical section (non-sleepable programs,
 * bpf_rcu_read_lock, a held spin lock) and untrusted outside one.
 */
export function walkedPtrFlags(btf: Btf | undefined, parent: RReg, field: string | undefined, childBtfId: number,
  inRcuCs: boolean, throughUnion = false): number {
  const fl = walkedFlags(btf, parent, field, childBtfId, inRcuCs);
  // check_ptr_to_btf_access: PTR_UNTRUSTED from a walk through a union stays (but __rcu_or_null fields are always trusted)
  return throughUnion && (fl & (MEM_RCU | PTR_MAYBE_NULL)) !== (MEM_RCU | PTR_MAYBE_NULL) ? fl | PTR_UNTRUSTED : fl;
}

function walkedFlags(btf: Btf | undefined, parent: RReg, field: string | undefined, childBtfId: number, inRcuCs: boolean): number {
  if (parent.flags & PTR_UNTRUSTED) return PTR_UNTRUSTED;
  if (!(isTrusted(parent) || parent.flags & MEM_RCU)) return 0;
  const safe = (suffix: string): boolean => {
    if (!btf || !field || !parent.btfId) return false;
    const owner = strip(btf, parent.btfId);
    if (!owner?.name) return false;
    const st = btf.byName(`${owner.name}${suffix}`, owner.kind);
    if (!st) return false;
    return (st.members ?? []).some((m) => {
      const mt = btf.types[m.type];
      return m.name === field && mt?.kind === BtfKind.PTR && strip(btf, mt.type)?.id === strip(btf, childBtfId)?.id;
    });
  };
  if (safe('__safe_trusted')) return PTR_TRUSTED;
  if (safe('__safe_trusted_or_null')) return PTR_TRUSTED | PTR_MAYBE_NULL;
  if (inRcuCs && !(parent.flags & PTR_MAYBE_NULL)) {
    if (safe('__safe_rcu')) return MEM_RCU;
    if (safe('__safe_rcu_or_null')) return MEM_RCU | PTR_MAYBE_NULL;
    return 0;
  }
  return PTR_UNTRUSTED;
}

/** process_irq_flag: bpf_local_irq_save/restore's flag word on the stack, a reference of its own kind. */
function irqFlagArg(h: KfuncHost, regno: number, idx: number, save: boolean): void {
  const reg = h.regs[regno];
  if (reg.type !== RegType.PTR_TO_STACK) h.err(`arg#${regno - 1} doesn't point to an irq flag on stack`);
  const off = tnumIsConst(reg.varOff) ? reg.off + tnumSNum(reg.varOff) : NaN;
  const spi = Number.isNaN(off) || off % 8 ? -1 : Math.floor((-off - 1) / 8);
  const fr = h.cur.frames[reg.frameno];
  if (save) {
    if (spi < 0 || (fr.stack[spi] && fr.stack[spi].types.some((b) => b === Slot.IRQ_FLAG))) h.err(`expected uninitialized irq flag as arg#${regno - 1}`);
    h.stackWrite8(regno, 0);
    const id = h.nextId();
    h.cur.refs.push({ id, insn: idx, kind: 'irq' });
    const slot = fr.ws(spi);
    for (let b = 0; b < 8; b++) slot.types[b] = Slot.IRQ_FLAG;
    slot.spilled = notInit();
    slot.spilled.refObjId = id;
    return;
  }
  const slot = spi >= 0 ? fr.stack[spi] : undefined;
  if (!slot || !slot.types.every((b) => b === Slot.IRQ_FLAG)) h.err(`expected an initialized irq flag as arg#${regno - 1}`);
  const id = slot.spilled.refObjId;
  const irqs = h.cur.refs.filter((r) => r.kind === 'irq');
  const last = irqs[irqs.length - 1];
  if (last && last.id !== id) h.err(`cannot restore irq state out of order, expected id=${last.id} acquired at insn_idx=${last.insn}`);
  h.cur.refs = h.cur.refs.filter((r) => r.id !== id);
  fr.setSlot(spi, [0, 0, 0, 0, 0, 0, 0, 0], notInit());
}
