// CO-RE relocation: resolve a .BTF.ext core_relo record against the target (kernel) BTF and patch
// the instruction, following libbpf's relo_core.c: access-spec parsing, candidate search by
// essential name ("task_struct___x" matches "task_struct"), spec matching, value calculation,
// agreement across candidates, and poisoning (call 0xbad2310) when the target lacks the field.
import type { Insn } from '../isa/insn';
import { LD_IMM64 } from '../isa/insn';
import {
  BPF_ALU, BPF_ALU64, BPF_LDX, BPF_ST, BPF_STX, BPF_LD, BPF_K, BPF_JMP, BPF_CALL, BPF_B, BPF_H, BPF_W, BPF_DW,
  insnClass, insnSrc, insnSize, insnMode,
} from '../isa/opcodes';
import { Btf, BTF_INT_SIGNED, MAX_RESOLVE_DEPTH, BTF_KIND_NAMES, WALK_BUDGET } from '../btf/btf';
import { BtfKind, type BtfType } from '../btf/types';
import { CoreReloKind, CORE_RELO_KIND_NAMES, type ExtCoreRelo } from '../btf/ext';

export const CORE_POISON_IMM = 0xbad2310;
const SPEC_MAX_LEN = 64;

interface Accessor { typeId: number; idx: number; name?: string }
interface Spec {
  btf: Btf;
  rootTypeId: number;
  kind: number;
  spec: Accessor[];
  raw: number[];
  bitOffset: number;
}

class CoreError extends Error {}

const isFieldBased = (k: number) => k <= CoreReloKind.FIELD_RSHIFT_U64;
const isTypeBased = (k: number) =>
  k === CoreReloKind.TYPE_ID_LOCAL || k === CoreReloKind.TYPE_ID_TARGET || k === CoreReloKind.TYPE_EXISTS ||
  k === CoreReloKind.TYPE_SIZE || k === CoreReloKind.TYPE_MATCHES;
const isEnumvalBased = (k: number) => k === CoreReloKind.ENUMVAL_EXISTS || k === CoreReloKind.ENUMVAL_VALUE;
const isComposite = (t: BtfType) => t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION;
const isAnyEnum = (t: BtfType) => t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64;
const kindCompat = (a: BtfType, b: BtfType) => a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));

/** libbpf's bpf_core_essential_name_len: strips a "___flavor" suffix (X___Y, X and Y not '_'). */
export function essentialNameLen(name: string): number {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') return i + 1;
  }
  return name.length;
}
const essential = (n: string) => n.slice(0, essentialNameLen(n));

/** essential name -> type ids, per target BTF (built once; vmlinux has ~130k types) */
const essentialIndexCache = new WeakMap<Btf, Map<string, number[]>>();

/** Candidate lists per local type id, with a lazily built essential-name index of the target. */
export class CoreCandCache {
  private byEssential?: Map<string, number[]>;
  private cache = new Map<number, number[]>();
  constructor(readonly local: Btf, readonly target: Btf) {}

  private index(): Map<string, number[]> {
    this.byEssential ??= essentialIndexCache.get(this.target);
    if (!this.byEssential) {
      const m = new Map<string, number[]>();
      const ts = this.target.types;
      for (let i = 1; i < ts.length; i++) {
        const n = ts[i].name;
        if (!n) continue;
        const e = essential(n);
        const l = m.get(e);
        if (l) l.push(i);
        else m.set(e, [i]);
      }
      this.byEssential = m;
      essentialIndexCache.set(this.target, m);
    }
    return this.byEssential;
  }

  cands(localId: number): number[] {
    let c = this.cache.get(localId);
    if (c) return c;
    const lt = this.local.get(localId)!;
    const ids = this.index().get(essential(lt.name)) ?? [];
    c = ids.filter((i) => kindCompat(this.target.types[i], lt));
    this.cache.set(localId, c);
    return c;
  }
}

function skip(btf: Btf, id: number): { t: BtfType; id: number } {
  const r = btf.resolve(id);
  const t = btf.get(r);
  if (!t) throw new CoreError(`bad type id ${id}`);
  return { t, id: r };
}

function resolveSize(btf: Btf, id: number): number {
  const s = btf.sizeOf(id);
  if (s === undefined) throw new CoreError(`cannot determine the size of type [${id}]`);
  return s;
}

