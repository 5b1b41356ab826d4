// BTF-typed pointers in tracing programs: the type of each ctx argument of a BTF-attached program
// (tp_btf, fentry/fexit, lsm, iter) and what a load through a PTR_TO_BTF_ID yields, walked through
// the target kernel BTF the way the kernel's btf_ctx_access / btf_struct_access do.
import type { Btf, LoadedProgram } from '../loader/types';
import { BtfKind, BtfType } from '../btf/types';
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
const TRUSTED_ITER_ARGS = new Set(['bpf_iter_task', 'bpf_iter_cgroup', 'bpf_iter_bpf_map']);

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
  | { kind: 'ptr'; ptr: BtfPtr; /** the member the pointer was read from (btf_struct_access's field_name) */ field?: string }
  | { kind: 'beyond'; structName: string };

/**
 * What a load of size bytes at offset off inside the struct btfId yields: the member it lands in,
 * followed through nested structs, unions and arrays. Unknown types read as scalars.
 */
export function walkBtfLoad(btf: Btf | undefined, btfId: number, off: number, size: number, depthGuard = 0): BtfWalk {
  if (!btf) return { kind: 'scalar' };
  const top = strip(btf, btfId);
  if (!top || (top.kind !== BtfKind.STRUCT && top.kind !== BtfKind.UNION)) return { kind: 'scalar' };
  if (off + size > top.size) {
    // btf_struct_walk: an access past the end may land in a trailing flexible array
    const last = top.members?.[top.members.length - 1];
    const lt = last ? strip(btf, last.type) : undefined;
    const moff = last ? Math.floor(last.offset / 8) : 0;
    if (!lt || lt.kind !== BtfKind.ARRAY || !lt.array || lt.array.nelems !== 0 || off < moff) return { kind: 'beyond', structName: top.name };
    const et = strip(btf, lt.array.elemType);
    if (et?.kind === BtfKind.INT) return { kind: 'scalar' };
    if (!et || (et.kind !== BtfKind.STRUCT && et.kind !== BtfKind.UNION) || !et.size || depthGuard > 4) return { kind: 'beyond', structName: top.name };
    // the access must lie inside one member of the element (else btf_struct_walk reports it)
    const rel = (off - moff) % et.size;
    const fits = (et.members ?? []).some((m) => {
      const mo = Math.floor(m.offset / 8);
      const mt = strip(btf, m.type);
      const ms = mt ? (btf.sizeOf?.(mt.id) ?? (mt.kind === BtfKind.PTR ? 8 : mt.size)) : 0;
      return rel >= mo && rel + size <= mo + ms;
    });
    if (!fits) return { kind: 'beyond', structName: top.name };
    return walkBtfLoad(btf, et.id, rel, size, depthGuard + 1);
  }
  let t: BtfType | undefined = top;
  let rel = off;
  let field: string | undefined;
  for (let depth = 0; t && depth < 16; depth++) {
    if (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) {
      let next: { type: number; at: number; name?: string } | undefined;
      for (const m of t.members ?? []) {
        const mo = Math.floor(m.offset / 8);
        const mt = strip(btf, m.type);
        const ms = mt ? (btf.sizeOf?.(mt.id) ?? (mt.kind === BtfKind.PTR ? 8 : mt.size)) : 0;
        if (rel >= mo && rel + size <= mo + ms) {
          next = { type: m.type, at: mo, name: m.name };
          if (mt?.kind === BtfKind.PTR) break; // prefer the pointer member of a union
        }
      }
      if (!next) return { kind: 'scalar' };
      field = next.name;
      rel -= next.at;
      t = strip(btf, next.type);
    } else if (t.kind === BtfKind.ARRAY && t.array) {
      const et = strip(btf, t.array.elemType);
      const es = et ? (btf.sizeOf?.(et.id) ?? (et.kind === BtfKind.PTR ? 8 : et.size)) : 0;
      if (!es) return { kind: 'scalar' };
      rel %= es;
      t = et;
    } else if (t.kind === BtfKind.PTR) {
      if (rel !== 0 || size !== 8) return { kind: 'scalar' };
      const s = ptrToStruct(btf, t.id);
      return s ? { kind: 'ptr', ptr: { ...s, maybeNull: false }, field } : { kind: 'scalar' };
    } else {
      return { kind: 'scalar' };
    }
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
