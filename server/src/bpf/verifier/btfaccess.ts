// BTF-typed pointers in tracing programs: the type of each ctx argument of a BTF-attached program
// (tp_btf, fentry/fexit, lsm, iter) and what a load through a PTR_TO_BTF_ID yields, walked through
// the target kernel BTF the way the kernel's btf_ctx_access / btf_struct_access do.
import type { Btf, LoadedProgram } from '../loader/types';
import { BtfKind, BtfMember, BtfType } from '../btf/types';
import { stripModifiers as strip } from './btfutil';


/** A pointer to a struct/union in the target BTF: what a PTR_TO_BTF_ID register carries. */
export interface BtfPtr {
  btfId: number;
  name: string;
  maybeNull: boolean;
  /** false for iterator objects the kernel registers without PTR_TRUSTED */
  trusted?: boolean;
  /** bpf_map_elem-style iterators: key (read-only) and value are plain buffers, not BTF objects */
  buf?: 'rdonly' | 'rdwr';
}

/** iterators whose object argument the kernel registers as PTR_TRUSTED (ctx_arg_info) */
const TRUSTED_ITER_ARGS = new Set(['bpf_iter_task', 'bpf_iter_cgroup', 'bpf_iter_bpf_map', 'bpf_iter_tcp', 'bpf_iter_udp']);

/** The struct a pointer type points to, or undefined (void, int, char pointers are scalars). */
function ptrToStruct(btf: Btf, typeId: number): { btfId: number; name: string } | undefined {
  const p = strip(btf, typeId);
  if (!p || p.kind !== BtfKind.PTR) return undefined;
  const s = strip(btf, p.type);
  if (!s || (s.kind !== BtfKind.STRUCT && s.kind !== BtfKind.UNION)) return undefined;
  return { btfId: s.id, name: s.name };
}

/** The attach target's argument types (the FUNC_PROTO params, minus tp_btf's leading void *ctx). */
function attachParams(btf: Btf, prog: LoadedProgram): { params: number[]; names: string[]; ret: number; iter: boolean; target: string } | undefined {
  if (!prog.attachBtfId) return undefined;
  const t = btf.types[prog.attachBtfId];
  if (!t) return undefined;
  let proto: BtfType | undefined;
  let rawTp = false;
  if (t.kind === BtfKind.TYPEDEF) {
    // btf_trace_<tp>: typedef void (*)(void *__data, args...)
    const p = strip(btf, t.type);
    proto = p?.kind === BtfKind.PTR ? strip(btf, p.type) : undefined;
    rawTp = true;
  } else if (t.kind === BtfKind.FUNC) {
    proto = btf.types[t.type];
  }
  if (!proto || proto.kind !== BtfKind.FUNC_PROTO) return undefined;
  const params = (proto.params ?? []).map((p) => p.type);
  const names = (proto.params ?? []).map((p) => p.name);
  return { params: rawTp ? params.slice(1) : params, names: rawTp ? names.slice(1) : names, ret: proto.type, iter: t.name.startsWith('bpf_iter_'), target: t.name };
}

/**
 * The register a ctx load at byte offset off yields for a BTF-attached program: a BTF pointer for
 * struct-pointer arguments, undefined for scalars (including void/int/char pointers). Iterator
 * arguments after meta may be NULL (the final call); fexit's extra slot is the return value.
 */
export function tracingCtxArg(btf: Btf | undefined, prog: LoadedProgram, off: number): BtfPtr | undefined {
  if (!btf || off % 8 !== 0) return undefined;
  const a = attachParams(btf, prog);
  if (!a) return undefined;
  const i = off / 8;
  const typeId = i < a.params.length ? a.params[i] : i === a.params.length && /^fexit\b/.test(prog.section) ? a.ret : -1;
  if (typeId < 0) return undefined;
  if (a.iter && i > 0 && (a.names[i] === 'key' || a.names[i] === 'value') && strip(btf, typeId)?.kind === BtfKind.PTR) {
    return { btfId: 0, name: '', maybeNull: true, buf: a.names[i] === 'key' ? 'rdonly' : 'rdwr' };
  }
  const s = ptrToStruct(btf, typeId);
  if (!s) return undefined;
  return { ...s, maybeNull: a.iter && i > 0, trusted: !a.iter || i === 0 || TRUSTED_ITER_ARGS.has(a.target) };
}