function isFlexArr(btf: Btf, acc: Accessor | undefined, nelems: number): boolean {
  if (!acc || !acc.name || nelems > 0) return false;
  const t = btf.get(acc.typeId);
  return !!t && !!t.members && acc.idx === t.members.length - 1;
}

function parseSpec(btf: Btf, relo: ExtCoreRelo): Spec {
  const str = relo.accessStr;
  if (!str || str[0] === ':') throw new CoreError(`invalid access string '${str}'`);
  const spec: Spec = { btf, rootTypeId: relo.typeId, kind: relo.kind, spec: [], raw: [], bitOffset: 0 };
  if (isTypeBased(relo.kind)) {
    if (str !== '0') throw new CoreError(`type-based relocation with access string '${str}' (expected '0')`);
    return spec;
  }
  for (const part of str.split(':')) {
    if (!/^\d+$/.test(part)) throw new CoreError(`invalid access string '${str}'`);
    if (spec.raw.length === SPEC_MAX_LEN) throw new CoreError('access string is too long');
    spec.raw.push(Number(part));
  }
  let { t, id } = skip(btf, relo.typeId);
  let accIdx = spec.raw[0];
  spec.spec.push({ typeId: id, idx: accIdx });
  if (isEnumvalBased(relo.kind)) {
    if (!isAnyEnum(t) || spec.raw.length > 1 || accIdx >= t.enumValues!.length) throw new CoreError(`enum value access '${str}' is invalid for [${id}]`);
    spec.spec[0].name = t.enumValues![accIdx].name;
    return spec;
  }
  if (!isFieldBased(relo.kind)) throw new CoreError(`unknown relocation kind ${relo.kind}`);
  spec.bitOffset = accIdx * resolveSize(btf, id) * 8;
  for (let i = 1; i < spec.raw.length; i++) {
    ({ t, id } = skip(btf, id));
    accIdx = spec.raw[i];
    if (isComposite(t)) {
      const ms = t.members!;
      if (accIdx >= ms.length) throw new CoreError(`member index ${accIdx} is out of range for [${id}] (${ms.length} members)`);
      const m = ms[accIdx];
      spec.bitOffset += m.offset;
      if (m.name) spec.spec.push({ typeId: id, idx: accIdx, name: m.name });
      id = m.type;
    } else if (t.kind === BtfKind.ARRAY) {
      const a = t.array!;
      const el = skip(btf, a.elemType);
      const flex = isFlexArr(btf, spec.spec[spec.spec.length - 1], a.nelems);
      if (!flex && accIdx >= a.nelems) throw new CoreError(`array index ${accIdx} is out of range (${a.nelems} elements)`);
      id = el.id;
      spec.spec.push({ typeId: id, idx: accIdx });
      spec.bitOffset += accIdx * resolveSize(btf, id) * 8;
    } else {
      throw new CoreError(`relo for [${relo.typeId}] ${str} (at idx ${i}) captures type [${id}] of unexpected kind ${BTF_KIND_NAMES[t.kind] ?? t.kind}`);
    }
  }
  return spec;
}

/** libbpf's __bpf_core_types_are_compat: 1 compatible, 0 not, -1 error (cycles, bad ids). */
export function typesAreCompat(lb: Btf, lid: number, tb: Btf, tid: number, level: number, budget = { n: WALK_BUDGET }): number {
  if (--budget.n < 0) return -1;
  let lt = lb.get(lid);
  let tt = tb.get(tid);
  if (!lt || !tt) return -1;
  if (!kindCompat(lt, tt)) return 0;
  for (let depth = 0; depth < 32; depth++) {
    const l = skip(lb, lid); const t = skip(tb, tid);
    lt = l.t; lid = l.id; tt = t.t; tid = t.id;
    if (!kindCompat(lt, tt)) return 0;
    switch (lt.kind) {
      case BtfKind.VOID: case BtfKind.STRUCT: case BtfKind.UNION: case BtfKind.ENUM: case BtfKind.FWD: case BtfKind.ENUM64:
        return 1;
      case BtfKind.INT:
        return lt.intOffset === 0 && tt.intOffset === 0 ? 1 : 0;
      case BtfKind.PTR:
        lid = lt.type; tid = tt.type;
        continue;
      case BtfKind.ARRAY:
        lid = lt.array!.elemType; tid = tt.array!.elemType;
        continue;
      case BtfKind.FUNC_PROTO: {
        const lp = lt.params!; const tp = tt.params!;
        if (lp.length !== tp.length) return 0;
        for (let i = 0; i < lp.length; i++) {
          if (level <= 0) return -1;
          const r = typesAreCompat(lb, lb.resolve(lp[i].type), tb, tb.resolve(tp[i].type), level - 1, budget);
          if (r <= 0) return r;
        }
        lid = lb.resolve(lt.type); tid = tb.resolve(tt.type);
        continue;
      }
      default:
        return 0;
    }
  }
  return -1;
}

