// BTF reader (include/uapi/linux/btf.h wire format) and type helpers: resolving typedefs and
// modifiers, sizes, member lookup through anonymous members, C-style type names.
// Hostile input yields errors: every record is bounds-checked, every reference is range-checked,
// and every walk over the type graph is depth-bounded, so cycles end with an error.
import { BtfKind, type BtfType, type BtfMember, type BtfParam, type BtfEnumValue, type BtfVarSecinfo } from './types';
import type { Btf as BtfContract } from '../loader/types';

export const BTF_MAGIC = 0xeb9f;
/** walks over typedef/modifier chains and nested members stop at this depth (libbpf uses 32) */
export const MAX_RESOLVE_DEPTH = 32;
/** node budget for walks that branch (members, parameters): hostile BTF must not explode them */
export const WALK_BUDGET = 20000;
/** type names longer than this are abbreviated */
const MAX_NAME_LEN = 4096;

export const BTF_KIND_NAMES = [
  'UNKN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE', 'CONST', 'RESTRICT',
  'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64',
];

export const BTF_INT_SIGNED = 1;
export const BTF_INT_CHAR = 2;
export const BTF_INT_BOOL = 4;

const FNV_OFFSET = 0x811c9dc5;
const EMPTY_HASH = FNV_OFFSET;

/** FNV-1a over the UTF-8 bytes of a name. */
export function hashString(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) h = Math.imul(h ^ c, 0x01000193);
    else for (const b of new TextEncoder().encode(s[i])) h = Math.imul(h ^ b, 0x01000193);
  }
  return h >>> 0;
}

export interface MemberMatch {
  member: BtfMember;
  /** bit offset from the start of the outer type, through any anonymous members */
  bitOffset: number;
  /** member indices from the outer type down to the member */
  path: number[];
}

export class Btf implements BtfContract {
  private nameIndex?: Map<number, number[]>;

  constructor(
    readonly types: BtfType[],
    /** the string section (with a base, the base's strings come first in offsets) */
    readonly strings: Uint8Array,
    readonly base?: Btf,
    /** first type id of this BTF (1 for standalone, base.types.length for split BTF) */
    readonly startId = 1,
  ) {}

  get(id: number): BtfType | undefined {
    return id >= 0 && id < this.types.length ? this.types[id] : undefined;
  }

  /**
   * Name index keyed by a 32-bit hash of the name bytes, built without decoding any string (vmlinux
   * has ~130k named types); lookups hash the query and confirm candidates by their decoded name.
   */
  private index(): Map<number, number[]> {
    if (!this.nameIndex) {
      const m = new Map<number, number[]>();
      const t = this.types;
      for (let i = 1; i < t.length; i++) {
        const ty = t[i];
        const h = ty instanceof LazyBtfType ? ty.nameHash() : hashString(ty.name);
        if (h === EMPTY_HASH) continue;
        const l = m.get(h);
        if (l) l.push(i);
        else m.set(h, [i]);
      }
      this.nameIndex = m;
    }
    return this.nameIndex;
  }

  private idsByName(name: string): number[] {
    const ids = this.index().get(hashString(name));
    if (!ids) return [];
    return ids.filter((i) => this.types[i].name === name);
  }

  byName(name: string, kind?: number): BtfType | undefined {
    for (const id of this.idsByName(name)) if (kind === undefined || this.types[id].kind === kind) return this.types[id];
    return undefined;
  }

  allByName(name: string, kind?: number): BtfType[] {
    return this.idsByName(name).map((i) => this.types[i]).filter((t) => kind === undefined || t.kind === kind);
  }

  /** Skips typedefs and const/volatile/restrict/type_tag; -1 for a bad id or a cycle. */
  resolve(id: number): number {
    for (let d = 0; d <= MAX_RESOLVE_DEPTH; d++) {
      const t = this.get(id);
      if (!t) return -1;
      switch (t.kind) {
        case BtfKind.TYPEDEF: case BtfKind.CONST: case BtfKind.VOLATILE: case BtfKind.RESTRICT: case BtfKind.TYPE_TAG:
          id = t.type;
          break;
        default:
          return id;
      }
    }
    return -1;
  }

  /** Skips const/volatile/restrict/type_tag only (keeps typedefs); -1 for a bad id or a cycle. */
  skipModifiers(id: number): number {
    for (let d = 0; d <= MAX_RESOLVE_DEPTH; d++) {
      const t = this.get(id);
      if (!t) return -1;
      if (t.kind === BtfKind.CONST || t.kind === BtfKind.VOLATILE || t.kind === BtfKind.RESTRICT || t.kind === BtfKind.TYPE_TAG) id = t.type;
      else return id;
    }
    return -1;
  }

