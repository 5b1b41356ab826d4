// Regenerates server/src/knowledge/helpers.data.ts from a kernel source tree (facts only: names, ids,
// verifier arg/ret kinds, gpl_only, which program types' func_proto return each helper) and the
// "since" versions table given as a second input (helper name -> first kernel version).
// Usage: node gen-helpers.mjs KERNEL_SRC gen/helper-since.tsv > helpers.data.ts
// (helper-since.tsv: "name<TAB>first release", from the kernel history as tabulated by bcc's kernel-versions doc)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [src, sinceFile] = process.argv.slice(2);
const uapi = readFileSync(join(src, 'include/uapi/linux/bpf.h'), 'utf8');

// 1. helper ids (explicit-number mapper form)
const ids = new Map();
for (const m of uapi.matchAll(/^\s*FN\((\w+),\s*(\d+),/gm)) if (m[2] !== '0') ids.set(m[1], Number(m[2]));
// 2. prototypes from the doc comment: " * <ret> bpf_<name>(<params>)" followed by " * \tDescription"
const protos = new Map();
const lines = uapi.split('\n');
for (let i = 0; i < lines.length - 1; i++) {
  const m = /^ \* ((?:[\w]+\s+)+\**\s*)bpf_(\w+)\((.*)\)\s*$/.exec(lines[i]);
  if (m && /^ \*\s+Description/.test(lines[i + 1])) protos.set(m[2], { ret: m[1].trim(), params: m[3], text: lines[i].slice(3).trim() });
}

function walk(dir, out) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) { if (!p.includes('tools')) walk(p, out); } else if (p.endsWith('.c')) out.push(p);
  }
  return out;
}
const files = [...walk(join(src, 'kernel'), []), ...walk(join(src, 'net'), [])];
const texts = files.map((f) => readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, ' '));
const all = texts.join('\n');

// 3. BTF id lists
const btfLists = new Map();
for (const m of all.matchAll(/BTF_ID_LIST(?:_GLOBAL)?_SINGLE\((\w+),\s*(\w+),\s*(\w+)\)/g)) btfLists.set(m[1], [m[3]]);
for (const m of all.matchAll(/BTF_ID_LIST(?:_GLOBAL)?\((\w+)(?:,\s*\w+)?\)\s*\n((?:\s*(?:BTF_ID\(\w+,\s*\w+\)|BTF_ID_UNUSED)\s*\n)+)/g)) {
  btfLists.set(m[1], [...m[2].matchAll(/BTF_ID\(\w+,\s*(\w+)\)|BTF_ID_UNUSED/g)].map((x) => x[1] ?? null));
}
const sockTypes = { INET: 'inet_sock', INET_CONN: 'inet_connection_sock', INET_REQ: 'inet_request_sock', INET_TW: 'inet_timewait_sock', REQ: 'request_sock', SOCK: 'sock', SOCK_COMMON: 'sock_common', TCP: 'tcp_sock', TCP_REQ: 'tcp_request_sock', TCP_TW: 'tcp_timewait_sock', TCP6: 'tcp6_sock', UDP: 'udp_sock', UDP6: 'udp6_sock', UNIX: 'unix_sock', MPTCP: 'mptcp_sock' };
const tracingTypes = { TASK: 'task_struct', FILE: 'file', VMA: 'vm_area_struct' };
function btfName(expr) {
  let m = /btf_sock_ids\[BTF_SOCK_TYPE_(\w+)\]/.exec(expr); if (m) return sockTypes[m[1]];
  m = /btf_tracing_ids\[BTF_TRACING_TYPE_(\w+)\]/.exec(expr); if (m) return tracingTypes[m[1]];
  m = /&?(\w+)\[(\d+)\]/.exec(expr); if (m && btfLists.has(m[1])) return btfLists.get(m[1])[Number(m[2])] ?? undefined;
  m = /^&?(\w+)$/.exec(expr.trim()); if (m && btfLists.has(m[1])) return btfLists.get(m[1])[0] ?? undefined;
  return undefined;
}