function namesMatch(l: string, t: string): boolean {
  if (!t) return !l;
  return essential(l) === essential(t);
}

function typesMatch(lb: Btf, lid: number, tb: Btf, tid: number, behindPtr: boolean, level: number, budget = { n: WALK_BUDGET }): number {
  if (level <= 0 || --budget.n < 0) return -1;
  for (let depth = 0; depth < 32; depth++) {
    const l = skip(lb, lid); const t = skip(tb, tid);
    const lt = l.t; const tt = t.t;
    lid = l.id; tid = t.id;
    if (!namesMatch(lt.name, tt.name)) return 0;
    switch (lt.kind) {
      case BtfKind.VOID:
        return lt.kind === tt.kind ? 1 : 0;
      case BtfKind.FWD: {
        const lf = !!lt.kindFlag;
        if (behindPtr) {
          if (tt.kind === BtfKind.FWD) return lf === !!tt.kindFlag ? 1 : 0;
          return (tt.kind === BtfKind.STRUCT && !lf) || (tt.kind === BtfKind.UNION && lf) ? 1 : 0;
        }
        return tt.kind === BtfKind.FWD && lf === !!tt.kindFlag ? 1 : 0;
      }
      case BtfKind.ENUM: case BtfKind.ENUM64: {
        if (!isAnyEnum(tt) || lt.size !== tt.size) return 0;
        const lv = lt.enumValues!; const tv = tt.enumValues!;
        if (lv.length > tv.length) return 0;
        for (const v of lv) if (!tv.some((x) => namesMatch(v.name, x.name))) return 0;
        return 1;
      }
      case BtfKind.STRUCT: case BtfKind.UNION: {
        if (behindPtr) {
          if (lt.kind === tt.kind) return 1;
          if (tt.kind !== BtfKind.FWD) return 0;
          return (lt.kind === BtfKind.UNION) === !!tt.kindFlag ? 1 : 0;
        }
        if (lt.kind !== tt.kind) return 0;
        const lm = lt.members!; const tm = tt.members!;
        if (lm.length > tm.length) return 0;
        for (const m of lm) {
          let matched = false;
          for (const x of tm) {
            if (!namesMatch(m.name, x.name)) continue;
            const r = typesMatch(lb, m.type, tb, x.type, behindPtr, level - 1, budget);
            if (r < 0) return r;
            if (r > 0) { matched = true; break; }
          }
          if (!matched) return 0;
        }
        return 1;
      }
      case BtfKind.INT:
        if (tt.kind !== BtfKind.INT) return 0;
        return lt.size === tt.size && ((lt.intEncoding! & BTF_INT_SIGNED) === (tt.intEncoding! & BTF_INT_SIGNED)) ? 1 : 0;
      case BtfKind.PTR:
        if (tt.kind !== BtfKind.PTR) return 0;
        behindPtr = true;
        lid = lt.type; tid = tt.type;
        continue;
      case BtfKind.ARRAY:
        if (tt.kind !== BtfKind.ARRAY || lt.array!.nelems !== tt.array!.nelems) return 0;
        lid = lt.array!.elemType; tid = tt.array!.elemType;
        continue;
      case BtfKind.FUNC_PROTO: {
        if (tt.kind !== BtfKind.FUNC_PROTO) return 0;
        const lp = lt.params!; const tp = tt.params!;
        if (lp.length !== tp.length) return 0;
        for (let i = 0; i < lp.length; i++) {
          const r = typesMatch(lb, lp[i].type, tb, tp[i].type, behindPtr, level - 1, budget);
          if (r <= 0) return r;
        }
        lid = lt.type; tid = tt.type;
        continue;
      }
      default:
        return 0;
    }
  }
  return -1;
}

