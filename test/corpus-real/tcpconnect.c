// tcpconnect-style kprobe/kretprobe pair with CO-RE socket reads, and the bcc-style mistakes.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, struct sock *);
} sockets SEC(".maps");

struct ipv4_flow_key {
	u32 saddr;
	u32 daddr;
	u16 dport;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ipv4_flow_key);
	__type(value, u64);
} ipv4_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} rb SEC(".maps");

struct conn_event {
	u32 pid;
	u32 saddr;
	u32 daddr;
	u16 dport;
	u16 family;
	u8 saddr6[16];
	u8 daddr6[16];
};

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tcp_v4_connect_entry, struct sock *sk)
{
	u32 tid = bpf_get_current_pid_tgid();

	bpf_map_update_elem(&sockets, &tid, &sk, 0);
	return 0;
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(tcp_v4_connect_exit, int ret)
{
	u32 tid = bpf_get_current_pid_tgid();
	struct ipv4_flow_key key = {};
	struct sock **skpp, *sk;
	u64 one = 1, *val;

	skpp = bpf_map_lookup_elem(&sockets, &tid);
	if (!skpp)
		return 0;
	if (ret)
		goto end;
	sk = *skpp;
	key.saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
	key.daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	key.dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	val = bpf_map_lookup_elem(&ipv4_count, &key);
	if (val)
		__sync_fetch_and_add(val, 1);
	else
		bpf_map_update_elem(&ipv4_count, &key, &one, BPF_NOEXIST);
end:
	bpf_map_delete_elem(&sockets, &tid);
	return 0;
}

SEC("kprobe/tcp_v6_connect")
int BPF_KPROBE(tcp_v6_connect_entry, struct sock *sk)
{
	struct conn_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	BPF_CORE_READ_INTO(&e->saddr6, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
	BPF_CORE_READ_INTO(&e->daddr6, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr32);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Mistake: dereferencing the kernel socket pointer directly in a kprobe (not BTF-typed). */
SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tcp_v4_connect_direct, struct sock *sk)
{
	u32 daddr = sk->__sk_common.skc_daddr;

	bpf_printk("daddr %x", daddr);
	return 0;
}

/* kprobe reading args through PT_REGS by hand and bpf_probe_read_kernel. */
SEC("kprobe/tcp_sendmsg")
int tcp_sendmsg_entry(struct pt_regs *ctx)
{
	struct sock *sk = (struct sock *)PT_REGS_PARM1(ctx);
	size_t size = (size_t)PT_REGS_PARM3(ctx);
	u16 family = 0;
	u64 *val;
	struct ipv4_flow_key key = {};

	bpf_probe_read_kernel(&family, sizeof(family), &sk->__sk_common.skc_family);
	if (family != AF_INET)
		return 0;
	bpf_probe_read_kernel(&key.daddr, sizeof(key.daddr), &sk->__sk_common.skc_daddr);
	val = bpf_map_lookup_elem(&ipv4_count, &key);
	if (val)
		__sync_fetch_and_add(val, size);
	return 0;
}

/* Mistake: writing to the pt_regs context. */
SEC("kprobe/tcp_sendmsg")
int tcp_sendmsg_write_ctx(struct pt_regs *ctx)
{
	ctx->di = 0;
	return 0;
}

/* Mistake: reading past the end of pt_regs. */
SEC("kprobe/tcp_sendmsg")
int tcp_sendmsg_ctx_oob(struct pt_regs *ctx)
{
	u64 *p = (u64 *)ctx;

	return p[sizeof(struct pt_regs) / 8] != 0;
}

SEC("kprobe/tcp_close")
int BPF_KPROBE(tcp_close_entry, struct sock *sk, long timeout)
{
	struct sock *const *skp;
	u32 tid = bpf_get_current_pid_tgid();
	u8 state = BPF_CORE_READ(sk, __sk_common.skc_state);

	if (state == 1 /* TCP_ESTABLISHED */) {
		skp = bpf_map_lookup_elem(&sockets, &tid);
		if (skp && *skp == sk)
			bpf_map_delete_elem(&sockets, &tid);
	}
	return 0;
}
