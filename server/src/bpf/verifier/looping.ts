// states_maybe_looping's per-register test: the kernel memcmp()s each register of the current frame
// up to `frameno` — the type with its flags, the fixed offset, the type-specific union (packet range,
// map and map uid, BTF id, memory size and dynptr id, dynptr/iterator state, subprogram), var_off,
// all 64- and 32-bit bounds, and the raw `id` and `ref_obj_id`. Raw ids matter: a loop whose counter
// gets a fresh id on every iteration is never "looping" for the kernel (it runs on to the jump or
// instruction limits), although an id-mapping comparison (states_equal EXACT) would find the states equal.
import { RegType, type Reg } from './reg';
import { tnumEquals } from './tnum';

/** the fields compared (a read-only view, so registers shared between states can be passed) */
type LoopReg = Readonly<Pick<Reg, 'type' | 'flags' | 'off' | 'varOff' | 'sminH' | 'sminL' | 'smaxH' | 'smaxL' | 'uminH' | 'uminL' | 'umaxH' | 'umaxL' |
  's32min' | 's32max' | 'u32min' | 'u32max' | 'id' | 'refObjId' | 'range' | 'map' | 'mapUid' | 'btfId' | 'memSize' | 'dynptrId' | 'dynptrType' |
  'subprogno' | 'iterState' | 'iterDepth'>>;

export function sameRegForLooping(x: LoopReg, y: LoopReg): boolean {
  if (x.type !== y.type || x.flags !== y.flags || x.off !== y.off || !tnumEquals(x.varOff, y.varOff)) return false;
  if (x.sminH !== y.sminH || x.sminL !== y.sminL || x.smaxH !== y.smaxH || x.smaxL !== y.smaxL ||
    x.uminH !== y.uminH || x.uminL !== y.uminL || x.umaxH !== y.umaxH || x.umaxL !== y.umaxL) return false;
  if (x.s32min !== y.s32min || x.s32max !== y.s32max || x.u32min !== y.u32min || x.u32max !== y.u32max) return false;
  if (x.id !== y.id || x.refObjId !== y.refObjId) return false;
  // scalars and uninitialized registers have a zeroed union in the kernel
  if (x.type === RegType.SCALAR_VALUE || x.type === RegType.NOT_INIT) return true;
  return x.range === y.range && x.map === y.map && (x.mapUid ?? 0) === (y.mapUid ?? 0) && x.btfId === y.btfId && x.memSize === y.memSize &&
    (x.dynptrId ?? 0) === (y.dynptrId ?? 0) && x.dynptrType === y.dynptrType && x.subprogno === y.subprogno &&
    x.iterState === y.iterState && (x.iterDepth ?? 0) === (y.iterDepth ?? 0);
}