function fieldsAreCompat(lb: Btf, lid: number, tb: Btf, tid: number): number {
  for (let depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
    const l = skip(lb, lid); const t = skip(tb, tid);
    const lt = l.t; const tt = t.t;
    if (isComposite(lt) && isComposite(tt)) return 1;
    if (!kindCompat(lt, tt)) return 0;
    switch (lt.kind) {
      case BtfKind.PTR: case BtfKind.FLOAT:
        return 1;
      case BtfKind.FWD: case BtfKind.ENUM: case BtfKind.ENUM64: {
        const ll = essentialNameLen(lt.name); const tl = essentialNameLen(tt.name);
        return ll === 0 || tl === 0 || (ll === tl && lt.name.slice(0, ll) === tt.name.slice(0, tl)) ? 1 : 0;
      }
      case BtfKind.INT:
        return lt.intOffset === 0 && tt.intOffset === 0 ? 1 : 0;
      case BtfKind.ARRAY:
        lid = lt.array!.elemType; tid = tt.array!.elemType;
        continue;
      default:
        return 0;
    }
  }
  return -1;
}

function matchMember(lb: Btf, lacc: Accessor, tb: Btf, targId: number, spec: Spec, out: { next: number }, depth: number, budget: { n: number }): number {
  if (depth > MAX_RESOLVE_DEPTH || --budget.n < 0) return -1;
  const { t: tt, id: tid } = skip(tb, targId);
  if (!isComposite(tt)) return 0;
  const lm = lb.get(lacc.typeId)!.members![lacc.idx];
  const tms = tt.members!;
  for (let i = 0; i < tms.length; i++) {
    const m = tms[i];
    if (spec.raw.length === SPEC_MAX_LEN) throw new CoreError('struct/union/array nesting is too deep');
    spec.bitOffset += m.offset;
    spec.raw.push(i);
    if (!m.name) {
      const found = matchMember(lb, lacc, tb, m.type, spec, out, depth + 1, budget);
      if (found) return found;
    } else if (m.name === lm.name) {
      spec.spec.push({ typeId: tid, idx: i, name: m.name });
      out.next = m.type;
      const found = fieldsAreCompat(lb, lm.type, tb, m.type);
      if (!found) spec.spec.pop();
      return found;
    }
    spec.bitOffset -= m.offset;
    spec.raw.pop();
  }
  return 0;
}

function specMatch(local: Spec, tb: Btf, targId: number): { r: number; spec: Spec } {
  const spec: Spec = { btf: tb, rootTypeId: targId, kind: local.kind, spec: [], raw: [], bitOffset: 0 };
  if (isTypeBased(local.kind)) {
    const r = local.kind === CoreReloKind.TYPE_MATCHES
      ? typesMatch(local.btf, local.rootTypeId, tb, targId, false, 32)
      : typesAreCompat(local.btf, local.rootTypeId, tb, targId, 32);
    return { r, spec };
  }
  const lacc0 = local.spec[0];
  if (isEnumvalBased(local.kind)) {
    const { t, id } = skip(tb, targId);
    if (!isAnyEnum(t)) return { r: 0, spec };
    const want = essential(lacc0.name ?? '');
    const vals = t.enumValues!;
    for (let i = 0; i < vals.length; i++) {
      if (essential(vals[i].name) === want) {
        spec.spec.push({ typeId: id, idx: i, name: vals[i].name });
        spec.raw.push(i);
        return { r: 1, spec };
      }
    }
    return { r: 0, spec };
  }
  if (!isFieldBased(local.kind)) return { r: -1, spec };
  let tid = targId;
  for (let i = 0; i < local.spec.length; i++) {
    const lacc = local.spec[i];
    const s = skip(tb, tid);
    tid = s.id;
    if (lacc.name) {
      const out = { next: 0 };
      const m = matchMember(local.btf, lacc, tb, tid, spec, out, 0, { n: WALK_BUDGET });
      if (m <= 0) return { r: m, spec };
      tid = out.next;
    } else {
      if (i > 0) {
        if (s.t.kind !== BtfKind.ARRAY) return { r: 0, spec };
        const a = s.t.array!;
        const flex = isFlexArr(tb, spec.spec[spec.spec.length - 1], a.nelems);
        if (!flex && lacc.idx >= a.nelems) return { r: 0, spec };
        tid = skip(tb, a.elemType).id;
      }
      if (spec.raw.length === SPEC_MAX_LEN) throw new CoreError('struct/union/array nesting is too deep');
      spec.spec.push({ typeId: tid, idx: lacc.idx });
      spec.raw.push(lacc.idx);
      spec.bitOffset += lacc.idx * resolveSize(tb, tid) * 8;
    }
  }
  return { r: 1, spec };
}

