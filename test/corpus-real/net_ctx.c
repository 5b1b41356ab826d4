// Context fields of networking program types as XDP/TC/cgroup projects use them: the devmap
// egress_ifindex, cgroup/sock fields per attach type, sock_addr wide and msg_src accesses, sockops
// header parsing through skb_data, sk_lookup and sk_reuseport fields, and field loads through
// socket pointers. Narrow loads and writes the kernel refuses are here too.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u32);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
} counters SEC(".maps");

static __always_inline void count(u32 key, u64 v)
{
	u64 *c = bpf_map_lookup_elem(&counters, &key);

	if (c)
		__sync_fetch_and_add(c, v);
}

/* a second program of a devmap entry: it may read the egress device */
SEC("xdp/devmap")
int devmap_egress_filter(struct xdp_md *ctx)
{
	if (ctx->egress_ifindex == ctx->ingress_ifindex)
		return XDP_DROP;
	return XDP_PASS;
}

/* the same field in a plain XDP program: refused */
SEC("xdp")
int xdp_reads_egress(struct xdp_md *ctx)
{
	return ctx->egress_ifindex ? XDP_PASS : XDP_DROP;
}

/* cpumap programs have no egress device either */
SEC("xdp/cpumap")
int cpumap_reads_egress(struct xdp_md *ctx)
{
	return ctx->egress_ifindex ? XDP_PASS : XDP_DROP;
}

SEC("cgroup/sock_create")
int sock_create_mark(struct bpf_sock *sk)
{
	if (sk->family == AF_INET6 && sk->type == 2 /* SOCK_DGRAM */)
		sk->mark = 0x77;
	sk->priority = 3;
	return 1;
}

/* src_ip4 exists only once the socket is bound */
SEC("cgroup/sock_create")
int sock_create_reads_src(struct bpf_sock *sk)
{
	return sk->src_ip4 != 0;
}

SEC("cgroup/post_bind4")
int post_bind4_port(struct bpf_sock *sk)
{
	if (sk->src_port < 1024 && sk->src_ip4 != bpf_htonl(0x7f000001))
		return 0;
	return 1;
}

/* the mark is writable at creation only */
SEC("cgroup/post_bind4")
int post_bind4_sets_mark(struct bpf_sock *sk)
{
	sk->mark = 1;
	return 1;
}

/* a 1-byte load of the second byte of protocol: bpf_sock allows narrow loads at the field start only */
SEC("cgroup/sock_create")
int sock_create_narrow_mid(struct bpf_sock *sk)
{
	return *((volatile u8 *)&sk->protocol + 1) == 0;
}

SEC("cgroup/connect6")
int connect6_wide(struct bpf_sock_addr *ctx)
{
	/* 8-byte loads and stores of user_ip6 halves: the kernel's "wide" access */
	u64 hi = *(volatile u64 *)&ctx->user_ip6[0];
	u64 lo = *(volatile u64 *)&ctx->user_ip6[2];

	if (hi == 0 && lo == bpf_cpu_to_be64(1)) {
		*(volatile u64 *)&ctx->user_ip6[2] = bpf_cpu_to_be64(2);
		ctx->user_port = bpf_htons(8080);
	}
	return 1;
}

SEC("cgroup/sendmsg4")
int sendmsg4_source(struct bpf_sock_addr *ctx)
{
	if (ctx->type == 2 && ctx->msg_src_ip4 == 0)
		ctx->msg_src_ip4 = bpf_htonl(0x0a000001);
	return 1;
}

/* msg_src_ip4 belongs to sendmsg4 only */
SEC("cgroup/connect4")
int connect4_msg_src(struct bpf_sock_addr *ctx)
{
	return ctx->msg_src_ip4 != 0;
}

/* family is a full u32 read: a narrow load is refused */
SEC("cgroup/connect4")
int connect4_narrow_family(struct bpf_sock_addr *ctx)
{
	return *(volatile u8 *)&ctx->family == AF_INET;
}

SEC("cgroup/connect4")
int connect4_reads_ip6(struct bpf_sock_addr *ctx)
{
	return ctx->user_ip6[0] != 0;
}

