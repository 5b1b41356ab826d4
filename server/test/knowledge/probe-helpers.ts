// Asks the running kernel which helpers each loadable program type may call, by loading
// `call <id>; r0 = 0; exit` for every (program type, helper) through the kernel oracle
// (test/oracle/bpfverify.c): "program of this type cannot use helper" means the program type's
// func_proto returned nothing; any other verdict means the helper is there.
//
//   npx tsx server/test/knowledge/probe-helpers.ts > server/src/knowledge/helpers.probed.data.ts
//
// regenerates the record of what a newer kernel added over the source-derived table.
import { readFileSync } from 'node:fs';
import { kernelRelease, kernelVerifyRaw, oracle } from '../diff/oracle';
import { allHelpers } from '../../src/knowledge/helpers';
import { kfuncAllowedFor, kfuncsFromBtf } from '../../src/knowledge/kfuncs';
import { parseBtf } from '../../src/bpf/btf/btf';
import { PROG_TYPE_NAMES } from '../../src/bpf/progtypes';

/** Program types the oracle can load without an attach target, with the attach type they need. */
export const PROBE_TYPES: Readonly<Record<string, number>> = {
  SOCKET_FILTER: 0, KPROBE: 0, SCHED_CLS: 0, SCHED_ACT: 0, TRACEPOINT: 0, XDP: 0, PERF_EVENT: 0, CGROUP_SKB: 0,
  CGROUP_SOCK: 2, LWT_IN: 0, LWT_OUT: 0, LWT_XMIT: 0, SOCK_OPS: 0, SK_SKB: 0, CGROUP_DEVICE: 0, SK_MSG: 0,
  RAW_TRACEPOINT: 0, CGROUP_SOCK_ADDR: 10, LWT_SEG6LOCAL: 0, SK_REUSEPORT: 0, FLOW_DISSECTOR: 0, CGROUP_SYSCTL: 0,
  RAW_TRACEPOINT_WRITABLE: 0, CGROUP_SOCKOPT: 21, SK_LOOKUP: 36, NETFILTER: 45,
};

function le32(n: number): string {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b.toString('hex');
}

export interface ProbeResult {
  kernel: string;
  /** progType -> helper names the kernel offers (the func_proto returned a proto) */
  available: Map<string, Set<string>>;
  /** verdicts that said nothing about availability (load refused for another reason) */
  unknown: number;
  error?: string;
}

export function probeHelpers(): ProbeResult {
  const o = oracle();
  if (!o.ok) return { kernel: kernelRelease(), available: new Map(), unknown: 0, error: o.reason };
  const specs = [];
  for (const [pt, attach] of Object.entries(PROBE_TYPES)) {
    for (const h of allHelpers()) {
      specs.push({
        name: `${pt}:${h.name}`,
        insns: `85000000${le32(h.id)}b7000000000000009500000000000000`,
        prog_type: (PROG_TYPE_NAMES as readonly string[]).indexOf(`BPF_PROG_TYPE_${pt}`),
        expected_attach_type: attach,
        license: 'GPL',
      });
    }
  }
  const r = kernelVerifyRaw(specs);
  const available = new Map<string, Set<string>>();
  let unknown = 0;
  for (const s of specs) {
    const v = r.verdicts.get(s.name);
    const [pt, name] = s.name.split(':');
    if (!v || v.ok === null) { unknown++; continue; }
    const line = v.error_line ?? '';
    if (/cannot use helper|unknown func/.test(line)) continue;
    if (!available.has(pt)) available.set(pt, new Set());
    available.get(pt)!.add(name);
  }
  return { kernel: kernelRelease(), available, unknown, error: r.error };
}

/**
 * The same for kfuncs of the running kernel's BTF (call with src_reg BPF_PSEUDO_KFUNC_CALL):
 * "calling kernel function X is not allowed" means the kfunc's set is not registered for the type.
 */