interface RelRes {
  origVal: bigint;
  newVal: bigint;
  poison: boolean;
  validate: boolean;
  failMemszAdjust: boolean;
  origSz: number;
  newSz: number;
  origTypeId: number;
  newTypeId: number;
}

const POISON = Symbol('poison');

function calcField(kind: number, spec: Spec | undefined, outSz: { sz: number; typeId: number; validate: boolean }): bigint | typeof POISON {
  outSz.sz = 0;
  if (kind === CoreReloKind.FIELD_EXISTS) return spec ? 1n : 0n;
  if (!spec) return POISON;
  const btf = spec.btf;
  const acc = spec.spec[spec.spec.length - 1];
  const t = btf.get(acc.typeId)!;
  if (!acc.name) {
    outSz.validate = true;
    if (kind === CoreReloKind.FIELD_BYTE_OFFSET) {
      outSz.sz = resolveSize(btf, acc.typeId);
      outSz.typeId = acc.typeId;
      return BigInt(Math.floor(spec.bitOffset / 8));
    }
    if (kind === CoreReloKind.FIELD_BYTE_SIZE) return BigInt(resolveSize(btf, acc.typeId));
    throw new CoreError(`relo kind ${CORE_RELO_KIND_NAMES[kind]} is not supported on an array element`);
  }
  const m = t.members![acc.idx];
  const { t: mt, id: fieldTypeId } = skip(btf, m.type);
  const bitOff = spec.bitOffset;
  let bitSz = m.bitfieldSize;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    byteSz = mt.size;
    if (!byteSz) throw new CoreError('bitfield of a type without size');
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) throw new CoreError('bitfield cannot be read with a 64-bit load');
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    byteSz = resolveSize(btf, fieldTypeId);
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  outSz.validate = !bitfield;
  switch (kind) {
    case CoreReloKind.FIELD_BYTE_OFFSET:
      if (!bitfield) { outSz.sz = byteSz; outSz.typeId = fieldTypeId; }
      return BigInt(byteOff);
    case CoreReloKind.FIELD_BYTE_SIZE:
      return BigInt(byteSz);
    case CoreReloKind.FIELD_SIGNED:
      outSz.validate = true;
      return (isAnyEnum(mt) && mt.enumSigned) || (mt.kind === BtfKind.INT && (mt.intEncoding! & BTF_INT_SIGNED)) ? 1n : 0n;
    case CoreReloKind.FIELD_LSHIFT_U64:
      return BigInt(64 - (bitOff + bitSz - byteOff * 8));
    case CoreReloKind.FIELD_RSHIFT_U64:
      outSz.validate = true;
      return BigInt(64 - bitSz);
    default:
      throw new CoreError(`unsupported relocation kind ${kind}`);
  }
}

