/* Linked scalars with an added constant (BPF_ADD_CONST): after `r6 = r2; r6 += K` the verifier
 * keeps r6 tied to r2 (id=N+K), so a bounds check on the copy bounds the original too. A 32-bit
 * add links as well, but the refined value is zero-extended. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, char[64]); } lsv SEC(".maps");

/* the check on r6 = r2 + 8 bounds r2 to [0, 52]: the access through r2 is in the value */
SEC("socket") __success
int ls_add64_check_copy(struct __sk_buff *skb)
{
	int k = 0;
	char *v = bpf_map_lookup_elem(&lsv, &k);
	if (!v)
		return 0;
	asm volatile (
		"r2 = *(u32 *)(%[skb] + 0);"
		"r6 = r2;"
		"r6 += 8;"
		"if r6 > 60 goto 1f;"
		"r1 = %[v];"
		"r1 += r2;"
		"r0 = *(u8 *)(r1 + 0);"
		"1:"
		:: [skb] "r"(skb), [v] "r"(v) : "r0", "r1", "r2", "r6");
	return 0;
}

/* the check on the original bounds the copy: r6 = r2 + 8 is at most 63 */
SEC("socket") __success
int ls_add64_check_orig(struct __sk_buff *skb)
{
	int k = 0;
	char *v = bpf_map_lookup_elem(&lsv, &k);
	if (!v)
		return 0;
	asm volatile (
		"r2 = *(u32 *)(%[skb] + 0);"
		"r6 = r2;"
		"r6 += 8;"
		"if r2 > 55 goto 1f;"
		"r1 = %[v];"
		"r1 += r6;"
		"r0 = *(u8 *)(r1 + 0);"
		"1:"
		:: [skb] "r"(skb), [v] "r"(v) : "r0", "r1", "r2", "r6");
	return 0;
}

/* one constant too many: the second add unlinks r6, so the check says nothing about r2 */
SEC("socket") __failure __msg("R1 unbounded memory access, make sure to bounds check any such access")
int ls_add64_twice_unlinked(struct __sk_buff *skb)
{
	int k = 0;
	char *v = bpf_map_lookup_elem(&lsv, &k);
	if (!v)
		return 0;
	asm volatile (
		"r2 = *(u32 *)(%[skb] + 0);"
		"r6 = r2;"
		"r6 += 4;"
		"r6 += 4;"
		"if r6 > 60 goto 1f;"
		"r1 = %[v];"
		"r1 += r2;"
		"r0 = *(u8 *)(r1 + 0);"
		"1:"
		:: [skb] "r"(skb), [v] "r"(v) : "r0", "r1", "r2", "r6");
	return 0;
}

/* 32-bit: w6 = w2 + 8 checked; r2 = w6 - 8 wraps below zero in 32 bits, zero-extended: unbounded */
SEC("socket") __failure __msg("R1 unbounded memory access, make sure to bounds check any such access")
int ls_add32_wraps(struct __sk_buff *skb)
{
	int k = 0;
	char *v = bpf_map_lookup_elem(&lsv, &k);
	if (!v)
		return 0;
	asm volatile (
		"r2 = *(u32 *)(%[skb] + 0);"
		"w6 = w2;"
		"w6 += 8;"
		"if r6 > 60 goto 1f;"
		"r1 = %[v];"
		"r1 += r2;"
		"r0 = *(u8 *)(r1 + 0);"
		"1:"
		:: [skb] "r"(skb), [v] "r"(v) : "r0", "r1", "r2", "r6");
	return 0;
}

/* 32-bit: with r2 at least 8, w6 = w2 - 8 does not wrap, and checking it bounds r2 */
SEC("socket") __success
int ls_sub32_check_copy(struct __sk_buff *skb)
{
	int k = 0;
	char *v = bpf_map_lookup_elem(&lsv, &k);
	if (!v)
		return 0;
	asm volatile (
		"r2 = *(u32 *)(%[skb] + 0);"
		"if r2 < 8 goto 1f;"
		"w6 = w2;"
		"w6 -= 8;"
		"if r6 > 50 goto 1f;"
		"r1 = %[v];"
		"r1 += r2;"
		"r0 = *(u8 *)(r1 + 0);"
		"1:"
		:: [skb] "r"(skb), [v] "r"(v) : "r0", "r1", "r2", "r6");
	return 0;
}

/* r6 = w0 + 1 linked 32-bit; r6 = 0xffffffff makes r7 wrap to 0 (zero-extended): no division by zero */
SEC("socket") __success
int ls_add32_zext(void *ctx)
{
	asm volatile (
		"call %[rnd];"
		"w6 = w0;"
		"r7 = r6;"
		"w7 += 1;"
		"r8 = 0xffffffff ll;"
		"if r6 < r8 goto 1f;"
		"r7 >>= 32;"
		"if r7 == 0 goto 1f;"
		"r0 /= 0;"
		"1:"
		:: [rnd] "i"(BPF_FUNC_get_prandom_u32) : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8");
	return 0;
}

char _license[] SEC("license") = "GPL";
