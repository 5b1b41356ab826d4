/* ISA v4 instructions: signed division and modulo, sign-extending moves and loads, byte swaps,
 * 32-bit jump offsets. */
// corpus-cflags: -mcpu=v4
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, char[64]); } arr SEC(".maps");

#define PRE "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[arr] ll; call %[bpf_map_lookup_elem];" \
	"if r0 != 0 goto l9_%=; exit; l9_%=: r6 = r0;"
#define USE "r6 += r1; r0 = *(u8 *)(r6 + 0); r0 = 0; exit;"
#define ARGS :: __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(arr) : __clobber_all

SEC("socket") __success __retval(-3) __naked void v4_sdiv(void) { asm volatile ("r0 = -7; r1 = 2; r0 s/= r1; exit;" ::: __clobber_all); }
SEC("socket") __success __retval(-1) __naked void v4_smod(void) { asm volatile ("r0 = -7; r0 s%%= 2; exit;" ::: __clobber_all); }
SEC("socket") __success __naked void v4_sdiv32(void) { asm volatile ("w0 = -8; w0 s/= 2; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("div by zero") __naked void v4_sdiv_zero_imm(void) { asm volatile ("r0 = 1; r0 s/= 0; exit;" ::: __clobber_all); }
SEC("socket") __success __naked void v4_movsx8_bounds(void)
{ asm volatile (PRE "call %[bpf_get_prandom_u32]; r1 = (s8)r0; if r1 s< 0 goto l0_%=; r1 &= 63;" USE "l0_%=: r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 min value is negative")
__naked void v4_movsx8_negative(void)
{ asm volatile (PRE "call %[bpf_get_prandom_u32]; r1 = (s8)r0;" USE ARGS); }
SEC("socket") __success __naked void v4_movsx16(void) { asm volatile ("r1 = 0xffff; r0 = (s16)r1; r0 += 1; exit;" ::: __clobber_all); }
SEC("socket") __success __naked void v4_movsx32(void) { asm volatile ("r1 = 0xffffffff ll; r0 = (s32)r1; exit;" ::: __clobber_all); }
SEC("socket") __success __naked void v4_ldsx(void)
{ asm volatile ("r1 = 0xff; *(u64 *)(r10 - 8) = r1; r0 = *(s8 *)(r10 - 8); r0 += 1; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("R6 max value is outside of the allowed memory range") __naked void v4_ldsx_map_range(void)
{ asm volatile (PRE "r1 = *(s8 *)(r6 + 0); if r1 s< 0 goto l0_%=;" USE "l0_%=: r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 min value is negative")
__naked void v4_ldsx_map_negative(void)
{ asm volatile (PRE "r1 = *(s8 *)(r6 + 0);" USE ARGS); }
SEC("xdp") __failure __msg("invalid bpf_context access")
__naked void v4_ldsx_ctx(void) { asm volatile ("r0 = *(s32 *)(r1 + 0); r0 = 0; exit;" ::: __clobber_all); }
SEC("socket") __success __naked void v4_bswap16(void) { asm volatile ("r0 = 0x1234; r0 = bswap16 r0; exit;" ::: __clobber_all); }
SEC("socket") __success __naked void v4_bswap64(void) { asm volatile ("r0 = 1; r0 = bswap64 r0; r0 >>= 56; exit;" ::: __clobber_all); }
SEC("socket") __success __naked void v4_bswap32_bounds(void)
{ asm volatile (PRE "r1 = 0x20000000; r1 = bswap32 r1;" USE ARGS); }
SEC("socket") __success __naked void v4_gotol(void)
{ asm volatile ("call %[bpf_get_prandom_u32]; if r0 == 0 goto l0_%=; gotol l1_%=; l0_%=: r0 = 1; l1_%=: exit;" ARGS); }
SEC("socket") __failure __msg("jump out of range")
__naked void v4_gotol_out(void) { asm volatile ("r0 = 0; .8byte 0x0010000000000006; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("addr_space_cast insn can only convert between address space 1 and 0") __naked void v4_movsx_bad_off(void) { asm volatile ("r0 = 0; .8byte 0x00000000000101bf; exit;" ::: __clobber_all); }

SEC("socket") __success
__naked void v4_ldsx_map_masked(void)
{ asm volatile (PRE "r1 = *(s8 *)(r6 + 0); if r1 s< 0 goto l0_%=; r1 &= 63;" USE "l0_%=: r0 = 0; exit;" ARGS); }

/* the same in C: clang emits v4 instructions for these with -mcpu=v4 */
SEC("socket") __success
int v4_c_signed(void *ctx)
{
	long a = (long)bpf_get_prandom_u32() - 100;
	signed char b = (signed char)a;
	long c = a / 7 + a % 5;
	return (int)(c + b) & 1;
}

char _license[] SEC("license") = "GPL";
