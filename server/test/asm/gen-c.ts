// Generates varied BPF C programs for the disassembler differential test: integer arithmetic in
// every width and signedness, branches, bounded loops, maps, globals, subprogram calls, atomics
// and byte swaps. Deterministic for a seed.

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

const TYPES = ['__u8', '__u16', '__u32', '__u64', '__s8', '__s16', '__s32', '__s64'];
const OPS = ['+', '-', '*', '&', '|', '^', '<<', '>>', '/', '%'];
const CMPS = ['<', '<=', '>', '>=', '==', '!='];

export function generateProgram(seed: number, opts: { atomics: boolean }): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const out: string[] = [
    '#include <linux/bpf.h>',
    '#include <bpf/bpf_helpers.h>',
    '',
    'struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");',
    'struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __s64); } hm SEC(".maps");',
    `volatile __u64 g_cnt = ${int(0, 9)};`,
    'volatile __s32 g_arr[4];',
    'const volatile __u32 cfg = 3;',
    '',
  ];
  const nSub = int(1, 3);
  for (let f = 0; f < nSub; f++) {
    const t = pick(TYPES);
    out.push(`static __attribute__((noinline)) ${t} sub${f}(${t} a, __u64 b) {`);
    out.push(`  ${t} x = a;`);
    for (let k = int(2, 6); k > 0; k--) {
      const op = pick(OPS);
      const rhs = op === '<<' || op === '>>' ? String(int(1, 7)) : op === '/' || op === '%' ? `(b | ${int(1, 9)})` : r() < 0.5 ? 'b' : String(int(-300, 70000));
      out.push(`  x = x ${op} ${rhs};`);
      if (r() < 0.4) out.push(`  if (x ${pick(CMPS)} ${int(-5, 500)}) x ^= (${t})b;`);
    }
    out.push('  return x;', '}', '');
  }
  const progTypes = [['xdp', 'struct xdp_md *ctx', 'ctx->data_end - ctx->data'], ['tc', 'struct __sk_buff *ctx', 'ctx->len'], ['socket', 'struct __sk_buff *ctx', 'ctx->protocol']];
  const [sec, param, seedExpr] = pick(progTypes);
  out.push(`SEC("${sec}") int prog_${seed}(${param}) {`);
  out.push(`  __u64 s = ${seedExpr};`);
  out.push('  __u32 key = s & 7;');
  out.push('  __u64 *v = bpf_map_lookup_elem(&arr, &key);');
  out.push('  if (!v) return 0;');
  const vars: string[] = [];
  for (let k = int(2, 5); k > 0; k--) {
    const t = pick(TYPES);
    const name = `v${vars.length}`;
    vars.push(name);
    out.push(`  ${t} ${name} = (${t})(s ${pick(OPS.slice(0, 7))} ${int(1, 1000)});`);
  }
  for (let k = int(3, 9); k > 0; k--) {
    const a = pick(vars);
    const b = pick(vars);
    switch (int(0, 9)) {
      case 0: out.push(`  for (int i = 0; i < ${int(2, 12)}; i++) { ${a} += ${b} ^ i; if (${a} ${pick(CMPS)} ${int(0, 99)}) break; }`); break;
      case 1: out.push(`  if (${a} ${pick(CMPS)} ${b}) { ${a} = sub${int(0, nSub - 1)}(${a}, ${b}); } else { ${b} -= ${int(1, 50)}; }`); break;
      case 2: out.push(`  ${a} = ${pick(['__builtin_bswap16', '__builtin_bswap32', '__builtin_bswap64'])}(${b});`); break;
      case 3:
        if (opts.atomics) out.push(`  ${pick(['__sync_fetch_and_add', '__sync_fetch_and_or', '__sync_fetch_and_and', '__sync_fetch_and_xor'])}(v, ${b});`);
        else out.push(`  __sync_fetch_and_add(v, ${b});`);
        break;
      case 4: out.push(`  g_arr[${a} & 3] = (__s32)${b};`); break;
      case 5: out.push(`  { __s64 *h = bpf_map_lookup_elem(&hm, &key); if (h) *h ${pick(['+=', '-=', '='])} (__s64)${a}; else { __s64 z = ${b}; bpf_map_update_elem(&hm, &key, &z, BPF_ANY); } }`); break;
      case 6: out.push(`  ${a} = (${pick(TYPES)})(${a} ${pick(OPS)} (${b} | 1));`); break;
      case 7: out.push(`  switch (${a} & 3) { case 0: ${b} += cfg; break; case 1: ${b} *= ${int(2, 9)}; break; default: ${b} = g_cnt; }`); break;
      case 8: if (opts.atomics) out.push(`  ${a} = __sync_val_compare_and_swap(&g_cnt, ${int(0, 9)}, ${b});`); else out.push(`  g_cnt += ${a};`); break;
      default: out.push(`  *v += (__u64)${a} * ${b};`);
    }
  }
  out.push(`  return (int)(${vars.join(' + ')}) & 1;`, '}', '', 'char _license[] SEC("license") = "GPL";', '');
  return out.join('\n');
}
