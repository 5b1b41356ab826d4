#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, long long); } arr SEC(".maps");
#define ARGS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all
#define LOOKUP "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[arr] ll; call %[bpf_map_lookup_elem];"

/* 8-byte spill of 1<<32, then a 4-byte spill of 0 over its low half: memory holds 1<<32, not 0 */
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
__naked void narrow_spill_over_wide(void)
{ asm volatile ("r6 = 1; r6 <<= 32; *(u64 *)(r10 - 16) = r6; r7 = 0; *(u32 *)(r10 - 16) = r7;" LOOKUP
	"if r0 == 0 goto l0_%=; r1 = *(u64 *)(r10 - 16); r0 += r1; r0 = *(u8 *)(r0 + 0); l0_%=: r0 = 0; exit;" ARGS); }

/* zero bytes next to a narrow spill become misc when a plain write lands in the slot (scrub_special_slot) */
SEC("socket") __failure __msg("R0 max value is outside of the allowed memory range")
__naked void zero_beside_spill_scrubbed(void)
{ asm volatile ("r1 = 0; *(u16 *)(r10 - 12) = r1; *(u32 *)(r10 - 16) = r1; r2 = 1; *(u8 *)(r10 - 12) = r2;" LOOKUP
	"if r0 == 0 goto l0_%=; r1 = *(u8 *)(r10 - 11); r0 += r1; r0 = *(u8 *)(r0 + 0); l0_%=: r0 = 0; exit;" ARGS); }

/* the same zero bytes without the spill stay zero */
SEC("socket") __success
__naked void zero_beside_plain_write(void)
{ asm volatile ("r1 = 0; *(u16 *)(r10 - 12) = r1; r2 = 1; *(u8 *)(r10 - 15) = r2; *(u8 *)(r10 - 12) = r2;" LOOKUP
	"if r0 == 0 goto l0_%=; r1 = *(u8 *)(r10 - 11); r0 += r1; r0 = *(u8 *)(r0 + 0); l0_%=: r0 = 0; exit;" ARGS); }

/* a narrow spill keeps the zero bytes beside it (mark_stack_slot_misc) */
SEC("socket") __success
__naked void zero_beside_narrow_spill_kept(void)
{ asm volatile ("r1 = 0; *(u16 *)(r10 - 12) = r1; r2 = 1; *(u32 *)(r10 - 16) = r2;" LOOKUP
	"if r0 == 0 goto l0_%=; r1 = *(u8 *)(r10 - 11); r0 += r1; r0 = *(u8 *)(r0 + 0); l0_%=: r0 = 0; exit;" ARGS); }

/* a spill gives the scalar an id: a bound learnt on the filled copy holds for the original */
SEC("socket") __success
__naked void spill_links_scalar(void)
{ asm volatile ("r6 = *(u32 *)(r1 + 0); *(u64 *)(r10 - 16) = r6;" LOOKUP
	"if r0 == 0 goto l0_%=; r7 = *(u64 *)(r10 - 16); if r7 > 7 goto l0_%=; r0 += r6; r0 = *(u8 *)(r0 + 0); l0_%=: r0 = 0; exit;" ARGS); }

/* a narrow spill links too when the value fits */
SEC("socket") __success
__naked void narrow_spill_links_scalar(void)
{ asm volatile ("r6 = *(u32 *)(r1 + 0); *(u32 *)(r10 - 16) = r6;" LOOKUP
	"if r0 == 0 goto l0_%=; r7 = *(u32 *)(r10 - 16); if r7 > 7 goto l0_%=; r0 += r6; r0 = *(u8 *)(r0 + 0); l0_%=: r0 = 0; exit;" ARGS); }

/* a narrowing spill (the value does not fit) does not link */
SEC("socket") __failure __msg("R0 unbounded memory access, make sure to bounds check any such access")
__naked void narrowing_spill_no_link(void)
{ asm volatile ("r6 = *(u32 *)(r1 + 0); r6 <<= 8; *(u8 *)(r10 - 16) = r6;" LOOKUP
	"if r0 == 0 goto l0_%=; r7 = *(u8 *)(r10 - 16); if r7 > 7 goto l0_%=; r0 += r6; r0 = *(u8 *)(r0 + 0); l0_%=: r0 = 0; exit;" ARGS); }

char _license[] SEC("license") = "GPL";
