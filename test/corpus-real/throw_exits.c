// bpf_throw: an assertion-style exit of the whole program. Allowed on plain paths, refused while a
// reference is held, inside an RCU section or from a callback; the exception callback named by a
// tag must be part of the program.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

extern void bpf_throw(u64 cookie) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tc")
int tc_assert_len(struct __sk_buff *skb)
{
	if (skb->len > 65535)
		bpf_throw(1);
	return TC_ACT_OK;
}

SEC("tc")
int tc_throw_with_reservation(struct __sk_buff *skb)
{
	u32 *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return TC_ACT_OK;
	*e = skb->len;
	if (skb->len == 0)
		bpf_throw(2);
	bpf_ringbuf_submit(e, 0);
	return TC_ACT_OK;
}

SEC("tc")
int tc_throw_in_rcu(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	if (skb->mark == 3)
		bpf_throw(3);
	bpf_rcu_read_unlock();
	return TC_ACT_OK;
}

static int check_one(u32 i, void *ctx)
{
	if (i == 7)
		bpf_throw(4);
	return 0;
}

SEC("tc")
int tc_throw_in_loop_cb(struct __sk_buff *skb)
{
	bpf_loop(16, check_one, NULL, 0);
	return TC_ACT_OK;
}

__noinline int on_exception(u64 cookie)
{
	return cookie == 5 ? TC_ACT_SHOT : TC_ACT_OK;
}

/* the tagged handler is never referenced, so the loader leaves it out of this program */
SEC("tc")
__attribute__((btf_decl_tag("exception_callback:on_exception")))
int tc_with_handler(struct __sk_buff *skb)
{
	if (skb->priority == 5)
		bpf_throw(5);
	return TC_ACT_OK;
}