function calcRelo(kind: number, local: Spec, targ: Spec | undefined): RelRes {
  const res: RelRes = { origVal: 0n, newVal: 0n, poison: false, validate: true, failMemszAdjust: false, origSz: 0, newSz: 0, origTypeId: 0, newTypeId: 0 };
  if (isFieldBased(kind)) {
    const lo = { sz: 0, typeId: 0, validate: true };
    const o = calcField(kind, local, lo);
    res.validate = kind === CoreReloKind.FIELD_EXISTS ? true : lo.validate;
    res.origSz = lo.sz; res.origTypeId = lo.typeId;
    if (o === POISON) { res.poison = true; return res; }
    res.origVal = o;
    const to = { sz: 0, typeId: 0, validate: true };
    const n = calcField(kind, targ, to);
    if (n === POISON) { res.poison = true; return res; }
    res.newVal = n; res.newSz = to.sz; res.newTypeId = to.typeId;
    if (res.origSz !== res.newSz && targ) {
      const ot = local.btf.get(res.origTypeId);
      const nt = targ.btf.get(res.newTypeId);
      const okPtr = ot?.kind === BtfKind.PTR && nt?.kind === BtfKind.PTR;
      const okInt = ot?.kind === BtfKind.INT && nt?.kind === BtfKind.INT && ot.intEncoding !== BTF_INT_SIGNED && nt.intEncoding !== BTF_INT_SIGNED;
      if (!okPtr && !okInt) res.failMemszAdjust = true;
    }
  } else if (isTypeBased(kind)) {
    const val = (s: Spec | undefined): bigint => {
      if (!s) return 0n;
      switch (kind) {
        case CoreReloKind.TYPE_ID_TARGET: return BigInt(s.rootTypeId);
        case CoreReloKind.TYPE_EXISTS: case CoreReloKind.TYPE_MATCHES: return 1n;
        case CoreReloKind.TYPE_SIZE: return BigInt(resolveSize(s.btf, s.rootTypeId));
        default: throw new CoreError(`unsupported relocation kind ${kind}`);
      }
    };
    res.origVal = val(local);
    res.newVal = val(targ);
    res.validate = kind !== CoreReloKind.TYPE_ID_TARGET;
  } else if (isEnumvalBased(kind)) {
    const val = (s: Spec | undefined): bigint | typeof POISON => {
      if (kind === CoreReloKind.ENUMVAL_EXISTS) return s ? 1n : 0n;
      if (!s) return POISON;
      const t = s.btf.get(s.spec[0].typeId)!;
      const v = t.enumValues![s.spec[0].idx].value;
      return BigInt.asUintN(64, t.kind === BtfKind.ENUM ? BigInt.asUintN(32, v) : v);
    };
    const o = val(local);
    const n = val(targ);
    if (o === POISON || n === POISON) { res.poison = true; return res; }
    res.origVal = o; res.newVal = n;
  } else {
    throw new CoreError(`unknown relocation kind ${kind}`);
  }
  return res;
}

function poisonInsn(insns: Insn[], idx: number): void {
  const n = insns[idx].code === LD_IMM64 ? 2 : 1;
  for (let i = 0; i < n && idx + i < insns.length; i++) {
    insns[idx + i] = { code: BPF_JMP | BPF_CALL, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM };
  }
}

const sizeBytesOf = (code: number) => ({ [BPF_DW]: 8, [BPF_W]: 4, [BPF_H]: 2, [BPF_B]: 1 } as Record<number, number>)[insnSize(code)];
const bytesToSize = (sz: number): number | undefined => ({ 8: BPF_DW, 4: BPF_W, 2: BPF_H, 1: BPF_B } as Record<number, number>)[sz];

function patchInsn(insns: Insn[], idx: number, res: RelRes): string | undefined {
  const insn = insns[idx];
  const cls = insnClass(insn.code);
  const imm32 = (v: bigint) => Number(BigInt.asIntN(32, v));
  switch (cls) {
    case BPF_ALU: case BPF_ALU64:
      if (insnSrc(insn.code) !== BPF_K) return `unexpected insn #${idx} (ALU with register source) for a CO-RE relocation`;
      if (res.poison) { poisonInsn(insns, idx); return undefined; }
      if (res.validate && BigInt(insn.imm) !== res.origVal && BigInt(insn.imm >>> 0) !== res.origVal) return `unexpected insn #${idx} (ALU) value: got ${insn.imm}, exp ${res.origVal} -> ${res.newVal}`;
      insn.imm = imm32(res.newVal);
      return undefined;
    case BPF_LDX: case BPF_ST: case BPF_STX: {
      if (res.poison) { poisonInsn(insns, idx); return undefined; }
      if (res.validate && BigInt(insn.off) !== res.origVal) return `unexpected insn #${idx} (LDX/ST/STX) value: got ${insn.off}, exp ${res.origVal} -> ${res.newVal}`;
      if (res.newVal > 32767n) return `insn #${idx} (LDX/ST/STX) value too big: ${res.newVal}`;
      if (res.failMemszAdjust) { poisonInsn(insns, idx); return undefined; }
      insn.off = Number(res.newVal);
      if (res.newSz !== res.origSz) {
        if (sizeBytesOf(insn.code) !== res.origSz) return `insn #${idx} (LDX/ST/STX) unexpected mem size: got ${sizeBytesOf(insn.code)}, exp ${res.origSz}`;
        const s = bytesToSize(res.newSz);
        if (s === undefined) return `insn #${idx} (LDX/ST/STX) invalid new mem size: ${res.newSz}`;
        insn.code = insnMode(insn.code) | s | cls;
      }
      return undefined;
    }
    case BPF_LD: {
      const next = insns[idx + 1];
      if (insn.code !== LD_IMM64 || insn.src !== 0 || insn.off !== 0 || !next || next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
        return `insn #${idx} (LDIMM64) has unexpected form`;
      }
      if (res.poison) { poisonInsn(insns, idx); return undefined; }
      const imm = (BigInt(next.imm >>> 0) << 32n) | BigInt(insn.imm >>> 0);
      if (res.validate && imm !== res.origVal) return `insn #${idx} (LDIMM64) value: got ${imm}, exp ${res.origVal} -> ${res.newVal}`;
      insn.imm = imm32(res.newVal);
      next.imm = imm32(res.newVal >> 32n);
      return undefined;
    }
    default:
      return `insn #${idx} has unexpected class for a CO-RE relocation (code 0x${insn.code.toString(16)})`;
  }
}