export type BtfWalk =
  | { kind: 'scalar' }
  | {
    kind: 'ptr'; ptr: BtfPtr; /** the member the pointer was read from (btf_struct_access's field_name) */ field?: string;
    /** the walk went through a union of more than one member: the pointer is untrusted */ untrusted: boolean;
  }
  | { kind: 'error'; message: string };

/** __btf_resolve_size: a member's type with its arrays flattened (element type, element count, size). */
function resolveMember(btf: Btf, typeId: number): { t: BtfType; elemSize: number; nelems: number; array: boolean } | undefined {
  let t = strip(btf, typeId);
  let nelems = 1;
  let array = false;
  for (let i = 0; t && t.kind === BtfKind.ARRAY && t.array && i < 16; i++) {
    array = true;
    nelems *= t.array.nelems;
    t = strip(btf, t.array.elemType);
  }
  if (!t) return undefined;
  const elemSize = t.kind === BtfKind.PTR ? 8 : (btf.sizeOf?.(t.id) ?? t.size);
  if (elemSize === undefined || (t.kind !== BtfKind.PTR && t.kind !== BtfKind.INT && t.kind !== BtfKind.ENUM &&
    t.kind !== BtfKind.ENUM64 && t.kind !== BtfKind.FLOAT && t.kind !== BtfKind.STRUCT && t.kind !== BtfKind.UNION)) return undefined;
  return { t, elemSize, nelems, array };
}

/**
 * What a load of size bytes at offset off inside the struct btfId yields, as the kernel's
 * btf_struct_access / btf_struct_walk decide it: the first member the access lands in, followed
 * through nested structs, unions (a union of more than one member makes pointers read through it
 * untrusted) and arrays; a trailing flexible array may be indexed past the struct's end. Errors
 * carry the kernel's message. Unknown types read as scalars.
 */
export function walkBtfLoad(btf: Btf | undefined, btfId: number, off: number, size: number): BtfWalk {
  if (!btf) return { kind: 'scalar' };
  const top = strip(btf, btfId);
  if (!top || (top.kind !== BtfKind.STRUCT && top.kind !== BtfKind.UNION)) return { kind: 'scalar' };
  let t: BtfType = top;
  let untrusted = false;
  for (let guard = 0; guard < 64; guard++) {
    const members: BtfMember[] = t.members ?? [];
    const tname = t.name ?? '';
    if (t.kind === BtfKind.UNION && members.length !== 1) untrusted = true;
    if (off + size > t.size) {
      // a trailing flexible array of ints or structs may be indexed past the end
      const last: BtfMember | undefined = members[members.length - 1];
      const lt: BtfType | undefined = last ? strip(btf, last.type) : undefined;
      const moff = last ? Math.floor(last.offset / 8) : 0;
      const et: BtfType | undefined = lt?.kind === BtfKind.ARRAY && lt.array && lt.array.nelems === 0 && off >= moff ? strip(btf, lt.array.elemType) : undefined;
      if (et?.kind === BtfKind.INT) return { kind: 'scalar' };
      if (!et || (et.kind !== BtfKind.STRUCT && et.kind !== BtfKind.UNION) || !et.size) {
        return { kind: 'error', message: `access beyond struct ${tname} at off ${off} size ${size}` };
      }
      off = (off - moff) % et.size;
      t = et;
      continue;
    }
    let next: BtfType | undefined;
    for (const m of members) {
      let moff = Math.floor(m.offset / 8);
      if (off + size <= moff) break;
      if (m.bitfieldSize) {
        // the whole bitfield read at once is a scalar; partial accesses look further
        if (off <= moff && Math.ceil((m.offset + m.bitfieldSize) / 8) <= off + size) return { kind: 'scalar' };
        continue;
      }
      if (off < moff) break; // a hole
      const r = resolveMember(btf, m.type);
      if (!r) return { kind: 'error', message: `field ${m.name ?? ''} doesn't have size` };
      let msize = r.elemSize * r.nelems;
      const mtrueEnd = moff + msize;
      if (off >= mtrueEnd) continue;
      if (r.array) {
        if (moff === mtrueEnd) continue; // empty array
        msize = r.elemSize;
        moff += Math.floor((off - moff) / msize) * msize;
      }
      if (r.t.kind === BtfKind.STRUCT || r.t.kind === BtfKind.UNION) {
        next = r.t;
        off -= moff;
        break;
      }
      if (r.t.kind === BtfKind.PTR) {
        if (msize !== size || off !== moff) {
          return { kind: 'error', message: `cannot access ptr member ${m.name ?? ''} with moff ${moff} in struct ${tname} with off ${off} size ${size}` };
        }
        const s = ptrToStruct(btf, r.t.id);
        if (s) return { kind: 'ptr', ptr: { ...s, maybeNull: false }, field: m.name, untrusted };
      }
      if (off + size > mtrueEnd && !untrusted) {
        return { kind: 'error', message: `access beyond the end of member ${m.name ?? ''} (mend:${mtrueEnd}) in struct ${tname} with off ${off} size ${size}` };
      }
      return { kind: 'scalar' };
    }
    if (!next) return { kind: 'error', message: `struct ${tname} doesn't have field at offset ${off}` };
    t = next;
  }
  return { kind: 'scalar' };
}

