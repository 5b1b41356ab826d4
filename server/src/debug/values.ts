// Register and memory values as the debugger shows them: hex, signed decimal, and for pointers
// the region and the offset in it; and the small expression language of `evaluate`.
import type { DebugEngine, StopState } from './engine';

export function hex64(hi: number, lo: number): string {
  return '0x' + (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

function signed(hi: number, lo: number): string {
  return ((BigInt(hi | 0) << 32n) | BigInt(lo >>> 0)).toString();
}

/** "0x... (-1)" or "0x... (packet+14)" for a pointer into a region */
export function describeValue(engine: DebugEngine, hi: number, lo: number): string {
  const h = hex64(hi, lo);
  if ((hi & 0xff000000) === (0xfe000000 | 0)) {
    const r = engine.regionAt(hi, lo);
    if (r) {
      const reg = r.region;
      if (reg.kind === 0 /* stack */) return `${h} (${reg.name}, r10 - ${reg.bytes.byteLength - r.off})`;
      if (reg.kind === 2 /* packet */) return `${h} (packet data + ${r.off - reg.start}${r.off === reg.end ? ', data_end' : ''})`;
      return `${h} (${reg.kindName}${reg.name !== reg.kindName ? ` '${reg.name}'` : ''} + ${r.off})`;
    }
  }
  return `${h} (${signed(hi, lo)})`;
}

const SIZES: Record<string, [number, boolean]> = {
  u8: [1, false], u16: [2, false], u32: [4, false], u64: [8, false], s8: [1, true], s16: [2, true], s32: [4, true], s64: [8, true],
  __u8: [1, false], __u16: [2, false], __u32: [4, false], __u64: [8, false], __s8: [1, true], __s16: [2, true], __s32: [4, true], __s64: [8, true],
};

/** `r1`, `w1`, `pc`, or `*(u32 *)(r10 - 8)` in frame `frame` of the stop */
export function evaluate(expr: string, engine: DebugEngine, st: StopState, frame: number): { value: string } | { error: string } {
  const e = expr.trim();
  const top = frame === st.frames.length - 1;
  const f = st.frames[frame];
  if (!f) return { error: `no frame ${frame}` };
  const reg = (r: number): [number, number] | undefined => {
    if (r < 0 || r > 10) return undefined;
    if (top) return [st.H[r], st.L[r]];
    return r === 10 ? [f.fpHi, f.fpLo] : undefined;
  };
  if (e === 'pc') return { value: String(f.pc) };
  let m = /^([rw])(\d+)$/.exec(e);
  if (m) {
    const v = reg(Number(m[2]));
    if (!v) return { error: `${e} is not known in this frame (registers of callers are not kept)` };
    return { value: m[1] === 'w' ? `0x${(v[1] >>> 0).toString(16)} (${v[1] | 0})` : describeValue(engine, v[0], v[1]) };
  }
  m = /^\*\s*\(\s*(\w+)\s*\*\s*\)\s*\(?\s*r(\d+)\s*(?:([+-])\s*(0x[0-9a-f]+|\d+))?\s*\)?$/i.exec(e);
  if (m) {
    const size = SIZES[m[1]];
    if (!size) return { error: `unknown type ${m[1]}: use u8/u16/u32/u64 or s8/s16/s32/s64` };
    const v = reg(Number(m[2]));
    if (!v) return { error: `r${m[2]} is not known in this frame` };
    const off = m[3] ? (m[3] === '-' ? -1 : 1) * Number(m[4]) : 0;
    const r = engine.regionAt(v[0], (v[1] + off) | 0);
    if (!r || r.off < 0 || r.off + size[0] > r.region.bytes.byteLength) return { error: `${e}: address ${hex64(v[0], (v[1] + off) | 0)} is outside every region` };
    const dv = r.region.view;
    let val: bigint;
    switch (size[0]) {
      case 1: val = BigInt(size[1] ? dv.getInt8(r.off) : dv.getUint8(r.off)); break;
      case 2: val = BigInt(size[1] ? dv.getInt16(r.off, true) : dv.getUint16(r.off, true)); break;
      case 4: val = BigInt(size[1] ? dv.getInt32(r.off, true) : dv.getUint32(r.off, true)); break;
      default: val = size[1] ? dv.getBigInt64(r.off, true) : dv.getBigUint64(r.off, true);
    }
    const u = val < 0n ? val + (1n << BigInt(size[0] * 8)) : val;
    return { value: `${val} (0x${u.toString(16)})` };
  }
  return { error: `cannot evaluate '${e}': use a register (r0-r10, w0-w10), pc, or *(u32 *)(r10 - 8)` };
}