  /** Byte size of a type, as the kernel computes it (btf_resolve_size); undefined when it has none. */
  sizeOf(id: number): number | undefined {
    let mult = 1;
    for (let d = 0; d <= MAX_RESOLVE_DEPTH; d++) {
      const t = this.get(id);
      if (!t) return undefined;
      switch (t.kind) {
        case BtfKind.INT: case BtfKind.STRUCT: case BtfKind.UNION: case BtfKind.ENUM: case BtfKind.ENUM64:
        case BtfKind.FLOAT: case BtfKind.DATASEC:
          return mult * t.size;
        case BtfKind.PTR:
          return mult * 8;
        case BtfKind.TYPEDEF: case BtfKind.CONST: case BtfKind.VOLATILE: case BtfKind.RESTRICT: case BtfKind.TYPE_TAG:
        case BtfKind.VAR: case BtfKind.DECL_TAG:
          id = t.type;
          break;
        case BtfKind.ARRAY:
          mult *= t.array!.nelems;
          if (mult > 0xffffffff) return undefined;
          id = t.array!.elemType;
          break;
        default:
          return undefined;
      }
    }
    return undefined;
  }

  private alignCache = new Map<number, number | undefined>();

  /** Alignment of a type in bytes (libbpf's btf__align_of); undefined when unknown. */
  alignOf(id: number, depth = 0): number | undefined {
    if (depth > MAX_RESOLVE_DEPTH) return undefined;
    // memoised, so hostile graphs (many members sharing deep types) stay linear
    if (this.alignCache.has(id)) return this.alignCache.get(id);
    const rid = this.resolve(id);
    const t = this.get(rid);
    let a: number | undefined;
    if (t) {
      switch (t.kind) {
        case BtfKind.INT: case BtfKind.ENUM: case BtfKind.ENUM64: case BtfKind.FLOAT:
          a = Math.min(8, Math.max(1, t.size));
          break;
        case BtfKind.PTR:
          a = 8;
          break;
        case BtfKind.ARRAY:
          a = this.alignOf(t.array!.elemType, depth + 1);
          break;
        case BtfKind.STRUCT: case BtfKind.UNION: {
          a = 1;
          for (const m of t.members!) {
            const ma = this.alignOf(m.type, depth + 1);
            if (ma === undefined) { a = undefined; break; }
            a = Math.max(a, ma);
          }
          break;
        }
        default:
          a = undefined;
      }
    }
    if (depth === 0 || a !== undefined) this.alignCache.set(id, a);
    return a;
  }

  /**
   * Finds a member by name in a struct/union, descending into anonymous struct/union members
   * (C11 semantics); the bit offset is relative to the outer type.
   */
  findMember(typeId: number, name: string): MemberMatch | undefined {
    return this.findMemberRec(typeId, name, 0, 0, { n: WALK_BUDGET });
  }

  private findMemberRec(typeId: number, name: string, base: number, depth: number, budget: { n: number }): MemberMatch | undefined {
    if (depth > MAX_RESOLVE_DEPTH || --budget.n < 0) return undefined;
    const t = this.get(this.resolve(typeId));
    if (!t || !t.members) return undefined;
    for (let i = 0; i < t.members.length; i++) {
      const m = t.members[i];
      if (m.name === name) return { member: m, bitOffset: base + m.offset, path: [i] };
    }
    for (let i = 0; i < t.members.length; i++) {
      const m = t.members[i];
      if (m.name) continue;
      const r = this.findMemberRec(m.type, name, base + m.offset, depth + 1, budget);
      if (r) return { ...r, path: [i, ...r.path] };
    }
    return undefined;
  }

  /** The type as C would spell it: "struct task_struct *", "const char[16]", "int (*)(void *)". */
  typeName(id: number): string {
    return this.declare(id, '', 0, { n: WALK_BUDGET }).trim();
  }

