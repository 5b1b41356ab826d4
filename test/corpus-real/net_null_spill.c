// Two verifier details hand-written XDP/TC/cgroup code runs into: a NULL test of the ctx or of a
// stack pointer is explored on both sides (only map values, sockets, memory... are known non-NULL),
// and 1/2/4-byte stack stores of scalars keep their value only when they start an 8-byte slot
// (then a load of the slot's low bytes gives it back; the high bytes of a spill are unknown).
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define __naked __attribute__((naked))
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"
#define __imm_addr(name) [name] "i"(&name)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} slots SEC(".maps");

/* the dispatcher pattern: a defensive ctx test in a subprogram */
static __noinline int pass_through(struct xdp_md *ctx)
{
	volatile int ret = XDP_PASS;

	if (!ctx)
		return XDP_ABORTED;
	return ret;
}

SEC("xdp")
int xdp_ctx_test_sub(struct xdp_md *ctx)
{
	return pass_through(ctx);
}

/* the ctx == 0 side is explored: R0 is not set there */
SEC("xdp")
__naked int xdp_ctx_null_path(void)
{
	asm volatile ("if r1 == 0 goto l0_%=;"
		      "r0 = 2;"
		      "l0_%=: exit;"
		      ::: __clobber_all);
}

/* so is fp-8 == 0 */
SEC("tc")
__naked int tc_stack_ptr_null_path(void)
{
	asm volatile ("r2 = r10;"
		      "r2 += -8;"
		      "if r2 != 0 goto l0_%=;"
		      "exit;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

/* a u32 key stored at the start of a slot is a known constant: the array lookup cannot fail */
SEC("xdp")
__naked int xdp_const_key_u32(void)
{
	asm volatile ("r1 = 3;"
		      "*(u32 *)(r10 - 8) = r1;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r1 = %[slots] ll;"
		      "call %[bpf_map_lookup_elem];"
		      "r0 = *(u32 *)(r0 + 0);"
		      "r0 = 2;"
		      "exit;"
		      :: __imm_addr(slots), [bpf_map_lookup_elem] "i"(BPF_FUNC_map_lookup_elem)
		      : __clobber_all);
}

/* the same key four bytes higher is not tracked: the lookup may return NULL */
SEC("xdp")
__naked int xdp_const_key_u32_unaligned(void)
{
	asm volatile ("r1 = 3;"
		      "*(u32 *)(r10 - 4) = r1;"
		      "r2 = r10;"
		      "r2 += -4;"
		      "r1 = %[slots] ll;"
		      "call %[bpf_map_lookup_elem];"
		      "r0 = *(u32 *)(r0 + 0);"
		      "r0 = 2;"
		      "exit;"
		      :: __imm_addr(slots), [bpf_map_lookup_elem] "i"(BPF_FUNC_map_lookup_elem)
		      : __clobber_all);
}

/* a byte stored and read back keeps its value: 3 is outside cgroup_skb's [0, 1] */
SEC("cgroup_skb/egress")
__naked int cg_byte_roundtrip(void)
{
	asm volatile ("r2 = 3;"
		      "*(u8 *)(r10 - 8) = r2;"
		      "r0 = *(u8 *)(r10 - 8);"
		      "exit;"
		      ::: __clobber_all);
}

/* the top byte of a spilled 1 is not known to be 0 */
SEC("cgroup_skb/egress")
__naked int cg_spill_high_byte(void)
{
	asm volatile ("r2 = 1;"
		      "*(u64 *)(r10 - 8) = r2;"
		      "r0 = *(u8 *)(r10 - 1);"
		      "exit;"
		      ::: __clobber_all);
}

/* the low byte of a spilled 1 is 1 */
SEC("cgroup_skb/egress")
__naked int cg_spill_low_byte(void)
{
	asm volatile ("r2 = 1;"
		      "*(u64 *)(r10 - 8) = r2;"
		      "r0 = *(u8 *)(r10 - 8);"
		      "exit;"
		      ::: __clobber_all);
}
