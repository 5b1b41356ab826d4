/* Reference tracking: what is acquired (ring buffer records, socket lookups) must be released
 * exactly once on every path, and not used after release. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 4); } jmp SEC(".maps");

SEC("socket") __success
int ref_ringbuf_submit(void *ctx)
{
	long *p = bpf_ringbuf_reserve(&rb, 8, 0);
	if (!p)
		return 0;
	*p = 1;
	bpf_ringbuf_submit(p, 0);
	return 0;
}

SEC("socket") __success
int ref_ringbuf_discard(void *ctx)
{
	long *p = bpf_ringbuf_reserve(&rb, 8, 0);
	if (!p)
		return 0;
	bpf_ringbuf_discard(p, 0);
	return 0;
}

SEC("socket") __failure __msg("BPF_EXIT instruction in main prog would lead to reference leak") __naked void ref_ringbuf_leak(void)
{
	asm volatile ("r1 = %[rb] ll; r2 = 8; r3 = 0; call %[bpf_ringbuf_reserve]; if r0 == 0 goto l0_%=; r1 = 0; *(u64 *)(r0 + 0) = r1; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_ringbuf_reserve), __imm_addr(rb) : __clobber_all);
}

SEC("socket") __failure __msg("R0 invalid mem access 'ringbuf_mem_or_null'")
__naked void ref_ringbuf_no_null_check(void)
{
	asm volatile ("r1 = %[rb] ll; r2 = 8; r3 = 0; call %[bpf_ringbuf_reserve]; r1 = 0; *(u64 *)(r0 + 0) = r1; r1 = r0; r2 = 0; call %[bpf_ringbuf_submit]; r0 = 0; exit;"
		      :: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm_addr(rb) : __clobber_all);
}

SEC("socket") __failure __msg("R0 min value is outside of the allowed memory range") __naked void ref_ringbuf_write_past(void)
{
	asm volatile ("r1 = %[rb] ll; r2 = 8; r3 = 0; call %[bpf_ringbuf_reserve]; if r0 == 0 goto l0_%=; r1 = 0; *(u64 *)(r0 + 8) = r1;"
		      "r1 = r0; r2 = 0; call %[bpf_ringbuf_submit]; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm_addr(rb) : __clobber_all);
}

SEC("socket") __failure __msg("R7 invalid mem access 'scalar'")
__naked void ref_ringbuf_use_after_submit(void)
{
	asm volatile ("r1 = %[rb] ll; r2 = 8; r3 = 0; call %[bpf_ringbuf_reserve]; if r0 == 0 goto l0_%=; r7 = r0;"
		      "r1 = r0; r2 = 0; call %[bpf_ringbuf_submit]; r1 = 0; *(u64 *)(r7 + 0) = r1; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm_addr(rb) : __clobber_all);
}

SEC("socket") __failure __msg("R1 type=scalar expected=ringbuf_mem")
__naked void ref_ringbuf_double_submit(void)
{
	asm volatile ("r1 = %[rb] ll; r2 = 8; r3 = 0; call %[bpf_ringbuf_reserve]; if r0 == 0 goto l0_%=; r7 = r0;"
		      "r1 = r0; r2 = 0; call %[bpf_ringbuf_submit]; r1 = r7; r2 = 0; call %[bpf_ringbuf_submit]; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm_addr(rb) : __clobber_all);
}

SEC("socket") __failure __msg("R2 is not a known constant'") __naked void ref_ringbuf_unknown_size(void)
{
	asm volatile ("call %[bpf_get_prandom_u32]; r2 = r0; r2 <<= 32; r2 s>>= 32; r1 = %[rb] ll; r3 = 0; call %[bpf_ringbuf_reserve]; if r0 == 0 goto l0_%=;"
		      "r1 = r0; r2 = 0; call %[bpf_ringbuf_discard]; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_discard), __imm(bpf_get_prandom_u32), __imm_addr(rb) : __clobber_all);
}

SEC("socket") __failure __msg("BPF_EXIT instruction in main prog would lead to reference leak") __naked void ref_ringbuf_leak_on_one_path(void)
{
	asm volatile ("r1 = %[rb] ll; r2 = 8; r3 = 0; call %[bpf_ringbuf_reserve]; if r0 == 0 goto l0_%=; r6 = r0;"
		      "call %[bpf_get_prandom_u32]; if r0 == 0 goto l0_%=; r1 = r6; r2 = 0; call %[bpf_ringbuf_submit]; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_get_prandom_u32), __imm_addr(rb) : __clobber_all);
}

SEC("socket") __success
__naked void ref_ringbuf_spill_fill(void)
{
	asm volatile ("r1 = %[rb] ll; r2 = 8; r3 = 0; call %[bpf_ringbuf_reserve]; if r0 == 0 goto l0_%=; *(u64 *)(r10 - 8) = r0;"
		      "call %[bpf_get_prandom_u32]; r1 = *(u64 *)(r10 - 8); r2 = 0; call %[bpf_ringbuf_submit]; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_get_prandom_u32), __imm_addr(rb) : __clobber_all);
}

SEC("socket") __failure __msg("R1 type=fp expected=ringbuf_mem") __naked void ref_ringbuf_submit_other_ptr(void)
{
	asm volatile ("r1 = r10; r1 += -8; r2 = 0; call %[bpf_ringbuf_submit]; r0 = 0; exit;"
		      :: __imm(bpf_ringbuf_submit) : __clobber_all);
}

/* sockets from lookups */
SEC("tc") __success
int ref_sk_lookup_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), -1, 0);
	if (sk)
		bpf_sk_release(sk);
	return 0;
}