export interface CoreReloResult {
  /** libbpf refuses the object (ambiguous candidates, malformed record, unexpected instruction) */
  error?: string;
  /** instruction poisoned: it fails verification if reachable */
  problem?: string;
}

/** Resolves one CO-RE relocation and patches insns[insnIdx] (program-relative) in place. */
export function applyCoreRelo(local: Btf, target: Btf, relo: ExtCoreRelo, insns: Insn[], insnIdx: number, reloIdx: number, cache: CoreCandCache): CoreReloResult {
  const kindName = CORE_RELO_KIND_NAMES[relo.kind] ?? `kind ${relo.kind}`;
  try {
    if (insnIdx < 0 || insnIdx >= insns.length) return { error: `CO-RE relocation #${reloIdx} points outside the program` };
    const lt = local.get(relo.typeId);
    if (!lt || relo.typeId === 0) return { error: `CO-RE relocation #${reloIdx}: bad local type id ${relo.typeId}` };
    const localSpec = parseSpec(local, relo);
    let res: RelRes;
    let targSpec: Spec | undefined;
    if (relo.kind === CoreReloKind.TYPE_ID_LOCAL) {
      res = { origVal: BigInt(relo.typeId), newVal: BigInt(relo.typeId), poison: false, validate: false, failMemszAdjust: false, origSz: 0, newSz: 0, origTypeId: 0, newTypeId: 0 };
    } else {
      if (!lt.name) return { error: `relo #${reloIdx}: <${kindName}> candidate search is not supported for anonymous types` };
      const cands = cache.cands(relo.typeId);
      let found: RelRes | undefined;
      for (const c of cands) {
        const m = specMatch(localSpec, target, c);
        if (m.r < 0) return { error: `relo #${reloIdx}: <${kindName}> matching candidate [${c}] failed` };
        if (m.r === 0) continue;
        const cr = calcRelo(relo.kind, localSpec, m.spec);
        if (!found) { found = cr; targSpec = m.spec; }
        else if (m.spec.bitOffset !== targSpec!.bitOffset) return { error: `relo #${reloIdx}: field offset ambiguity: ${m.spec.bitOffset / 8} != ${targSpec!.bitOffset / 8}` };
        else if (cr.poison !== found.poison || cr.newVal !== found.newVal) return { error: `relo #${reloIdx}: relocation decision ambiguity: ${cr.newVal} != ${found.newVal}` };
      }
      res = found ?? calcRelo(relo.kind, localSpec, undefined);
    }
    const err = patchInsn(insns, insnIdx, res);
    if (err) return { error: `relo #${reloIdx}: ${err}` };
    if (res.poison) {
      const what = `${lt.name ? `${(BTF_KIND_NAMES[lt.kind] ?? '').toLowerCase()} ${lt.name}` : `[${relo.typeId}]`}`;
      return { problem: `CO-RE relocation failed: <${kindName}> ${what} access ${relo.accessStr} not found in the target BTF; instruction poisoned (call 0x${CORE_POISON_IMM.toString(16)}) and rejected if reachable` };
    }
    return {};
  } catch (e) {
    if (e instanceof CoreError) return { error: `relo #${reloIdx}: <${kindName}> ${e.message}` };
    throw e;
  }
}