  private declare(id: number, inner: string, depth: number, budget: { n: number }): string {
    if (depth > MAX_RESOLVE_DEPTH) return `<cycle>${inner}`;
    if (--budget.n < 0 || inner.length > MAX_NAME_LEN) return `...${inner.slice(0, MAX_NAME_LEN)}`;
    const t = this.get(id);
    if (!t) return `<bad type ${id}>${inner ? ' ' + inner : ''}`;
    const sp = (s: string) => (!inner ? s : inner[0] === '[' || inner[0] === '(' && inner[1] !== '*' ? `${s}${inner}` : `${s} ${inner}`);
    switch (t.kind) {
      case BtfKind.VOID: return sp('void');
      case BtfKind.INT: case BtfKind.FLOAT: case BtfKind.TYPEDEF: return sp(t.name || '<anon>');
      case BtfKind.STRUCT: return sp(`struct ${t.name || '{...}'}`);
      case BtfKind.UNION: return sp(`union ${t.name || '{...}'}`);
      case BtfKind.ENUM: case BtfKind.ENUM64: return sp(`enum ${t.name || '{...}'}`);
      case BtfKind.FWD: return sp(`${t.kindFlag ? 'union' : 'struct'} ${t.name}`);
      case BtfKind.PTR: {
        const target = this.get(t.type);
        const needParens = target && (target.kind === BtfKind.ARRAY || target.kind === BtfKind.FUNC_PROTO);
        return this.declare(t.type, needParens ? `(*${inner})` : `*${inner}`, depth + 1, budget);
      }
      case BtfKind.CONST: case BtfKind.VOLATILE: case BtfKind.RESTRICT: {
        const q = t.kind === BtfKind.CONST ? 'const' : t.kind === BtfKind.VOLATILE ? 'volatile' : 'restrict';
        const target = this.get(t.type);
        if (target && target.kind === BtfKind.PTR) return this.declare(t.type, inner ? `${q} ${inner}` : q, depth + 1, budget);
        return `${q} ${this.declare(t.type, inner, depth + 1, budget)}`;
      }
      case BtfKind.TYPE_TAG: return this.declare(t.type, inner, depth + 1, budget);
      case BtfKind.ARRAY: return this.declare(t.array!.elemType, `${inner}[${t.array!.nelems}]`, depth + 1, budget);
      case BtfKind.FUNC_PROTO: {
        // long or hostile prototypes are abbreviated: names stay readable and bounded
        const ps: string[] = [];
        let len = 0;
        for (const p of t.params!) {
          if (len > MAX_NAME_LEN / 4) { ps.push('...'); break; }
          const d = p.type === 0 ? '...' : this.declare(p.type, '', depth + 1, budget).trim();
          ps.push(d);
          len += d.length + 2;
        }
        return this.declare(t.type, `${inner}(${ps.length ? ps.join(', ') : 'void'})`, depth + 1, budget);
      }
      case BtfKind.FUNC: return this.declare(t.type, t.name, depth + 1, budget);
      case BtfKind.VAR: return this.declare(t.type, t.name, depth + 1, budget);
      case BtfKind.DATASEC: return `SEC("${t.name}")`;
      case BtfKind.DECL_TAG: return `__attribute__((btf_decl_tag("${t.name}")))`;
      default: return sp(`<kind ${t.kind}>`);
    }
  }
}

export interface ParseBtfResult {
  btf?: Btf;
  errors: string[];
}

/** Parses raw .BTF section bytes (or /sys/kernel/btf/* contents). With base, parses split BTF. */
export function parseBtf(bytes: Uint8Array, base?: Btf): ParseBtfResult {
  try {
    return parseBtfUnchecked(bytes, base);
  } catch (e) {
    return { errors: [`malformed BTF: ${(e as Error).message}`] };
  }
}

interface ParseCtx {
  view: DataView;
  le: boolean;
  str: (off: number) => string;
  /** FNV-1a of the NUL-terminated bytes at a string offset, without decoding */
  hash: (off: number) => number;
}

/**
 * One BTF type, decoded lazily: the header fields are read eagerly, the name and the variable
 * part (members, params, enum values, secinfo) on first access. vmlinux has ~130k types and most
 * consumers touch a few hundred, so this keeps parsing well under the 300 ms budget.
 */
class LazyBtfType implements BtfType {
  private _name?: string;
  private _members?: BtfMember[];
  private _params?: BtfParam[];
  private _enum?: BtfEnumValue[];
  private _secinfo?: BtfVarSecinfo[];
  private _array?: { elemType: number; indexType: number; nelems: number };

  constructor(
    readonly id: number,
    readonly kind: BtfKind,
    /** mutable: loaders fill in DATASEC sizes that clang leaves as 0 */
    public size: number,
    readonly type: number,
    private readonly nameOff: number,
    private readonly info: number,
    /** byte offset of the variable part in the BTF blob */
    private readonly p: number,
    private readonly ctx: ParseCtx,
  ) {}