SEC("tc") __failure __msg("BPF_EXIT instruction in main prog would lead to reference leak") int ref_sk_lookup_leak(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), -1, 0);
	return sk ? sk->mark : 0;
}

SEC("tc") __failure __msg("R1 type=sock_or_null expected=sock")
__naked void ref_sk_release_unchecked(void)
{
	asm volatile ("r2 = 0; *(u64 *)(r10 - 8) = r2; *(u64 *)(r10 - 16) = r2; r2 = r10; r2 += -16; r3 = 12; r4 = -1; r5 = 0;"
		      "call %[bpf_sk_lookup_tcp]; r1 = r0; call %[bpf_sk_release]; r0 = 0; exit;"
		      :: __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release) : __clobber_all);
}

SEC("tc") __failure __msg("R0 invalid mem access 'sock_or_null'")
__naked void ref_sk_deref_unchecked(void)
{
	asm volatile ("r2 = 0; *(u64 *)(r10 - 8) = r2; *(u64 *)(r10 - 16) = r2; r2 = r10; r2 += -16; r3 = 12; r4 = -1; r5 = 0;"
		      "call %[bpf_sk_lookup_tcp]; r0 = *(u32 *)(r0 + 0); exit;"
		      :: __imm(bpf_sk_lookup_tcp) : __clobber_all);
}

SEC("tc") __failure __msg("invalid mem access")
__naked void ref_sk_use_after_release(void)
{
	asm volatile ("r2 = 0; *(u64 *)(r10 - 8) = r2; *(u64 *)(r10 - 16) = r2; r2 = r10; r2 += -16; r3 = 12; r4 = -1; r5 = 0;"
		      "call %[bpf_sk_lookup_tcp]; if r0 == 0 goto l0_%=; r6 = r0; r1 = r0; call %[bpf_sk_release]; r0 = *(u32 *)(r6 + 0); exit;"
		      "l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release) : __clobber_all);
}

SEC("tc") __success
__naked void ref_sk_read_family(void)
{
	asm volatile ("r2 = 0; *(u64 *)(r10 - 8) = r2; *(u64 *)(r10 - 16) = r2; r2 = r10; r2 += -16; r3 = 12; r4 = -1; r5 = 0;"
		      "call %[bpf_sk_lookup_tcp]; if r0 == 0 goto l0_%=; r6 = *(u32 *)(r0 + 4); r1 = r0; call %[bpf_sk_release]; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release) : __clobber_all);
}

SEC("tc") __failure __msg("invalid sock access off=200 size=4")
__naked void ref_sk_read_past(void)
{
	asm volatile ("r2 = 0; *(u64 *)(r10 - 8) = r2; *(u64 *)(r10 - 16) = r2; r2 = r10; r2 += -16; r3 = 12; r4 = -1; r5 = 0;"
		      "call %[bpf_sk_lookup_tcp]; if r0 == 0 goto l0_%=; r6 = *(u32 *)(r0 + 200); r1 = r0; call %[bpf_sk_release]; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release) : __clobber_all);
}

SEC("tc") __failure __msg("R1 type=ctx expected=sock")
__naked void ref_sk_release_ctx(void)
{
	asm volatile ("call %[bpf_sk_release]; r0 = 0; exit;" :: __imm(bpf_sk_release) : __clobber_all);
}

SEC("tc") __success
int ref_skc_lookup_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = bpf_skc_lookup_tcp(skb, &t, sizeof(t.ipv4), -1, 0);
	if (sk)
		bpf_sk_release(sk);
	return 0;
}

SEC("tc") __success
int ref_two_refs(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *a = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), -1, 0);
	struct bpf_sock *b = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4), -1, 0);
	if (a)
		bpf_sk_release(a);
	if (b)
		bpf_sk_release(b);
	return 0;
}

SEC("tc") __failure __msg("BPF_EXIT instruction in main prog would lead to reference leak") int ref_two_refs_one_leaked(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *a = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), -1, 0);
	struct bpf_sock *b = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4), -1, 0);
	if (a)
		bpf_sk_release(a);
	return b ? 1 : 0;
}

SEC("tc") __failure __msg("tail_call would lead to reference leak") __naked void ref_tail_call_with_ref(void)
{
	asm volatile ("r6 = r1; r2 = 0; *(u64 *)(r10 - 8) = r2; *(u64 *)(r10 - 16) = r2; r2 = r10; r2 += -16; r3 = 12; r4 = -1; r5 = 0;"
		      "call %[bpf_sk_lookup_tcp]; if r0 == 0 goto l0_%=; r7 = r0; r1 = r6; r2 = %[jmp] ll; r3 = 0; call %[bpf_tail_call];"
		      "r1 = r7; call %[bpf_sk_release]; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release), __imm(bpf_tail_call), __imm_addr(jmp) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
