/* Direct packet access: a pointer into the packet may be dereferenced only within a range proven by
 * a comparison against data_end. XDP (xdp_md) and tc (__sk_buff) layouts. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

/* xdp: r2 = data, r3 = data_end */
#define XDP_PRE "r2 = *(u32 *)(r1 + 0); r3 = *(u32 *)(r1 + 4);"
/* tc: r2 = data, r3 = data_end */
#define TC_PRE "r2 = *(u32 *)(r1 + 76); r3 = *(u32 *)(r1 + 80);"
#define OUT "l1_%=: r0 = 0; exit;"
#define ARGS :: __imm(bpf_get_prandom_u32) : __clobber_all

SEC("xdp") __success __naked void pkt_xdp_check_then_read(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 14; if r4 > r3 goto l1_%=; r0 = *(u8 *)(r2 + 13);" OUT ARGS); }
SEC("xdp") __failure __msg("R2 offset is outside of the packet") __naked void pkt_xdp_read_past_range(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 14; if r4 > r3 goto l1_%=; r0 = *(u8 *)(r2 + 14);" OUT ARGS); }
SEC("xdp") __failure __msg("R2 offset is outside of the packet") __naked void pkt_xdp_no_check(void)
{ asm volatile (XDP_PRE "r0 = *(u8 *)(r2 + 0);" OUT ARGS); }
SEC("xdp") __failure __msg("R2 offset is outside of the packet") __naked void pkt_xdp_wrong_branch(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 14; if r4 > r3 goto l2_%=; goto l1_%=; l2_%=: r0 = *(u8 *)(r2 + 0);" OUT ARGS); }
SEC("xdp") __success __naked void pkt_xdp_jge(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 8; if r4 >= r3 goto l1_%=; r0 = *(u64 *)(r2 + 0);" OUT ARGS); }
SEC("xdp") __success __naked void pkt_xdp_jlt_reversed(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 8; if r3 < r4 goto l1_%=; r0 = *(u64 *)(r2 + 0);" OUT ARGS); }
SEC("xdp") __success __naked void pkt_xdp_jle_taken(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 8; if r4 <= r3 goto l2_%=; goto l1_%=; l2_%=: r0 = *(u32 *)(r2 + 4);" OUT ARGS); }
SEC("xdp") __success __naked void pkt_xdp_write(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 4; if r4 > r3 goto l1_%=; r5 = 0; *(u32 *)(r2 + 0) = r5;" OUT ARGS); }
SEC("xdp") __success __naked void pkt_xdp_read_via_moved_ptr(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 20; if r4 > r3 goto l1_%=; r2 += 12; r0 = *(u64 *)(r2 + 0);" OUT ARGS); }
SEC("xdp") __failure __msg("R2 offset is outside of the packet") __naked void pkt_xdp_read_via_moved_ptr_past(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 20; if r4 > r3 goto l1_%=; r2 += 13; r0 = *(u64 *)(r2 + 0);" OUT ARGS); }
SEC("xdp") __failure __msg("R3 pointer arithmetic on pkt_end prohibited")
__naked void pkt_xdp_end_arith(void)
{ asm volatile (XDP_PRE "r3 += -8; r0 = 0; exit;" ARGS); }
SEC("xdp") __failure __msg("R3 invalid mem access 'pkt_end'")
__naked void pkt_xdp_end_deref(void)
{ asm volatile (XDP_PRE "r0 = *(u8 *)(r3 + 0); r0 = 0; exit;" ARGS); }
SEC("xdp") __success __naked void pkt_xdp_var_offset(void)
{ asm volatile (XDP_PRE "r6 = r2; r7 = r3; call %[bpf_get_prandom_u32]; r0 &= 15; r6 += r0;"
		"r4 = r6; r4 += 1; if r4 > r7 goto l1_%=; r0 = *(u8 *)(r6 + 0);" OUT ARGS); }
SEC("xdp") __failure __msg("R6 offset is outside of the packet") __naked void pkt_xdp_var_offset_after_check(void)
{ asm volatile (XDP_PRE "r6 = r2; r7 = r3; r4 = r6; r4 += 16; if r4 > r7 goto l1_%=;"
		"call %[bpf_get_prandom_u32]; r0 &= 15; r6 += r0; r0 = *(u16 *)(r6 + 0);" OUT ARGS); }
SEC("xdp") __failure __msg("math between pkt pointer and register with unbounded min value is not allowed")
__naked void pkt_xdp_unbounded_offset(void)
{ asm volatile (XDP_PRE "r6 = r2; call %[bpf_get_prandom_u32]; r6 += r0; r0 = 0; exit;" ARGS); }
SEC("xdp") __success __naked void pkt_xdp_meta(void)
{ asm volatile ("r2 = *(u32 *)(r1 + 8); r3 = *(u32 *)(r1 + 0); r4 = r2; r4 += 4; if r4 > r3 goto l1_%=; r0 = *(u32 *)(r2 + 0);" OUT ARGS); }
SEC("xdp") __failure __msg("R2 offset is outside of the packet") __naked void pkt_xdp_meta_vs_end(void)
{ asm volatile ("r2 = *(u32 *)(r1 + 8); r3 = *(u32 *)(r1 + 4); r4 = r2; r4 += 4; if r4 > r3 goto l1_%=; r0 = *(u32 *)(r2 + 0);" OUT ARGS); }
SEC("xdp") __success __naked void pkt_xdp_spill_keeps_range(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 8; if r4 > r3 goto l1_%=; *(u64 *)(r10 - 8) = r2; r5 = *(u64 *)(r10 - 8); r0 = *(u64 *)(r5 + 0);" OUT ARGS); }
SEC("xdp") __failure __msg("R6 invalid mem access 'scalar'") __naked void pkt_xdp_range_lost_after_helper_call(void)
{ asm volatile (XDP_PRE "r6 = r2; r4 = r2; r4 += 8; if r4 > r3 goto l1_%=; *(u64 *)(r10 - 8) = r6; r0 = *(u64 *)(r6 + 0);"
		"r2 = 0; call %[bpf_xdp_adjust_head]; r6 = *(u64 *)(r10 - 8); r0 = *(u64 *)(r6 + 0);" OUT
		:: __imm(bpf_xdp_adjust_head) : __clobber_all); }
SEC("xdp") __success __naked void pkt_xdp_two_checks(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 14; if r4 > r3 goto l1_%=; r4 = r2; r4 += 34; if r4 > r3 goto l1_%=; r0 = *(u32 *)(r2 + 30);" OUT ARGS); }
SEC("xdp") __success __naked void pkt_xdp_large_range(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 0xffff; if r4 > r3 goto l1_%=; r2 += 0x7ffe; r0 = *(u8 *)(r2 + 0x7fff);" OUT ARGS); }
SEC("xdp") __failure __msg("R2 offset is outside of the packet") __naked void pkt_xdp_negative_off(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 8; if r4 > r3 goto l1_%=; r0 = *(u8 *)(r2 - 1);" OUT ARGS); }
SEC("xdp") __success __naked void pkt_xdp_compare_pkt_ptrs(void)
{ asm volatile (XDP_PRE "r4 = r2; r4 += 8; if r4 > r2 goto l1_%=;" OUT ARGS); }

SEC("tc") __success __naked void pkt_tc_check_then_read(void)
{ asm volatile (TC_PRE "r4 = r2; r4 += 14; if r4 > r3 goto l1_%=; r0 = *(u16 *)(r2 + 12);" OUT ARGS); }
SEC("tc") __failure __msg("R2 offset is outside of the packet") __naked void pkt_tc_no_check(void)
{ asm volatile (TC_PRE "r0 = *(u16 *)(r2 + 12);" OUT ARGS); }
SEC("tc") __success __naked void pkt_tc_write(void)
{ asm volatile (TC_PRE "r4 = r2; r4 += 2; if r4 > r3 goto l1_%=; r5 = 0; *(u16 *)(r2 + 0) = r5;" OUT ARGS); }
SEC("tc") __success __naked void pkt_tc_meta(void)
{ asm volatile ("r2 = *(u32 *)(r1 + 140); r3 = *(u32 *)(r1 + 76); r4 = r2; r4 += 4; if r4 > r3 goto l1_%=; r0 = *(u32 *)(r2 + 0);" OUT ARGS); }
SEC("cgroup_skb/ingress") __success __naked void pkt_cgskb_read(void)
{ asm volatile (TC_PRE "r4 = r2; r4 += 20; if r4 > r3 goto l1_%=; r0 = *(u8 *)(r2 + 9);" OUT ARGS); }
SEC("cgroup_skb/ingress") __failure __msg("cannot write into packet") __naked void pkt_cgskb_write(void)
{ asm volatile (TC_PRE "r4 = r2; r4 += 20; if r4 > r3 goto l1_%=; r5 = 0; *(u8 *)(r2 + 9) = r5;" OUT ARGS); }
SEC("sk_skb") __success __naked void pkt_skskb_read(void)
{ asm volatile (TC_PRE "r4 = r2; r4 += 4; if r4 > r3 goto l1_%=; r0 = *(u32 *)(r2 + 0);" OUT ARGS); }
SEC("socket") __success __naked void pkt_socket_ld_abs(void)
{ asm volatile ("r6 = r1; r0 = *(u8 *)skb[12]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void pkt_socket_ld_ind(void)
{ asm volatile ("r6 = r1; r7 = 2; .8byte 0x0000000c00007048; /* r0 = *(u16 *)skb[r7 + 12] */ r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("at the time of BPF_LD_ABS|IND R6 != pointer to skb") __naked void pkt_socket_ld_abs_no_ctx(void)
{ asm volatile ("r6 = 0; r0 = *(u8 *)skb[12]; r0 = 0; exit;" ARGS); }
SEC("xdp") __failure __msg("BPF_LD_[ABS|IND] instructions not allowed for this program type")
__naked void pkt_xdp_ld_abs(void)
{ asm volatile ("r6 = r1; r0 = *(u8 *)skb[12]; r0 = 0; exit;" ARGS); }

/* The same checks in C, as a program would write them. */
struct eth { unsigned char dst[6], src[6]; unsigned short proto; };

SEC("xdp") __success
int pkt_c_parse_eth(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct eth *e = data;
	if ((void *)(e + 1) > end)
		return XDP_PASS;
	return e->proto == 0x0008 ? XDP_PASS : XDP_DROP;
}

SEC("xdp") __failure __msg("R1 offset is outside of the packet") int pkt_c_parse_eth_off_by_one(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct eth *e = data;
	if ((void *)e + 13 > end)
		return XDP_PASS;
	return e->proto == 0x0008 ? XDP_PASS : XDP_DROP;
}

SEC("tc") __success
int pkt_c_tc_loop(struct __sk_buff *skb)
{
	unsigned char *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	int sum = 0;
	for (int i = 0; i < 16; i++) {
		if (p + i + 1 > end)
			break;
		sum += p[i];
	}
	return sum & 1;
}

char _license[] SEC("license") = "GPL";
