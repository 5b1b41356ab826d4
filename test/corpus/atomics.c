/* Atomic instructions: add/or/and/xor with and without fetch, xchg, cmpxchg; where they may write. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, long[2]); } arr SEC(".maps");

#define VAL "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[arr] ll; call %[bpf_map_lookup_elem];" \
	"if r0 != 0 goto l9_%=; exit; l9_%=: r6 = r0;"
#define ARGS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all

SEC("socket") __success __naked void atomic_add_map(void)
{ asm volatile (VAL "r1 = 1; lock *(u64 *)(r6 + 0) += r1; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void atomic_add32_map(void)
{ asm volatile (VAL "w1 = 1; lock *(u32 *)(r6 + 4) += w1; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void atomic_fetch_add_map(void)
{ asm volatile (VAL "r1 = 1; r1 = atomic_fetch_add((u64 *)(r6 + 8), r1); r0 = r1; exit;" ARGS); }
SEC("socket") __success __naked void atomic_or_and_xor(void)
{ asm volatile (VAL "r1 = 1; lock *(u64 *)(r6 + 0) |= r1; lock *(u64 *)(r6 + 0) &= r1; lock *(u64 *)(r6 + 0) ^= r1; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void atomic_fetch_or(void)
{ asm volatile (VAL "r1 = 1; r1 = atomic_fetch_or((u64 *)(r6 + 0), r1); r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void atomic_xchg(void)
{ asm volatile (VAL "r1 = 5; r1 = xchg_64(r6 + 0, r1); r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void atomic_cmpxchg(void)
{ asm volatile (VAL "r0 = 0; r1 = 5; r0 = cmpxchg_64(r6 + 0, r0, r1); r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R0 !read_ok")
__naked void atomic_cmpxchg_r0_uninit(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r2 = r10; r1 = 5; .8byte 0x000000f1fff812db; r0 = 0; exit;" ::: __clobber_all); }
SEC("socket") __success __naked void atomic_stack(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r1 = 2; lock *(u64 *)(r10 - 8) += r1; r0 = *(u64 *)(r10 - 8); exit;" ::: __clobber_all); }
SEC("socket") __success __naked void atomic_stack_uninit_priv(void)
{ asm volatile ("r1 = 2; lock *(u64 *)(r10 - 8) += r1; r0 = 0; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("BPF_ATOMIC stores into R1 ctx is not allowed")
__naked void atomic_ctx(void)
{ asm volatile ("r2 = 1; lock *(u32 *)(r1 + 0) += r2; r0 = 0; exit;" ::: __clobber_all); }
SEC("xdp") __failure __msg("BPF_ATOMIC stores into R2 pkt is not allowed")
__naked void atomic_packet(void)
{ asm volatile ("r2 = *(u32 *)(r1 + 0); r3 = *(u32 *)(r1 + 4); r4 = r2; r4 += 8; if r4 > r3 goto l0_%=; r5 = 1; lock *(u64 *)(r2 + 0) += r5; l0_%=: r0 = 0; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("misaligned value access")
__naked void atomic_misaligned(void)
{ asm volatile (VAL "r1 = 1; lock *(u64 *)(r6 + 4) += r1; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 min value is outside of the allowed memory range") __naked void atomic_past_value(void)
{ asm volatile (VAL "r1 = 1; lock *(u64 *)(r6 + 16) += r1; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("BPF_ATOMIC uses invalid atomic opcode 02")
__naked void atomic_bad_op(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; .8byte 0x00000002fff81adb; r0 = 0; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("invalid atomic operand size")
__naked void atomic_byte_size(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; .8byte 0x00000000fff81ad3; r0 = 0; exit;" ::: __clobber_all); }
SEC("socket") __success __naked void atomic_ptr_src(void)
{ asm volatile (VAL "r1 = r10; lock *(u64 *)(r6 + 0) += r1; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void atomic_load_acquire(void)
{ asm volatile ("r1 = 7; *(u64 *)(r10 - 8) = r1; .8byte 0x00000100fff8a0db; exit;" ::: __clobber_all); }
SEC("socket") __success __naked void atomic_store_release(void)
{ asm volatile ("r1 = 7; .8byte 0x00000110fff81adb; r0 = *(u64 *)(r10 - 8); exit;" ::: __clobber_all); }

char _license[] SEC("license") = "GPL";