export type KfuncParam = { kind: 'scalar' } | { kind: 'struct'; btfId: number; name: string; nullable: boolean; union: boolean } | { kind: 'other' };
export type KfuncRet = { kind: 'void' } | { kind: 'scalar' } | { kind: 'struct'; btfId: number; name: string } | { kind: 'other' };

/**
 * A kfunc's prototype from the target BTF (FUNC → FUNC_PROTO), reduced to what the verifier models:
 * scalar parameters, pointers to structs (nullable with a `__nullable`/`__opt` name suffix), and the
 * return kind. Parameters with other annotations (`__sz`, `__k`, `__ign`, `__uninit`…) or types are 'other'.
 */
export function kfuncProto(btf: Btf | undefined, funcId: number): { params: KfuncParam[]; ret: KfuncRet } | undefined {
  const f = btf?.types[funcId];
  if (!btf || !f || f.kind !== BtfKind.FUNC) return undefined;
  const proto = btf.types[f.type];
  if (!proto || proto.kind !== BtfKind.FUNC_PROTO) return undefined;
  const params: KfuncParam[] = (proto.params ?? []).map((p) => {
    const name = p.name ?? '';
    const suffix = /__([a-z_]+)$/.exec(name)?.[1];
    const t = strip(btf, p.type);
    if (!t) return { kind: 'other' };
    if (t.kind === BtfKind.INT || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64) return suffix ? { kind: 'other' } : { kind: 'scalar' };
    const s = ptrToStruct(btf, p.type);
    if (s && (suffix === undefined || suffix === 'nullable' || suffix === 'opt')) {
      return { kind: 'struct', btfId: s.btfId, name: s.name, nullable: suffix !== undefined, union: strip(btf, (strip(btf, p.type) as BtfType).type)?.kind === BtfKind.UNION };
    }
    return { kind: 'other' };
  });
  let ret: KfuncRet = { kind: 'other' };
  const r = proto.type ? strip(btf, proto.type) : undefined;
  if (!proto.type) ret = { kind: 'void' };
  else if (r && (r.kind === BtfKind.INT || r.kind === BtfKind.ENUM || r.kind === BtfKind.ENUM64)) ret = { kind: 'scalar' };
  else {
    const s = ptrToStruct(btf, proto.type);
    if (s) ret = { kind: 'struct', btfId: s.btfId, name: s.name };
  }
  return { params, ret };
}