/* TCP option parsing in sockops: skb_data/skb_data_end are packet pointers */
SEC("sockops")
int sockops_parse_hdr(struct bpf_sock_ops *skops)
{
	void *data = (void *)(long)skops->skb_data;
	void *data_end = (void *)(long)skops->skb_data_end;
	struct tcphdr *th = data;

	if (skops->op != BPF_SOCK_OPS_PARSE_HDR_OPT_CB)
		return 1;
	if ((void *)(th + 1) > data_end)
		return 1;
	if (th->syn)
		count(0, 1);
	count(1, skops->skb_tcp_flags);
	return 1;
}

/* a packet pointer read without the data_end check */
SEC("sockops")
int sockops_unchecked(struct bpf_sock_ops *skops)
{
	struct tcphdr *th = (void *)(long)skops->skb_data;

	if (skops->op != BPF_SOCK_OPS_PARSE_HDR_OPT_CB)
		return 1;
	return th->syn;
}

SEC("sk_lookup")
int sk_lookup_port(struct bpf_sk_lookup *ctx)
{
	/* remote_port is 2 bytes followed by zero padding: 4-byte and narrow loads both work */
	u32 rport = *(volatile u32 *)&ctx->remote_port;
	u16 pad = *(volatile u16 *)((u8 *)&ctx->remote_port + 2);

	if (ctx->local_port == 7007 && rport && !pad)
		count(2, ctx->ingress_ifindex);
	return SK_PASS;
}

SEC("sk_reuseport")
int reuseport_select(struct sk_reuseport_md *md)
{
	void *data = md->data;
	void *data_end = md->data_end;
	struct udphdr *uh = data;

	if (md->ip_protocol != IPPROTO_UDP_ || md->eth_protocol != bpf_htons(ETH_P_IP))
		return SK_PASS;
	if ((void *)(uh + 1) > data_end)
		return SK_DROP;
	count(3, md->hash + md->len + uh->dest + md->bind_inany);
	return SK_PASS;
}

/* hash is a full u32 field: no narrow loads */
SEC("sk_reuseport")
int reuseport_narrow_hash(struct sk_reuseport_md *md)
{
	return *(volatile u8 *)&md->hash ? SK_PASS : SK_DROP;
}

/* fields through a full socket pointer follow struct bpf_sock's rules */
SEC("tc")
int tc_sock_fields(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return TC_ACT_OK;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return TC_ACT_OK;
	if (sk->family == AF_INET && sk->dst_port == bpf_htons(443))
		count(0, sk->mark + sk->priority + sk->state);
	return TC_ACT_OK;
}

/* sock_common has no type/protocol/mark/priority */
SEC("tc")
int tc_sock_common_mark(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return TC_ACT_OK;
	return sk->mark == 1 ? TC_ACT_SHOT : TC_ACT_OK;
}

/* a byte of bound_dev_if through a socket pointer: u32 loads only */
SEC("tc")
int tc_sock_narrow(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return TC_ACT_OK;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return TC_ACT_OK;
	return *(volatile u8 *)&sk->bound_dev_if ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("cgroup/getsockopt")
int getsockopt_retval(struct bpf_sockopt *ctx)
{
	u8 *optval = ctx->optval;
	u8 *optval_end = ctx->optval_end;

	if (ctx->level == 6 /* SOL_TCP */ && optval + 1 <= optval_end && ctx->retval == 0)
		*optval = 1;
	return 1;
}

/* retval is getsockopt's */
SEC("cgroup/setsockopt")
int setsockopt_retval(struct bpf_sockopt *ctx)
{
	return ctx->retval == 0;
}

SEC("cgroup/dev")
int dev_policy(struct bpf_cgroup_dev_ctx *ctx)
{
	u16 type = ctx->access_type & 0xffff;

	if (type == 2 /* BPF_DEVCG_DEV_CHAR */ && ctx->major == 1 && ctx->minor == 3)
		return 1;
	return *(volatile u16 *)&ctx->access_type != 0;
}

/* major is a full u32 */
SEC("cgroup/dev")
int dev_narrow_major(struct bpf_cgroup_dev_ctx *ctx)
{
	return *(volatile u8 *)&ctx->major == 1;
}
