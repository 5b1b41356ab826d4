#include "common.h"
int g;
static __noinline int leaf(int x) { return x + g; }
static __noinline int mid_a(int x) { return leaf(x) * 2; }
static __noinline int mid_b(int x) { return leaf(x + 1) - 1; }
__noinline int global_fn(int x) { return mid_b(x) + mid_a(x); }
static __noinline int unused_sub(int x) { return x; }
static int cb(__u32 idx, void *data) { *(int *)data += idx; return 0; }

SEC("tp/syscalls/sys_enter_write") int main_a(void *ctx) { return mid_a(1) + global_fn(2); }
SEC("tp/syscalls/sys_enter_read") int main_b(void *ctx) { return mid_b(3); }
SEC("tp/syscalls/sys_enter_read") int main_b2(void *ctx) { return leaf(4) + unused_sub(0) * 0; }
SEC("raw_tp/sys_enter") int with_loop(void *ctx) { int sum = 0; bpf_loop(10, cb, &sum, 0); return sum; }
char LICENSE[] SEC("license") = "GPL";
