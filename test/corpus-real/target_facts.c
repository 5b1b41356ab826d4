/* Programs whose verdict depends on the target kernel's configuration and machine: the number of
 * possible CPUs, CONFIG_BPF_KPROBE_OVERRIDE, CONFIG_KALLSYMS_ALL and .kconfig values. */
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, u32);
  __type(value, u64);
} tf_counts SEC(".maps");

u64 tf_slots[4];

/* cpu id indexes a 4-slot global array: in bounds only when the target has at most 4 CPUs */
SEC("kprobe/do_nanosleep")
int tf_cpu_index_global(struct pt_regs *ctx)
{
  u32 cpu = bpf_get_smp_processor_id();
  tf_slots[cpu] += 1;
  return 0;
}

/* a 2-slot map value indexed by the cpu id: in bounds only on a target with at most 2 CPUs */
struct pair { u64 v[2]; };
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, struct pair);
} tf_pairs SEC(".maps");

SEC("kprobe/do_nanosleep")
int tf_cpu_index_pair(struct pt_regs *ctx)
{
  u32 zero = 0;
  struct pair *p = bpf_map_lookup_elem(&tf_pairs, &zero);
  if (!p)
    return 0;
  u32 cpu = bpf_get_smp_processor_id();
  p->v[cpu] += 1;
  return 0;
}

/* a 1-slot value: out of bounds on any target with more than one CPU */
SEC("kprobe/do_nanosleep")
int tf_cpu_index_one(struct pt_regs *ctx)
{
  u32 zero = 0;
  u64 *c = bpf_map_lookup_elem(&tf_counts, &zero);
  if (!c)
    return 0;
  u32 cpu = bpf_get_smp_processor_id();
  c[cpu] += 1;
  return 0;
}

/* the same, bounded by a check: accepted everywhere */
SEC("kprobe/do_nanosleep")
int tf_cpu_index_checked(struct pt_regs *ctx)
{
  u32 cpu = bpf_get_smp_processor_id();
  if (cpu < 4)
    tf_slots[cpu] += 1;
  return 0;
}

/* error injection: needs CONFIG_BPF_KPROBE_OVERRIDE */
SEC("kprobe/do_nanosleep")
int tf_override(struct pt_regs *ctx)
{
  bpf_override_return(ctx, -1);
  return 0;
}

/* a typed variable ksym: its address needs CONFIG_KALLSYMS_ALL */
extern const struct rq runqueues __ksym;

SEC("kprobe/do_nanosleep")
int tf_var_ksym(struct pt_regs *ctx)
{
  struct rq *rq = bpf_this_cpu_ptr(&runqueues);
  return rq->cpu;
}

/* a function ksym keeps working without CONFIG_KALLSYMS_ALL */
extern const void bpf_prog_put __ksym;

SEC("kprobe/do_nanosleep")
int tf_func_ksym(struct pt_regs *ctx)
{
  u64 addr = (u64)&bpf_prog_put;
  return addr != 0;
}

/* .kconfig: CONFIG_HZ decides the array index; a weak unknown option decides a branch */
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_KALLSYMS_ALL __kconfig __weak;
extern bool CONFIG_BPF_JIT __kconfig __weak;

SEC("kprobe/do_nanosleep")
int tf_kconfig_hz(struct pt_regs *ctx)
{
  u32 i = (u32)CONFIG_HZ / 100; /* 250 Hz -> 2, 1000 Hz -> 10 */
  if (CONFIG_HZ == 250)
    tf_slots[i] += 1;
  else
    tf_slots[i + 8] += 1; /* out of bounds: reached only for another CONFIG_HZ */
  return 0;
}

SEC("kprobe/do_nanosleep")
int tf_kconfig_bool(struct pt_regs *ctx)
{
  u32 j = CONFIG_KALLSYMS_ALL ? 9 : 0;
  tf_slots[j] += 1; /* out of bounds where variables are in kallsyms */
  u32 k = CONFIG_BPF_JIT ? 1 : 9;
  tf_slots[k] = 1; /* out of bounds unless the JIT is configured */
  return 0;
}