export function probeKfuncs(): ProbeResult {
  const o = oracle();
  if (!o.ok) return { kernel: kernelRelease(), available: new Map(), unknown: 0, error: o.reason };
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux'));
  } catch (e) {
    return { kernel: kernelRelease(), available: new Map(), unknown: 0, error: `vmlinux BTF: ${(e as Error).message}` };
  }
  const btf = parseBtf(bytes).btf;
  if (!btf) return { kernel: kernelRelease(), available: new Map(), unknown: 0, error: 'vmlinux BTF did not parse' };
  const specs = [];
  for (const [pt, attach] of Object.entries(PROBE_TYPES)) {
    for (const k of kfuncsFromBtf(btf)) {
      specs.push({
        name: `${pt}:${k.name}`,
        insns: `85200000${le32(k.btfId)}b7000000000000009500000000000000`,
        prog_type: (PROG_TYPE_NAMES as readonly string[]).indexOf(`BPF_PROG_TYPE_${pt}`),
        expected_attach_type: attach,
        license: 'GPL',
      });
    }
  }
  const r = kernelVerifyRaw(specs);
  const available = new Map<string, Set<string>>();
  let unknown = 0;
  for (const s of specs) {
    const v = r.verdicts.get(s.name);
    const [pt, name] = s.name.split(':');
    if (!v || v.ok === null) { unknown++; continue; }
    if (/is not allowed|not supported/.test(v.error_line ?? '')) continue;
    if (!available.has(pt)) available.set(pt, new Set());
    available.get(pt)!.add(name);
  }
  return { kernel: kernelRelease(), available, unknown, error: r.error };
}

if (require.main === module && process.argv[2] === 'kfuncs') {
  const p = probeKfuncs();
  if (p.error && !p.available.size) {
    console.error(p.error);
    process.exit(1);
  }
  const add = new Map<string, string[]>();
  for (const [pt, names] of p.available) {
    for (const n of names) {
      if (kfuncAllowedFor(n, pt) !== false) continue; // known and allowed, or not in the table
      if (/^bpf_xdp_metadata_/.test(n)) continue; // device-bound kfuncs: the verifier checks them elsewhere
      const l = add.get(n) ?? [];
      l.push(pt);
      add.set(n, l);
    }
  }
  const lines = [
    '// Generated by server/test/knowledge/probe-helpers.ts kfuncs: program types a newer kernel registers',
    '// kfuncs for beyond the source-derived table, measured by loading a call to each kfunc of its BTF',
    '// under each loadable program type. Facts only; regenerate rather than edit.',
    '',
    `export const PROBED_KFUNC_KERNEL = ${JSON.stringify(p.kernel)};`,
    '',
    'export const PROBED_KFUNC_ADDITIONS: Readonly<Record<string, readonly string[]>> = {',
    ...[...add].sort((a, b) => a[0].localeCompare(b[0])).map(([n, pts]) => `  ${n}: ${JSON.stringify(pts)},`),
    '};',
    '',
  ];
  process.stdout.write(lines.join('\n'));
} else if (require.main === module) {
  const p = probeHelpers();
  if (p.error && !p.available.size) {
    console.error(p.error);
    process.exit(1);
  }
  const lines = [
    '// Generated by server/test/knowledge/probe-helpers.ts: helpers a newer kernel offers to program types',
    '// beyond what the source-derived table (helpers.data.ts, Linux 6.12) records, measured by loading a',
    '// call to each helper under each loadable program type. Facts only; regenerate rather than edit.',
    '',
    `export const PROBED_KERNEL = ${JSON.stringify(p.kernel)};`,
    '',
    '/** program type -> helpers available on PROBED_KERNEL that the 6.12 table does not list */',
    'export const PROBED_ADDITIONS: Readonly<Record<string, readonly string[]>> = {',
  ];
  const known = new Map(allHelpers().map((h) => [h.name, new Set(h.progTypes.map((x) => x.progType))]));
  for (const [pt, names] of p.available) {
    const extra = [...names].filter((n) => !known.get(n)?.has(pt)).sort();
    if (extra.length) lines.push(`  ${pt}: ${JSON.stringify(extra)},`);
  }
  lines.push('};', '');
  process.stdout.write(lines.join('\n'));
}