  get name(): string {
    return (this._name ??= this.ctx.str(this.nameOff));
  }
  nameHash(): number {
    return this._name !== undefined ? hashString(this._name) : this.ctx.hash(this.nameOff);
  }
  private get vlen(): number { return this.info & 0xffff; }
  private get flag(): boolean { return (this.info >>> 31) === 1; }

  get kindFlag(): boolean | undefined {
    return this.flag ? true : this.kind === BtfKind.FWD ? false : undefined;
  }
  /** FUNC linkage set by a loader (libbpf marks hidden global subprograms static) */
  private _linkage?: number;
  setFuncLinkage(linkage: number): void {
    if (this.kind === BtfKind.FUNC) this._linkage = linkage;
  }
  get linkage(): number | undefined {
    if (this.kind === BtfKind.FUNC) return this._linkage ?? this.vlen;
    if (this.kind === BtfKind.VAR) return this.ctx.view.getUint32(this.p, this.ctx.le);
    return undefined;
  }
  get intEncoding(): number | undefined {
    return this.kind === BtfKind.INT ? (this.ctx.view.getUint32(this.p, this.ctx.le) >>> 24) & 0x0f : undefined;
  }
  get intOffset(): number | undefined {
    return this.kind === BtfKind.INT ? (this.ctx.view.getUint32(this.p, this.ctx.le) >>> 16) & 0xff : undefined;
  }
  get intBits(): number | undefined {
    return this.kind === BtfKind.INT ? this.ctx.view.getUint32(this.p, this.ctx.le) & 0xff : undefined;
  }
  get componentIdx(): number | undefined {
    return this.kind === BtfKind.DECL_TAG ? this.ctx.view.getInt32(this.p, this.ctx.le) : undefined;
  }
  get enumSigned(): boolean | undefined {
    return this.kind === BtfKind.ENUM || this.kind === BtfKind.ENUM64 ? this.flag : undefined;
  }
  get array(): { elemType: number; indexType: number; nelems: number } | undefined {
    if (this.kind !== BtfKind.ARRAY) return undefined;
    const { view, le } = this.ctx;
    return (this._array ??= { elemType: view.getUint32(this.p, le), indexType: view.getUint32(this.p + 4, le), nelems: view.getUint32(this.p + 8, le) });
  }
  get members(): BtfMember[] | undefined {
    if (this.kind !== BtfKind.STRUCT && this.kind !== BtfKind.UNION) return undefined;
    if (this._members) return this._members;
    const { view, le, str } = this.ctx;
    const n = this.vlen;
    const bitf = this.flag;
    const out: BtfMember[] = new Array(n);
    for (let i = 0, q = this.p; i < n; i++, q += 12) {
      const off = view.getUint32(q + 8, le);
      out[i] = { name: str(view.getUint32(q, le)), type: view.getUint32(q + 4, le), offset: bitf ? off & 0xffffff : off, bitfieldSize: bitf ? off >>> 24 : 0 };
    }
    return (this._members = out);
  }
  get params(): BtfParam[] | undefined {
    if (this.kind !== BtfKind.FUNC_PROTO) return undefined;
    if (this._params) return this._params;
    const { view, le, str } = this.ctx;
    const out: BtfParam[] = new Array(this.vlen);
    for (let i = 0, q = this.p; i < out.length; i++, q += 8) out[i] = { name: str(view.getUint32(q, le)), type: view.getUint32(q + 4, le) };
    return (this._params = out);
  }
  get enumValues(): BtfEnumValue[] | undefined {
    if (this.kind !== BtfKind.ENUM && this.kind !== BtfKind.ENUM64) return undefined;
    if (this._enum) return this._enum;
    const { view, le, str } = this.ctx;
    const out: BtfEnumValue[] = new Array(this.vlen);
    const signed = this.flag;
    if (this.kind === BtfKind.ENUM) {
      for (let i = 0, q = this.p; i < out.length; i++, q += 8) {
        const v = signed ? view.getInt32(q + 4, le) : view.getUint32(q + 4, le);
        out[i] = { name: str(view.getUint32(q, le)), value: BigInt(v) };
      }
    } else {
      for (let i = 0, q = this.p; i < out.length; i++, q += 12) {
        let v = (BigInt(view.getUint32(q + 8, le)) << 32n) | BigInt(view.getUint32(q + 4, le));
        if (signed) v = BigInt.asIntN(64, v);
        out[i] = { name: str(view.getUint32(q, le)), value: v };
      }
    }
    return (this._enum = out);
  }
  get secinfo(): BtfVarSecinfo[] | undefined {
    if (this.kind !== BtfKind.DATASEC) return undefined;
    if (this._secinfo) return this._secinfo;
    const { view, le } = this.ctx;
    const out: BtfVarSecinfo[] = new Array(this.vlen);
    for (let i = 0, q = this.p; i < out.length; i++, q += 12) out[i] = { type: view.getUint32(q, le), offset: view.getUint32(q + 4, le), size: view.getUint32(q + 8, le) };
    return (this._secinfo = out);
  }
}

