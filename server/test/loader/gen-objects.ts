// Generates random BPF C programs that exercise the loader: maps of many kinds, global data in
// standard and custom sections, call graphs of static/global subprograms, callbacks (bpf_loop),
// CO-RE reads on local flavours of kernel types (present and missing fields), kfunc calls and
// .kconfig externs. Deterministic per seed; every program compiles with clang -target bpf.

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
}

const MAP_KINDS = [
  ['BPF_MAP_TYPE_HASH', 'key, __u32', 'value, __u64'],
  ['BPF_MAP_TYPE_ARRAY', 'key, __u32', 'value, __u64'],
  ['BPF_MAP_TYPE_PERCPU_ARRAY', 'key, __u32', 'value, __u64'],
  ['BPF_MAP_TYPE_LRU_HASH', 'key, __u32', 'value, __u64'],
  ['BPF_MAP_TYPE_PERCPU_HASH', 'key, __u32', 'value, __u64'],
];

const SECTIONS: [string, string, boolean][] = [
  // section, ctx type, allows tracing-only features (CO-RE via task, kfuncs)
  ['xdp', 'struct xdp_md *', false],
  ['tc', 'struct __sk_buff *', false],
  ['?tc', 'struct __sk_buff *', false],
  ['socket', 'struct __sk_buff *', false],
  ['kprobe/do_unlinkat', 'void *', false],
  ['tp/syscalls/sys_enter_openat', 'void *', false],
  ['raw_tp/sys_enter', 'void *', false],
  ['cgroup_skb/egress', 'struct __sk_buff *', false],
  ['tp_btf/sched_switch', '__u64 *', true],
  ['tp_btf/task_newtask', '__u64 *', true],
];

export function generateProgram(seed: number): string {
  const r = rng(seed * 2654435761);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const n = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const out: string[] = [];
  out.push('#include <linux/bpf.h>', '#include <linux/types.h>', '#include <bpf/bpf_helpers.h>', '#include <bpf/bpf_core_read.h>', '');
  out.push('struct task_struct___g { int pid; int tgid; char comm[16]; struct task_struct___g *real_parent; } __attribute__((preserve_access_index));');
  out.push('struct task_struct___gone { long definitely_not_a_field; } __attribute__((preserve_access_index));');
  out.push('struct task_struct { int pid; };');
  out.push('extern struct task_struct *bpf_task_from_pid(int pid) __ksym;', 'extern void bpf_task_release(struct task_struct *p) __ksym;');
  out.push('extern void bpf_rcu_read_lock(void) __ksym;', 'extern void bpf_rcu_read_unlock(void) __ksym;');
  const useKconfig = r() < 0.3;
  if (useKconfig) out.push('extern int LINUX_KERNEL_VERSION __kconfig;', 'extern _Bool CONFIG_BPF_JIT __kconfig __weak;');
  const maps: string[] = [];
  for (let i = 0, c = n(0, 4); i < c; i++) {
    const [t, k, v] = pick(MAP_KINDS);
    out.push(`struct { __uint(type, ${t}); __uint(max_entries, ${n(1, 256)}); __type(${k}); __type(${v}); } m${i} SEC(".maps");`);
    maps.push(`m${i}`);
  }
  if (r() < 0.3) { out.push('struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");'); }
  const globals: string[] = [];
  for (let i = 0, c = n(0, 5); i < c; i++) {
    const kind = pick(['data', 'rodata', 'bss', 'custom_data', 'custom_rodata']);
    const name = `g${i}`;
    switch (kind) {
      case 'data': out.push(`__u64 ${name} = ${n(1, 1000)};`); break;
      case 'rodata': out.push(`const volatile __u64 ${name} = ${n(1, 1000)};`); break;
      case 'bss': out.push(`__u64 ${name};`); break;
      case 'custom_data': out.push(`__u64 ${name} SEC(".data.s${i % 2}") = ${n(1, 9)};`); break;
      default: out.push(`const volatile __u64 ${name} SEC(".rodata.s${i % 2}") = ${n(1, 9)};`); break;
    }
    globals.push(name);
  }
  const body = (depth: number, tracing: boolean, callees: string[]): string[] => {
    const lines: string[] = ['\t__u64 acc = x;'];
    for (let i = 0, c = n(1, 4); i < c; i++) {
      const what = r();
      if (what < 0.25 && maps.length) {
        const m = pick(maps);
        lines.push(`\t{ __u32 k = ${n(0, 3)}; __u64 *v = bpf_map_lookup_elem(&${m}, &k); if (v) { *v += acc; acc ^= *v; } }`);
      } else if (what < 0.45 && globals.length) {
        const g = pick(globals);
        lines.push(`\tacc += ${g};`);
      } else if (what < 0.55 && callees.length) {
        lines.push(`\tacc += ${pick(callees)}((int)acc + ${n(0, 9)});`);
      } else if (what < 0.72 && tracing) {
        lines.push('\t{ struct task_struct___g *t = (void *)bpf_get_current_task_btf(); acc += BPF_CORE_READ(t, real_parent, pid) + bpf_core_field_exists(t->tgid); }');
      } else if (what < 0.77 && tracing) {
        lines.push('\tif (bpf_core_type_exists(struct task_struct___gone)) acc += bpf_core_type_size(struct task_struct___gone);');
      } else if (what < 0.8) {
        lines.push(`\tacc += bpf_ktime_get_ns() & ${n(1, 255)};`);
      } else {
        lines.push(`\tacc = acc * ${n(2, 9)} + ${n(0, 99)};`);
      }
    }
    void depth;
    lines.push('\treturn acc;');
    return lines;
  };
  // subprograms: sub{i} may call sub{j} for j > i (a DAG), so libbpf's append order is exercised
  const nsub = n(0, 6);
  const subs: { name: string; isStatic: boolean }[] = [];
  for (let i = 0; i < nsub; i++) subs.push({ name: `sub${i}`, isStatic: r() < 0.6 });
  for (let i = nsub - 1; i >= 0; i--) {
    const s = subs[i];
    const callees = subs.slice(i + 1).filter(() => r() < 0.5).map((x) => x.name);
    out.push(`${s.isStatic ? 'static ' : ''}__noinline __u64 ${s.name}(int x)`, '{', ...body(1, false, callees), '}');
  }
  const useLoop = r() < 0.3;
  if (useLoop) out.push('static int loop_cb(__u32 idx, void *data) { *(__u64 *)data += idx; return 0; }');
  for (let i = 0, c = n(1, 4); i < c; i++) {
    const [sec, ctx, tracing] = pick(SECTIONS);
    const callees = subs.filter(() => r() < 0.5).map((x) => x.name);
    out.push(`SEC("${sec}") int prog${i}(${ctx}ctx)`, '{', '\tint x = 1;');
    const b = body(0, tracing, callees);
    out.push(...b.slice(0, -1));
    if (tracing && r() < 0.5) out.push('\t{ struct task_struct *t = bpf_task_from_pid(1); if (t) bpf_task_release(t); }');
    if (tracing && r() < 0.3) out.push('\tbpf_rcu_read_lock(); bpf_rcu_read_unlock();');
    if (useLoop) out.push('\tbpf_loop(4, loop_cb, &acc, 0);');
    if (useKconfig) out.push('\tacc += LINUX_KERNEL_VERSION + CONFIG_BPF_JIT;');
    out.push('\treturn acc & 1;', '}');
  }
  out.push('char LICENSE[] SEC("license") = "GPL";', '');
  return out.join('\n');
}
