// What libbpf does to an object before the kernel sees it, as tracing tools rely on:
// hidden (__hidden) global subprograms verified as static ones (usdt.bpf.h's argument fetcher),
// LINUX_KERNEL_VERSION set from the running kernel (tools picking a tracepoint's argument layout
// by kernel version), and the helper prototypes a program type gets (bpf_get_socket_cookie on a
// BTF socket pointer in tp_btf programs).
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

extern int LINUX_KERNEL_VERSION __kconfig;

#ifndef __hidden
#define __hidden __attribute__((visibility("hidden")))
#endif

struct arg_spec {
	u64 val_off;
	u32 reg_off;
	bool deref;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, struct arg_spec);
} arg_specs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} seen SEC(".maps");

/* like bpf_usdt_arg(): the result pointer is written before any check, fine for a static subprogram */
__weak __hidden int fetch_arg(struct pt_regs *ctx, u32 n, long *res)
{
	struct arg_spec *spec;
	u64 val = 0;

	*res = 0;
	spec = bpf_map_lookup_elem(&arg_specs, &n);
	if (!spec)
		return -2;
	if (spec->reg_off > sizeof(struct pt_regs) - 8)
		return -22;
	bpf_probe_read_kernel(&val, sizeof(val), (void *)ctx + spec->reg_off);
	if (spec->deref)
		bpf_probe_read_user(&val, sizeof(val), (void *)val + spec->val_off);
	*res = val;
	return 0;
}

SEC("uprobe")
int hidden_arg_fetch(struct pt_regs *ctx)
{
	long a = 0, b = 0;

	fetch_arg(ctx, 0, &a);
	fetch_arg(ctx, 1, &b);
	bpf_printk("args %ld %ld", a, b);
	return 0;
}

/* the same fetcher left global: verified alone, its pointer argument may be NULL */
__weak int fetch_arg_global(struct pt_regs *ctx, u32 n, long *res)
{
	*res = n;
	return 0;
}

SEC("uprobe")
int global_arg_fetch(struct pt_regs *ctx)
{
	long a = 0;

	fetch_arg_global(ctx, 0, &a);
	return a == 1;
}

/* block_rq_issue lost its request_queue argument in 5.11; the old layout's ctx[1] is past the end */
SEC("tp_btf/block_rq_issue")
int BPF_PROG(kver_rq_issue)
{
	struct request *rq;

	if (LINUX_KERNEL_VERSION >= KERNEL_VERSION(5, 11, 0))
		rq = (void *)ctx[0];
	else
		rq = (void *)ctx[1];
	return rq->__data_len > 4096;
}

/* a version check the running kernel fails: the dead branch is never verified */
SEC("kprobe/vfs_read")
int kver_future(struct pt_regs *ctx)
{
	if (LINUX_KERNEL_VERSION >= KERNEL_VERSION(99, 0, 0)) {
		u64 *p = (void *)PT_REGS_PARM1(ctx);
		return *p;
	}
	return 0;
}

SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(cookie_btf_sock, struct sock *sk)
{
	u64 cookie = bpf_get_socket_cookie(sk);

	bpf_map_delete_elem(&seen, &cookie);
	return 0;
}

SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(cookie_ctx_in_tracing, struct sock *sk)
{
	u64 cookie = bpf_get_socket_cookie(ctx);

	bpf_map_delete_elem(&seen, &cookie);
	return 0;
}

SEC("raw_tp/tcp_destroy_sock")
int BPF_PROG(cookie_raw_tp, struct sock *sk)
{
	u64 cookie = bpf_get_socket_cookie(sk);

	return cookie != 0;
}