// 4. bpf_func_proto definitions
const protoDefs = new Map();
for (const m of all.matchAll(/struct bpf_func_proto\s+(\w+)\s*=\s*\{([\s\S]*?)\n\};/g)) {
  const fields = {};
  for (const f of m[2].matchAll(/\.(\w+)\s*=\s*([^,\n]+(?:\n\s*\|[^,\n]+)*)/g)) fields[f[1]] = f[2].replace(/\s+/g, ' ').trim();
  protoDefs.set(m[1], fields);
}
// Protos defined in files this partial tree lacks (net/core/sock_map.c, net/core/bpf_sk_storage.c,
// net/ipv4/bpf_tcp_ca.c, drivers/media/rc/bpf-lirc.c), written from those files.
const absent = {
  bpf_sock_map_update_proto: 'ARG_PTR_TO_CTX ARG_CONST_MAP_PTR ARG_PTR_TO_MAP_KEY ARG_ANYTHING',
  bpf_sk_redirect_map_proto: 'ARG_PTR_TO_CTX ARG_CONST_MAP_PTR ARG_ANYTHING ARG_ANYTHING',
  bpf_msg_redirect_map_proto: 'ARG_PTR_TO_CTX ARG_CONST_MAP_PTR ARG_ANYTHING ARG_ANYTHING',
  bpf_sock_hash_update_proto: 'ARG_PTR_TO_CTX ARG_CONST_MAP_PTR ARG_PTR_TO_MAP_KEY ARG_ANYTHING',
  bpf_sk_redirect_hash_proto: 'ARG_PTR_TO_CTX ARG_CONST_MAP_PTR ARG_PTR_TO_MAP_KEY ARG_ANYTHING',
  bpf_msg_redirect_hash_proto: 'ARG_PTR_TO_CTX ARG_CONST_MAP_PTR ARG_PTR_TO_MAP_KEY ARG_ANYTHING',
  bpf_sk_storage_get_proto: 'RET_PTR_TO_MAP_VALUE_OR_NULL ARG_CONST_MAP_PTR ARG_PTR_TO_BTF_ID_SOCK_COMMON ARG_PTR_TO_MAP_VALUE_OR_NULL ARG_ANYTHING',
  bpf_sk_storage_delete_proto: 'ARG_CONST_MAP_PTR ARG_PTR_TO_BTF_ID_SOCK_COMMON',
  bpf_tcp_send_ack_proto: 'ARG_PTR_TO_BTF_ID ARG_ANYTHING',
  bpf_rc_repeat_proto: 'gpl ARG_PTR_TO_CTX',
  bpf_rc_keydown_proto: 'gpl ARG_PTR_TO_CTX ARG_ANYTHING ARG_ANYTHING ARG_ANYTHING',
  bpf_rc_pointer_rel_proto: 'gpl ARG_PTR_TO_CTX ARG_ANYTHING ARG_ANYTHING',
};
for (const [name, spec] of Object.entries(absent)) {
  const f = { gpl_only: 'false', ret_type: 'RET_INTEGER' }; let n = 1;
  for (const w of spec.split(' ')) { if (w === 'gpl') f.gpl_only = 'true'; else if (w.startsWith('RET_')) f.ret_type = w; else f[`arg${n++}_type`] = w; }
  if (name === 'bpf_tcp_send_ack_proto') f.arg1_btf_id = 'btf_sock_ids[BTF_SOCK_TYPE_TCP]';
  if (!protoDefs.has(name) || !protoDefs.get(name).ret_type) protoDefs.set(name, f);
}
// protos returned by tiny getter functions: "const struct bpf_func_proto *bpf_get_trace_printk_proto(void) { ... return &x; }"
const getters = new Map();
for (const m of all.matchAll(/struct bpf_func_proto \*\s*(\w+)\(void\)\s*\{([\s\S]*?)\n\}/g)) {
  const r = /return &(\w+)/.exec(m[2]); const cap = /capable\((CAP_\w+)\)/.exec(m[2]);
  if (r) getters.set(m[1], { proto: r[1], cap: cap?.[1] });
}

