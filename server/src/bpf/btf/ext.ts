// .BTF.ext reader: func_info, line_info and CO-RE relocation records, grouped by ELF section.
// Instruction offsets are converted from bytes to instruction slots. Strings (section names, file
// names, source lines, access strings) come from the object's .BTF string table.
import { cString } from '../elf/elf';

export interface ExtFuncInfo { insnOff: number; typeId: number }
export interface ExtLineInfo { insnOff: number; fileName: string; lineText: string; line: number; col: number }

/** bpf_core_relo_kind (include/uapi/linux/bpf.h) */
export const enum CoreReloKind {
  FIELD_BYTE_OFFSET = 0, FIELD_BYTE_SIZE = 1, FIELD_EXISTS = 2, FIELD_SIGNED = 3, FIELD_LSHIFT_U64 = 4,
  FIELD_RSHIFT_U64 = 5, TYPE_ID_LOCAL = 6, TYPE_ID_TARGET = 7, TYPE_EXISTS = 8, TYPE_SIZE = 9,
  ENUMVAL_EXISTS = 10, ENUMVAL_VALUE = 11, TYPE_MATCHES = 12,
}

export const CORE_RELO_KIND_NAMES = [
  'byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64', 'local_type_id', 'target_type_id',
  'type_exists', 'type_size', 'enumval_exists', 'enumval_value', 'type_matches',
];

export interface ExtCoreRelo { insnOff: number; typeId: number; accessStr: string; kind: number }

export interface ExtSection<T> { section: string; records: T[] }

export interface BtfExt {
  funcInfo: ExtSection<ExtFuncInfo>[];
  lineInfo: ExtSection<ExtLineInfo>[];
  coreRelos: ExtSection<ExtCoreRelo>[];
}

/** Parses .BTF.ext bytes; `strings` is the .BTF string section of the same object. */
export function parseBtfExt(bytes: Uint8Array, strings: Uint8Array): { ext?: BtfExt; errors: string[] } {
  try {
    return parseUnchecked(bytes, strings);
  } catch (e) {
    return { errors: [`malformed .BTF.ext: ${(e as Error).message}`] };
  }
}

function parseUnchecked(bytes: Uint8Array, strings: Uint8Array): { ext?: BtfExt; errors: string[] } {
  const fail = (m: string) => ({ errors: [m] });
  if (bytes.length < 8) return fail(`.BTF.ext is ${bytes.length} bytes, shorter than its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le = true;
  if (view.getUint16(0, true) !== 0xeb9f) {
    if (view.getUint16(0, false) !== 0xeb9f) return fail('.BTF.ext: bad magic (expected 0xeb9f)');
    le = false;
  }
  if (view.getUint8(2) !== 1) return fail(`.BTF.ext: unsupported version ${view.getUint8(2)}`);
  const hdrLen = view.getUint32(4, le);
  if (hdrLen < 24 || hdrLen > bytes.length) return fail(`.BTF.ext: bad header length ${hdrLen}`);
  const u32 = (o: number) => view.getUint32(o, le);
  const str = (off: number, what: string): string => {
    const s = cString(strings, off);
    if (s === undefined) throw new ExtError(`.BTF.ext: ${what} string offset ${off} is outside the BTF string section`);
    return s;
  };

  const sub = <T>(off: number, len: number, what: string, minRec: number, read: (o: number) => T): ExtSection<T>[] => {
    const out: ExtSection<T>[] = [];
    if (len === 0) return out;
    const start = hdrLen + off;
    const end = start + len;
    if (end > bytes.length || len < 4) throw new ExtError(`.BTF.ext: ${what} (offset ${off}, length ${len}) runs past the end`);
    const recSize = u32(start);
    if (recSize < minRec || recSize % 4 !== 0) throw new ExtError(`.BTF.ext: ${what} record size ${recSize} is invalid (at least ${minRec})`);
    let p = start + 4;
    while (p < end) {
      if (p + 8 > end) throw new ExtError(`.BTF.ext: ${what} section header is truncated`);
      const section = str(u32(p), `${what} section name`);
      const n = u32(p + 4);
      p += 8;
      if (n === 0) throw new ExtError(`.BTF.ext: ${what} for section '${section}' has no records`);
      if (n * recSize > end - p) throw new ExtError(`.BTF.ext: ${what} for section '${section}' claims ${n} records, more than fit`);
      const records: T[] = new Array(n);
      for (let i = 0; i < n; i++, p += recSize) records[i] = read(p);
      out.push({ section, records });
    }
    return out;
  };
  const insnOff = (b: number, what: string): number => {
    if (b % 8 !== 0) throw new ExtError(`.BTF.ext: ${what} instruction offset ${b} is not a multiple of 8`);
    return b / 8;
  };

  try {
    const funcInfo = sub(u32(8), u32(12), 'func_info', 8, (o) => ({ insnOff: insnOff(u32(o), 'func_info'), typeId: u32(o + 4) }));
    const lineInfo = sub(u32(16), u32(20), 'line_info', 16, (o) => {
      const lc = u32(o + 12);
      return { insnOff: insnOff(u32(o), 'line_info'), fileName: str(u32(o + 4), 'line_info file'), lineText: str(u32(o + 8), 'line_info line'), line: lc >>> 10, col: lc & 0x3ff };
    });
    let coreRelos: ExtSection<ExtCoreRelo>[] = [];
    if (hdrLen >= 32) {
      coreRelos = sub(u32(24), u32(28), 'core_relo', 16, (o) => ({ insnOff: insnOff(u32(o), 'core_relo'), typeId: u32(o + 4), accessStr: str(u32(o + 8), 'core_relo access'), kind: u32(o + 12) }));
    }
    return { ext: { funcInfo, lineInfo, coreRelos }, errors: [] };
  } catch (e) {
    if (e instanceof ExtError) return fail(e.message);
    throw e;
  }
}

class ExtError extends Error {}