/** bytes of the variable part after the 12-byte header, per kind; -1 for an unknown kind */
function extraBytes(kind: number, vlen: number): number {
  switch (kind) {
    case BtfKind.INT: case BtfKind.VAR: case BtfKind.DECL_TAG: return 4;
    case BtfKind.ARRAY: return 12;
    case BtfKind.STRUCT: case BtfKind.UNION: case BtfKind.DATASEC: case BtfKind.ENUM64: return vlen * 12;
    case BtfKind.ENUM: case BtfKind.FUNC_PROTO: return vlen * 8;
    case BtfKind.PTR: case BtfKind.TYPEDEF: case BtfKind.VOLATILE: case BtfKind.CONST: case BtfKind.RESTRICT:
    case BtfKind.TYPE_TAG: case BtfKind.FUNC: case BtfKind.FWD: case BtfKind.FLOAT: return 0;
    default: return -1;
  }
}

function parseBtfUnchecked(bytes: Uint8Array, base?: Btf): ParseBtfResult {
  const fail = (m: string): ParseBtfResult => ({ errors: [m] });
  if (bytes.length < 24) return fail(`BTF is ${bytes.length} bytes, shorter than its 24-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le = true;
  if (view.getUint16(0, true) !== BTF_MAGIC) {
    if (view.getUint16(0, false) !== BTF_MAGIC) return fail('not BTF: bad magic (expected 0xeb9f)');
    le = false;
  }
  const version = view.getUint8(2);
  if (version !== 1) return fail(`unsupported BTF version ${version}`);
  const hdrLen = view.getUint32(4, le);
  if (hdrLen < 24 || hdrLen > bytes.length) return fail(`bad BTF header length ${hdrLen}`);
  const typeOff = view.getUint32(8, le);
  const typeLen = view.getUint32(12, le);
  const strOff = view.getUint32(16, le);
  const strLen = view.getUint32(20, le);
  const dataLen = bytes.length - hdrLen;
  if (typeOff + typeLen > dataLen) return fail(`BTF type section (offset ${typeOff}, length ${typeLen}) runs past the end (${dataLen} bytes of data)`);
  if (strOff + strLen > dataLen) return fail(`BTF string section (offset ${strOff}, length ${strLen}) runs past the end (${dataLen} bytes of data)`);
  if (typeOff % 4 !== 0) return fail(`BTF type section offset ${typeOff} is not 4-byte aligned`);
  if (typeLen > 0 && strLen > 0 && typeOff < strOff + strLen && strOff < typeOff + typeLen) return fail('BTF type and string sections overlap');
  const strings = bytes.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
  if (!base && strLen > 0 && strings[0] !== 0) return fail('BTF string section does not start with an empty string');
  if (strLen > 0 && strings[strLen - 1] !== 0) return fail('BTF string section is not NUL-terminated');
  const baseStrLen = base ? base.strings.length : 0;
  const baseStrings = base?.strings;
  const totalStrLen = baseStrLen + strLen;

  const strCache = new Map<number, string>();
  const decoder = new TextDecoder();
  // offsets are validated during parsing, so str() never reads out of range
  const str = (off: number): string => {
    if (off === 0) return '';
    let s = strCache.get(off);
    if (s !== undefined) return s;
    let tab = strings;
    let o = off;
    if (baseStrings) {
      if (off < baseStrLen) tab = baseStrings;
      else o = off - baseStrLen;
    }
    if (o >= tab.length) return '';
    let end = o;
    let ascii = true;
    while (tab[end] !== 0) { if (tab[end] >= 0x80) ascii = false; end++; }
    if (ascii && end - o < 64) {
      s = '';
      for (let i = o; i < end; i++) s += String.fromCharCode(tab[i]);
    } else {
      s = decoder.decode(tab.subarray(o, end));
    }
    strCache.set(off, s);
    return s;
  };
  const hash = (off: number): number => {
    let tab = strings;
    let o = off;
    if (baseStrings) {
      if (off < baseStrLen) tab = baseStrings;
      else o = off - baseStrLen;
    }
    let h = FNV_OFFSET;
    if (off === 0) return h;
    for (; o < tab.length && tab[o] !== 0; o++) h = Math.imul(h ^ tab[o], 0x01000193);
    return h >>> 0;
  };
  const ctx: ParseCtx = { view, le, str, hash };

  const types: BtfType[] = base ? base.types.slice() : [{ id: 0, kind: BtfKind.VOID, name: '', size: 0, type: 0 }];
  const startId = types.length;
  let p = hdrLen + typeOff;
  const end = p + typeLen;
  // the largest type id referenced anywhere; checked against the final count
  let maxRef = 0;
  let maxRefBy = 0;
  const ref = (id: number, by: number) => { if (id > maxRef) { maxRef = id; maxRefBy = by; } };
  const checkStr = (off: number, id: number): string | undefined =>
    off >= totalStrLen ? `type ${id}: name offset ${off} is outside the BTF string section (${totalStrLen} bytes)` : undefined;
  while (p < end) {
    const id = types.length;
    if (p + 12 > end) return fail(`type ${id} header is truncated at the end of the type section`);
    const nameOff = view.getUint32(p, le);
    const info = view.getUint32(p + 4, le);
    const sizeOrType = view.getUint32(p + 8, le);
    p += 12;
    const vlen = info & 0xffff;
    const kind = (info >>> 24) & 0x1f;
    const extra = extraBytes(kind, vlen);
    if (extra < 0) return fail(`type ${id}: unknown BTF kind ${kind}`);
    if (p + extra > end) return fail(`type ${id} (${BTF_KIND_NAMES[kind]}) is truncated: needs ${extra} bytes past the header, the type section ends first`);
    const e = checkStr(nameOff, id);
    if (e) return fail(e);
    let size = 0;
    let type = 0;
    switch (kind) {
      case BtfKind.INT: case BtfKind.STRUCT: case BtfKind.UNION: case BtfKind.ENUM: case BtfKind.ENUM64:
      case BtfKind.FLOAT: case BtfKind.DATASEC:
        size = sizeOrType;
        break;
      case BtfKind.FWD:
        break;
      default:
        type = sizeOrType;
        ref(type, id);
    }
    // validate the variable part without materialising it
    switch (kind) {
      case BtfKind.ARRAY:
        ref(view.getUint32(p, le), id);
        ref(view.getUint32(p + 4, le), id);
        break;
      case BtfKind.STRUCT: case BtfKind.UNION: case BtfKind.DATASEC:
        for (let i = 0, q = p; i < vlen; i++, q += 12) {
          if (kind === BtfKind.DATASEC) { ref(view.getUint32(q, le), id); continue; }
          const so = view.getUint32(q, le);
          if (so >= totalStrLen) return fail(`type ${id}: member ${i} name offset ${so} is outside the string section`);
          ref(view.getUint32(q + 4, le), id);
        }
        break;
      case BtfKind.FUNC_PROTO: case BtfKind.ENUM: case BtfKind.ENUM64: {
        const step = kind === BtfKind.ENUM64 ? 12 : 8;
        for (let i = 0, q = p; i < vlen; i++, q += step) {
          const so = view.getUint32(q, le);
          if (so >= totalStrLen) return fail(`type ${id}: entry ${i} name offset ${so} is outside the string section`);
          if (kind === BtfKind.FUNC_PROTO) ref(view.getUint32(q + 4, le), id);
        }
        break;
      }
      default:
        break;
    }
    types.push(new LazyBtfType(id, kind, size, type, nameOff, info, p, ctx));
    p += extra;
  }
  const n = types.length;
  if (maxRef >= n) return fail(`type ${maxRefBy} (${BTF_KIND_NAMES[types[maxRefBy].kind]} '${types[maxRefBy].name}') references type ${maxRef}, beyond the last type ${n - 1}`);
  for (let i = startId; i < n; i++) {
    const t = types[i];
    if (t.kind === BtfKind.FUNC && types[t.type].kind !== BtfKind.FUNC_PROTO) {
      return fail(`type ${i} (FUNC '${t.name}'): type ${t.type} is not a FUNC_PROTO`);
    }
  }
  return { btf: new Btf(types, strings, base, startId), errors: [] };
}