// 5. func_proto switch functions
const funcs = new Map();
for (const m of all.matchAll(/\n(?:static )?(?:const )?struct bpf_func_proto \*\s*\n?(\w+)\((?:enum bpf_func_id|\s*enum bpf_func_id)\s+\w+(?:,[^)]*)?\)\s*\{/g)) {
  let depth = 1, i = m.index + m[0].length; const start = i;
  while (depth > 0 && i < all.length) { const c = all[i++]; if (c === '{') depth++; else if (c === '}') depth--; }
  funcs.set(m[1], all.slice(start, i - 1));
}
/** Kernel options that distribution kernels often leave off: worth saying when a helper needs one. */
const NOTABLE_CONFIGS = /^CONFIG_(BPF_KPROBE_OVERRIDE|XFRM|IPV6_SEG6_BPF|SYN_COOKIES|SECURITY_PATH|IMA|BPF_LIRC_MODE2|LWTUNNEL_BPF)$/;

function analyse(body) {
  const cases = new Map(); const nulls = new Set(); const calls = [];
  let gate = null;
  const toks = body.split(/\n/);
  let pending = [], caseText = '', caseGate = null, caseConfig = [];
  const flush = () => {
    if (!pending.length) return;
    const t = caseText.replace(/\s+/g, ' ');
    const ret = /return\s+&(\w+)/.exec(t) ?? /return\s+[^;]*?&(\w+_proto)/.exec(t);
    const getter = [...t.matchAll(/(\w+)\(\)/g)].find((g) => getters.has(g[1]));
    const call = [...t.matchAll(/return\s+(\w+_proto)\(/g)].find((c) => funcs.has(c[1]));
    let proto = ret?.[1] ?? (getter && getters.get(getter[1]).proto);
    // "cond ? &a_proto : &b_proto" picks a variant, it does not restrict availability: record the
    // default (second) one. Availability is conditional only where some path returns NULL.
    const pick = /\?\s*&(\w+)\s*:\s*&(\w+)/.exec(t);
    if (pick) proto = pick[2];
    const mayBeNull = /\bNULL\b/.test(t);
    let cond = [];
    if (caseGate) cond.push(caseGate);
    for (const c of caseConfig) cond.push(`needs ${c}`);
    if (getter && getters.get(getter[1]).cap) cond.push(getters.get(getter[1]).cap);
    if (/perfmon_capable\(\)|CAP_PERFMON/.test(t)) cond.push('CAP_PERFMON');
    else if (/bpf_capable\(\)|CAP_BPF/.test(t)) cond.push('CAP_BPF');
    if (/CAP_SYS_ADMIN/.test(t)) cond.push('CAP_SYS_ADMIN');
    if (mayBeNull && /expected_attach_type|attach_type/.test(t)) cond.push('depends on attach type');
    else if (mayBeNull && /\?/.test(t) && !/LOCKDOWN/.test(t)) cond.push('conditional');
    if (/LOCKDOWN/.test(t)) cond.push('refused under kernel lockdown');
    if (mayBeNull && /sleepable|might_sleep/.test(t)) cond.push('sleepable programs only');
    for (const p of pending) {
      if (proto || call) cases.set(p, { proto, via: call?.[1], cond: [...new Set(cond)] });
      else if (/return NULL/.test(t)) nulls.add(p);
    }
    pending = []; caseText = '';
  };
  const configs = [];
  for (const line of toks) {
    const ifdef = /^#\s*if(?:def\s+|\s+(?:IS_ENABLED\(|defined\()?)(CONFIG_\w+)/.exec(line);
    if (ifdef) configs.push(ifdef[1]);
    else if (/^#\s*if/.test(line)) configs.push('');
    else if (/^#\s*else/.test(line) && configs.length) configs[configs.length - 1] = configs[configs.length - 1] ? `!${configs[configs.length - 1]}` : '';
    else if (/^#\s*endif/.test(line)) configs.pop();
    const cm = [...line.matchAll(/case BPF_FUNC_(\w+):/g)];
    if (cm.length) {
      if (caseText.trim() && /return|break/.test(caseText)) flush();
      for (const c of cm) pending.push(c[1]);
      caseGate = gate;
      caseConfig = configs.filter((c) => NOTABLE_CONFIGS.test(c));
      caseText += line.replace(/case BPF_FUNC_\w+:/g, '');
      continue;
    }
    if (/^\t(?:default:|\})/.test(line)) { flush(); }
    if (pending.length) { caseText += '\n' + line; continue; }
    const g = /if \(!(?:bpf_token_capable\([^,]+,\s*(CAP_\w+)\)|(perfmon_capable|bpf_capable)\(\)|capable\((CAP_\w+)\))/.exec(line);
    if (g) gate = g[1] ?? g[3] ?? (g[2] === 'perfmon_capable' ? 'CAP_PERFMON' : 'CAP_BPF');
    for (const c of line.matchAll(/(\w+func_proto)\(func_id/g)) calls.push({ fn: c[1], gate });
  }
  flush();
  return { cases, nulls, calls };
}
const analysed = new Map([...funcs].map(([k, v]) => [k, analyse(v)]));
function resolve(fn, seen = new Set()) {
  const out = new Map();
  if (seen.has(fn) || !analysed.has(fn)) return out;
  seen.add(fn);
  const a = analysed.get(fn);
  for (const [h, c] of a.cases) {
    if (c.proto) out.set(h, { proto: c.proto, cond: c.cond });
    else if (c.via) { const sub = resolve(c.via, new Set(seen)).get(h); if (sub) out.set(h, { proto: sub.proto, cond: [...new Set([...c.cond, ...sub.cond])] }); }
  }
  for (const { fn: callee, gate } of a.calls) {
    for (const [h, c] of resolve(callee, new Set(seen))) {
      if (out.has(h) || a.nulls.has(h) || a.cases.has(h)) continue;
      out.set(h, { proto: c.proto, cond: [...new Set([...(gate ? [gate] : []), ...c.cond])] });
    }
  }
  return out;
}

// 6. program type -> get_func_proto
const typesH = readFileSync(join(src, 'include/linux/bpf_types.h'), 'utf8');
const progFn = new Map();
for (const m of typesH.matchAll(/BPF_PROG_TYPE\(BPF_PROG_TYPE_(\w+),\s*(\w+),/g)) {
  const ops = new RegExp(`struct bpf_verifier_ops ${m[2]}_verifier_ops = \\{[^}]*?\\.get_func_proto\\s*=\\s*(\\w+)`).exec(all);
  progFn.set(m[1], ops?.[1] ?? null);
}
// Program types whose func_proto lives in files outside this tree, or which take their helpers from elsewhere.
const extra = {
  LIRC_MODE2: { fn: null, own: ['rc_repeat', 'rc_keydown', 'rc_pointer_rel', 'map_lookup_elem', 'map_update_elem', 'map_delete_elem', 'map_push_elem', 'map_pop_elem', 'map_peek_elem', 'ktime_get_ns', 'ktime_get_boot_ns', 'tail_call', 'get_prandom_u32'], cond: { trace_printk: 'CAP_PERFMON' } },
  NETFILTER: { fn: 'bpf_base_func_proto', own: [] },
  STRUCT_OPS: { fn: 'bpf_base_func_proto', own: ['tcp_send_ack'], note: 'each struct_ops type may add helpers' },
  EXT: { fn: null, own: [], note: 'same helpers as the program it extends' },
  // Iterator targets add helpers through their own get_func_proto (bpf_iter_get_func_proto).
  TRACING: { fn: 'tracing_prog_func_proto', own: [], cond: { setsockopt: 'socket iterators only (iter/tcp, iter/udp, iter/unix)', getsockopt: 'socket iterators only (iter/tcp, iter/udp, iter/unix)' } },
};

const since = new Map([['skc_to_mptcp_sock', '5.19']]);
for (const [k, v] of new Map(readFileSync(sinceFile, 'utf8').trim().split('\n').map((l) => l.split('\t')))) since.set(k, v);

const ptrFlags = {
  ARG_PTR_TO_MAP_VALUE_OR_NULL: ['ARG_PTR_TO_MAP_VALUE', ['PTR_MAYBE_NULL']],
  ARG_PTR_TO_MEM_OR_NULL: ['ARG_PTR_TO_MEM', ['PTR_MAYBE_NULL']],
  ARG_PTR_TO_CTX_OR_NULL: ['ARG_PTR_TO_CTX', ['PTR_MAYBE_NULL']],
  ARG_PTR_TO_SOCKET_OR_NULL: ['ARG_PTR_TO_SOCKET', ['PTR_MAYBE_NULL']],
  ARG_PTR_TO_STACK_OR_NULL: ['ARG_PTR_TO_STACK', ['PTR_MAYBE_NULL']],
  ARG_PTR_TO_BTF_ID_OR_NULL: ['ARG_PTR_TO_BTF_ID', ['PTR_MAYBE_NULL']],
  ARG_PTR_TO_UNINIT_MEM: ['ARG_PTR_TO_MEM', ['MEM_UNINIT', 'MEM_WRITE']],
  ARG_PTR_TO_FIXED_SIZE_MEM: ['ARG_PTR_TO_MEM', ['MEM_FIXED_SIZE']],
  RET_PTR_TO_MAP_VALUE_OR_NULL: ['RET_PTR_TO_MAP_VALUE', ['PTR_MAYBE_NULL']],
  RET_PTR_TO_SOCKET_OR_NULL: ['RET_PTR_TO_SOCKET', ['PTR_MAYBE_NULL']],
  RET_PTR_TO_TCP_SOCK_OR_NULL: ['RET_PTR_TO_TCP_SOCK', ['PTR_MAYBE_NULL']],
  RET_PTR_TO_SOCK_COMMON_OR_NULL: ['RET_PTR_TO_SOCK_COMMON', ['PTR_MAYBE_NULL']],
  RET_PTR_TO_RINGBUF_MEM_OR_NULL: ['RET_PTR_TO_MEM', ['PTR_MAYBE_NULL', 'MEM_RINGBUF']],
  RET_PTR_TO_DYNPTR_MEM_OR_NULL: ['RET_PTR_TO_MEM', ['PTR_MAYBE_NULL']],
  RET_PTR_TO_BTF_ID_OR_NULL: ['RET_PTR_TO_BTF_ID', ['PTR_MAYBE_NULL']],
  RET_PTR_TO_BTF_ID_TRUSTED: ['RET_PTR_TO_BTF_ID', ['PTR_TRUSTED']],
};
function kindOf(expr) {
  const parts = expr.split('|').map((s) => s.trim());
  const flags = []; let kind = '', base = '';
  for (const p of parts) {
    if (/^(ARG|RET)_/.test(p)) { kind = p; const c = ptrFlags[p]; base = c ? c[0] : p; if (c) flags.push(...c[1]); }
    else flags.push(p);
  }
  if (parts.length > 1) kind = parts.join(' | ');
  return { kind, base, flags: [...new Set(flags)] };
}
const sizeofs = { 'sizeof(u64)': 8, 'sizeof(u32)': 4, 'sizeof(u16)': 2, 'sizeof(u8)': 1, 'sizeof(__u64)': 8, 'sizeof(__u32)': 4, 'sizeof(s64)': 8, 'sizeof(int)': 4, 'sizeof(long)': 8, 'sizeof(struct bpf_dynptr)': 16, 'sizeof(struct bpf_timer)': 16 };
function splitParams(s) {
  if (!s || s.trim() === 'void') return [];
  const out = []; let d = 0, cur = '';
  for (const c of s) { if (c === '(') d++; if (c === ')') d--; if (c === ',' && d === 0) { out.push(cur.trim()); cur = ''; } else cur += c; }
  if (cur.trim()) out.push(cur.trim());
  return out.map((p) => { const m = /^(.*?)(\w+)(\[\])?$/.exec(p.replace(/\s*\*\s*/g, ' *').trim()); return m ? { name: m[2], cType: (m[1] + (m[3] ? '*' : '')).replace(/\s+\*/g, ' *').trim() } : { name: '', cType: p }; });
}

const entries = [];
const availability = new Map(); // helper -> [[progType, cond]]
for (const [pt, fn] of progFn) {
  const ex = extra[pt];
  const res = fn ? resolve(fn) : ex?.fn ? resolve(ex.fn) : new Map();
  if (ex?.cond) for (const h of Object.keys(ex.cond)) if (res.has(h)) delete ex.cond[h];
  if (ex) for (const h of ex.own) if (!res.has(h)) res.set(h, { proto: `bpf_${h}_proto`, cond: [] });
  if (ex?.cond) for (const [h, c] of Object.entries(ex.cond)) res.set(h, { proto: protoDefs.has(`bpf_${h}_proto`) ? `bpf_${h}_proto` : `bpf_sk_${h}_proto`, cond: [c] });
  for (const [h, c] of res) {
    if (!availability.has(h)) availability.set(h, []);
    availability.get(h).push([pt, c.cond, c.proto]);
  }
}
const chosenProto = new Map();
for (const a of analysed.values()) for (const [h, c] of a.cases) if (c.proto && !chosenProto.has(h)) chosenProto.set(h, c.proto);
function signature(def, params) {
  const args = [];
  for (let i = 1; i <= 5; i++) {
    const t = def[`arg${i}_type`];
    if (!t) break;
    const k = kindOf(t);
    const a = { name: params[i - 1]?.name ?? `arg${i}`, cType: params[i - 1]?.cType ?? 'u64', kind: k.kind, base: k.base, flags: k.flags };
    if (def[`arg${i}_size`]) a.size = sizeofs[def[`arg${i}_size`]] ?? def[`arg${i}_size`];
    if (def[`arg${i}_btf_id`]) { const b = btfName(def[`arg${i}_btf_id`]); if (b) a.btfType = b; }
    args.push(a);
  }
  const rk = kindOf(def.ret_type ?? 'RET_INTEGER');
  const ret = { cType: '', kind: rk.kind, base: rk.base, flags: rk.flags };
  if (def.ret_btf_id) { const b = btfName(def.ret_btf_id); if (b) ret.btfType = b; }
  return { gplOnly: def.gpl_only === 'true', ret, args };
}
const sigKey = (v) => JSON.stringify({ g: v.gplOnly, r: v.ret.kind, rb: v.ret.btfType, a: v.args.map((x) => [x.kind, x.size, x.btfType]) });
for (const [name, id] of [...ids].sort((a, b) => a[1] - b[1])) {
  let pname = protoDefs.has(`bpf_${name}_proto`) ? `bpf_${name}_proto` : chosenProto.get(name);
  const def = protoDefs.get(pname) ?? {};
  const doc = protos.get(name);
  const params = splitParams(doc?.params);
  const sig = signature(def, params);
  sig.ret.cType = doc?.ret ?? 'long';
  const e = { id, name: `bpf_${name}`, proto: doc?.text ?? '', gplOnly: sig.gplOnly, ret: sig.ret, args: sig.args };
  if (!def.ret_type) e.unresolved = true;
  if (def.might_sleep === 'true') e.mightSleep = true;
  const s = since.get(name); if (s) e.since = s;
  const av = availability.get(name) ?? [];
  e.progTypes = av.map(([pt, cond]) => (cond.length ? [pt, cond.join('; ')] : pt));
  // Program types whose func_proto returns a different bpf_func_proto (other kinds, GPL flag or sleepability).
  const canonical = sigKey(sig) + String(!!e.mightSleep);
  const variants = new Map();
  for (const [pt, , proto] of av) {
    const vdef = protoDefs.get(proto);
    if (!vdef || proto === pname) continue;
    const v = signature(vdef, params);
    v.ret.cType = sig.ret.cType;
    if (vdef.might_sleep === 'true') v.mightSleep = true;
    const key = sigKey(v) + String(!!v.mightSleep);
    if (key === canonical) continue;
    if (!variants.has(key)) variants.set(key, { kernelProto: proto, ...v, progTypes: [] });
    variants.get(key).progTypes.push(pt);
  }
  if (variants.size) e.variants = [...variants.values()];
  entries.push(e);
}
const out = [
  '// Generated by server/src/knowledge/gen/gen-helpers.mjs from the kernel sources (helper ids, verifier',
  '// argument/return kinds, gpl_only, which program types\' func_proto switches return each helper) and a',
  '// table of the kernel release each helper first appeared in. Facts only; regenerate rather than edit.',
  "import type { RawHelper } from './helpers';",
  '',
  'export const HELPER_DATA: readonly RawHelper[] = [',
  ...entries.map((e) => '  ' + JSON.stringify(e).replace(/"(\w+)":/g, '$1:') + ','),
  '];',
  '',
];
process.stdout.write(out.join('\n'));
