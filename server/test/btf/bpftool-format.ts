// Prints a parsed BTF in `bpftool btf dump file X` raw format, so the reader can be compared
// line by line with bpftool's own parser.
import type { Btf } from '../../src/bpf/btf/btf';
import { BTF_KIND_NAMES } from '../../src/bpf/btf/btf';
import { BtfKind } from '../../src/bpf/btf/types';

const q = (n: string) => `'${n || '(anon)'}'`;
const LINKAGE = ['static', 'global', 'extern'];

export function bpftoolRaw(btf: Btf, firstId = 1): string[] {
  const out: string[] = [];
  for (let id = firstId; id < btf.types.length; id++) {
    const t = btf.types[id];
    const head = `[${id}] ${BTF_KIND_NAMES[t.kind]} ${q(t.name)}`;
    switch (t.kind) {
      case BtfKind.INT: {
        const e = t.intEncoding!;
        const enc = e === 0 ? '(none)' : e === 1 ? 'SIGNED' : e === 2 ? 'CHAR' : e === 4 ? 'BOOL' : 'UNKN';
        out.push(`${head} size=${t.size} bits_offset=${t.intOffset} nr_bits=${t.intBits} encoding=${enc}`);
        break;
      }
      case BtfKind.PTR: case BtfKind.VOLATILE: case BtfKind.CONST: case BtfKind.RESTRICT: case BtfKind.TYPEDEF: case BtfKind.TYPE_TAG:
        out.push(`${head} type_id=${t.type}`);
        break;
      case BtfKind.ARRAY:
        out.push(`${head} type_id=${t.array!.elemType} index_type_id=${t.array!.indexType} nr_elems=${t.array!.nelems}`);
        break;
      case BtfKind.STRUCT: case BtfKind.UNION:
        out.push(`${head} size=${t.size} vlen=${t.members!.length}`);
        for (const m of t.members!) out.push(`\t${q(m.name)} type_id=${m.type} bits_offset=${m.offset}${m.bitfieldSize ? ` bitfield_size=${m.bitfieldSize}` : ''}`);
        break;
      case BtfKind.ENUM: case BtfKind.ENUM64: {
        const vals = t.enumValues!;
        out.push(`${head} encoding=${t.enumSigned ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${vals.length}`);
        const suf = t.kind === BtfKind.ENUM64 ? (t.enumSigned ? 'LL' : 'ULL') : '';
        for (const v of vals) out.push(`\t${q(v.name)} val=${v.value}${suf}`);
        break;
      }
      case BtfKind.FWD:
        out.push(`${head} fwd_kind=${t.kindFlag ? 'union' : 'struct'}`);
        break;
      case BtfKind.FUNC:
        out.push(`${head} type_id=${t.type} linkage=${LINKAGE[t.linkage!] ?? 'UNKN'}`);
        break;
      case BtfKind.FUNC_PROTO:
        out.push(`${head} ret_type_id=${t.type} vlen=${t.params!.length}`);
        for (const p of t.params!) out.push(`\t${q(p.name)} type_id=${p.type}`);
        break;
      case BtfKind.VAR:
        out.push(`${head} type_id=${t.type}, linkage=${LINKAGE[t.linkage!] ?? 'UNKN'}`);
        break;
      case BtfKind.DATASEC:
        out.push(`${head} size=${t.size} vlen=${t.secinfo!.length}`);
        for (const s of t.secinfo!) out.push(`\ttype_id=${s.type} offset=${s.offset} size=${s.size} (${BTF_KIND_NAMES[btf.types[s.type].kind]} ${q(btf.types[s.type].name)})`);
        break;
      case BtfKind.FLOAT:
        out.push(`${head} size=${t.size}`);
        break;
      case BtfKind.DECL_TAG:
        out.push(`${head} type_id=${t.type} component_idx=${t.componentIdx}`);
        break;
      default:
        out.push(`${head} <unknown kind>`);
    }
  }
  return out;
}
