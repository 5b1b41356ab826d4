// Helper prototypes as the verifier needs them, read from the knowledge base's generated table
// (server/src/knowledge/helpers.data.ts).
import { HELPER_DATA } from '../../knowledge/helpers.data';
import { PROG_TYPE_NAMES } from '../progtypes';

export interface HelperArg { kind: string; base: string; flags: string[]; /** MEM_FIXED_SIZE size */ size?: number }
export interface HelperProto {
  id: number;
  name: string;
  gplOnly: boolean;
  ret: { kind: string; base: string; flags: string[] };
  args: HelperArg[];
  /** program type numbers the helper is available to */
  progTypes: Set<number>;
}

interface RawArg { kind: string; base: string; flags: string[]; size?: number }
interface RawHelperShape {
  id: number; name: string; gplOnly: boolean; ret: RawArg; args: RawArg[];
  progTypes: (string | [string, string])[];
}

let table: Map<number, HelperProto> | undefined;

function load(): Map<number, HelperProto> {
  const progNum = new Map<string, number>();
  PROG_TYPE_NAMES.forEach((n, i) => progNum.set(n.replace('BPF_PROG_TYPE_', ''), i));
  const m = new Map<number, HelperProto>();
  for (const raw of HELPER_DATA as unknown as RawHelperShape[]) {
    const progTypes = new Set<number>();
    for (const p of raw.progTypes) {
      const n = progNum.get(typeof p === 'string' ? p : p[0]);
      if (n !== undefined) progTypes.add(n);
    }
    m.set(raw.id, {
      id: raw.id, name: raw.name, gplOnly: raw.gplOnly,
      ret: raw.ret, args: raw.args.map((a) => ({ kind: a.kind, base: a.base, flags: a.flags, size: a.size })),
      progTypes,
    });
  }
  return m;
}

export function helperProto(id: number): HelperProto | undefined {
  table ??= load();
  return table.get(id);
}

/** The kernel's func_id_name: the helper's name, or "unknown". */
export function helperName(id: number): string {
  return helperProto(id)?.name ?? 'unknown';
}
