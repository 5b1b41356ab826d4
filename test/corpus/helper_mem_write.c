#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

/* Helper memory arguments the kernel treats as written: what the verifier knew about those stack
 * bytes is gone after the call (MEM_WRITE), and an uninitialised-memory argument (MEM_UNINIT)
 * written into a slot holding a narrow spill turns the zero bytes beside it into misc. */

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, long long); } arr SEC(".maps");
#define ARGS :: __imm(bpf_map_lookup_elem), __imm(bpf_fib_lookup), __imm(bpf_skb_load_bytes), __imm_addr(arr) : __clobber_all
#define LOOKUP "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[arr] ll; call %[bpf_map_lookup_elem];"
#define ZERO64 "r1 = 0; *(u64 *)(r10 - 64) = r1; *(u64 *)(r10 - 56) = r1; *(u64 *)(r10 - 48) = r1; *(u64 *)(r10 - 40) = r1;" \
	"*(u64 *)(r10 - 32) = r1; *(u64 *)(r10 - 24) = r1; *(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 8) = r1;"
/* byte at fp-64 used as an offset into an 8-byte map value */
#define USE_FP64 "if r0 == 0 goto l0_%=; r1 = *(u8 *)(r10 - 64); r0 += r1; r0 = *(u8 *)(r0 + 0); l0_%=:"

/* bpf_fib_lookup writes its params back: a constant spilled there is gone after the call */
SEC("xdp") __failure __msg("R0 max value is outside of the allowed memory range")
__naked void fib_lookup_clobbers_spill(void)
{ asm volatile ("r6 = r1;" ZERO64 "r1 = 2; *(u8 *)(r10 - 64) = r1;"
	"r1 = r6; r2 = r10; r2 += -64; r3 = 64; r4 = 0; call %[bpf_fib_lookup];" LOOKUP USE_FP64 "r0 = 2; exit;" ARGS); }

/* zero bytes passed to it are not zero any more either */
SEC("tc") __failure __msg("R0 max value is outside of the allowed memory range")
__naked void fib_lookup_clobbers_zero(void)
{ asm volatile ("r6 = r1;" ZERO64 "r1 = r6; r2 = r10; r2 += -64; r3 = 64; r4 = 0; call %[bpf_fib_lookup];" LOOKUP USE_FP64 "r0 = 0; exit;" ARGS); }

/* without the call the spilled constant is still known */
SEC("xdp") __success
__naked void fib_params_untouched(void)
{ asm volatile ("r6 = r1;" ZERO64 "r1 = 2; *(u8 *)(r10 - 64) = r1;" LOOKUP USE_FP64 "r0 = 2; exit;" ARGS); }

/* the same zero bytes beside the spill are still zero without the call */
SEC("socket") __success
__naked void narrow_spill_zero_kept(void)
{ asm volatile ("r6 = r1; r1 = 0; *(u32 *)(r10 - 60) = r1; r1 = 7; *(u32 *)(r10 - 64) = r1;" LOOKUP
	"if r0 == 0 goto l0_%=; r1 = *(u8 *)(r10 - 58); r0 += r1; r0 = *(u8 *)(r0 + 0); l0_%=: r0 = 0; exit;" ARGS); }

/* bpf_skb_load_bytes (uninitialised memory) writing into a slot with a narrow spill: the zero bytes
 * beside the spill become misc */
SEC("socket") __failure __msg("R0 max value is outside of the allowed memory range")
__naked void uninit_write_scrubs_zero(void)
{ asm volatile ("r6 = r1; r1 = 0; *(u32 *)(r10 - 60) = r1; r1 = 7; *(u32 *)(r10 - 64) = r1;"
	"r1 = r6; r2 = 0; r3 = r10; r3 += -57; r4 = 1; call %[bpf_skb_load_bytes];" LOOKUP
	"if r0 == 0 goto l0_%=; r1 = *(u8 *)(r10 - 58); r0 += r1; r0 = *(u8 *)(r0 + 0); l0_%=: r0 = 0; exit;" ARGS); }

char _license[] SEC("license") = "GPL";
