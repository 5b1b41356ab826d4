/* Scalar ALU: every operation in 64 and 32 bits, with the results proven by exact map value indexing
 * (an access at a computed offset is accepted only when the verifier tracked the value exactly). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, char[64]);
} arr SEC(".maps");

/* r0 = &arr[0] or exit 0; leaves the value pointer in r6 */
#define LOOKUP \
	"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[arr] ll;" \
	"call %[bpf_map_lookup_elem]; if r0 != 0 goto l9_%=; exit; l9_%=: r6 = r0;"
/* index r6 by r1 and load a byte; the value is 64 bytes */
#define ACCESS "r6 += r1; r0 = *(u8 *)(r6 + 0); r0 = 0; exit;"

SEC("socket") __success __naked void alu_add_k(void)
{ asm volatile (LOOKUP "r1 = 60; r1 += 3;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("R6 min value is outside of the allowed memory range") __naked void alu_add_k_past(void)
{ asm volatile (LOOKUP "r1 = 60; r1 += 4;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __success __naked void alu_sub_x(void)
{ asm volatile (LOOKUP "r1 = 70; r2 = 10; r1 -= r2;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("R6 min value is outside of the allowed memory range") __naked void alu_sub_negative(void)
{ asm volatile (LOOKUP "r1 = 1; r1 -= 2;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __success __naked void alu_mul_k(void)
{ asm volatile (LOOKUP "r1 = 9; r1 *= 7;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("R6 min value is outside of the allowed memory range") __naked void alu_mul_past(void)
{ asm volatile (LOOKUP "r1 = 8; r1 *= 8;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void alu_div_k(void)
{ asm volatile (LOOKUP "r1 = 200; r1 /= 4;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void alu_div_x_zero(void)
{ asm volatile (LOOKUP "r1 = 200; r2 = 0; r1 /= r2;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("div by zero")
__naked void alu_div_k_zero(void)
{ asm volatile ("r0 = 1; r0 /= 0; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("div by zero")
__naked void alu_mod_k_zero(void)
{ asm volatile ("r0 = 1; r0 %%= 0; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void alu_mod_k(void)
{ asm volatile (LOOKUP "r1 = 1000; r1 %%= 64;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void alu_mod_random(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r1 %%= 64;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __failure __msg("R1 !read_ok") __naked void alu_mod_random_x(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; call %[bpf_get_prandom_u32]; r1 %%= r0;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __success __naked void alu_and_k(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r1 &= 63;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __failure __msg("R6 max value is outside of the allowed memory range") __naked void alu_and_k_127(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r1 &= 127;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __success __naked void alu_or_k(void)
{ asm volatile (LOOKUP "r1 = 32; r1 |= 15;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("value -9223372036854775807 makes map_value pointer be out of bounds") __naked void alu_or_random(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r1 |= 1;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __success __naked void alu_xor_k(void)
{ asm volatile (LOOKUP "r1 = 0x3f; r1 ^= 0x20;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void alu_xor_self(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r1 ^= r1;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __success __naked void alu_lsh_k(void)
{ asm volatile (LOOKUP "r1 = 7; r1 <<= 3;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("invalid shift 64")
__naked void alu_lsh_64(void)
{ asm volatile ("r0 = 1; r0 <<= 64; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("invalid shift 32")
__naked void alu_lsh32_32(void)
{ asm volatile ("w0 = 1; w0 <<= 32; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("R6 unbounded memory access, make sure to bounds check any such access") __naked void alu_rsh_random(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r1 >>= 26;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __failure __msg("R6 unbounded memory access, make sure to bounds check any such access") __naked void alu_rsh_random_25(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r1 >>= 25;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __failure __msg("R6 min value is negative")
__naked void alu_arsh_negative(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r1 <<= 32; r1 s>>= 58;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __success __naked void alu_arsh_positive(void)
{ asm volatile (LOOKUP "r1 = 120; r1 s>>= 1;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __success __naked void alu_neg(void)
{ asm volatile (LOOKUP "r1 = -10; r1 = -r1;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("R6 min value is outside of the allowed memory range") __naked void alu_neg_negative(void)
{ asm volatile (LOOKUP "r1 = 10; r1 = -r1;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __success __naked void alu_mov32_zext(void)
{ asm volatile (LOOKUP "r1 = -1; w1 = w1; r1 >>= 26;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __success __naked void alu_add32_wrap(void)
{ asm volatile (LOOKUP "w1 = -1; w1 += 2;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("math between map_value pointer and 4294967297 is not allowed") __naked void alu_add64_nowrap(void)
{ asm volatile (LOOKUP "w1 = -1; r1 += 2;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __success __naked void alu_be16(void)
{ asm volatile (LOOKUP "r1 = 0x2000; r1 = be16 r1;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("math between map_value pointer and 872415264 is not allowed") __naked void alu_le32(void)
{ asm volatile (LOOKUP "r1 = 0x1234000020; r1 = le32 r1;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("R6 unbounded memory access")
__naked void alu_be64_random(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r1 &= 3; r1 = be64 r1;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __success __naked void alu_sub32_x(void)
{ asm volatile (LOOKUP "w1 = 50; w2 = 8; w1 -= w2;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __success __naked void alu_mul32_wrap(void)
{ asm volatile (LOOKUP "w1 = 0x10000; w1 *= 0x10000;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void alu_div32(void)
{ asm volatile (LOOKUP "w1 = -1; w1 /= 0x8000000;" ACCESS :: __imm(bpf_map_lookup_elem), __imm_addr(arr) : __clobber_all); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void alu_lsh_x_bounded(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r2 = r0; r2 &= 3; r1 = 1; r1 <<= r2;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void alu_lsh_x_unbounded(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r2 = r0; r1 = 1; r1 <<= r2;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __success __naked void alu_and_x(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r2 = 31; r1 &= r2;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __success __naked void alu_add_two_ranges(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r1 &= 31; r7 = r1; call %[bpf_get_prandom_u32]; r0 &= 31; r1 = r7; r1 += r0;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("socket") __failure __msg("R6 max value is outside of the allowed memory range") __naked void alu_add_two_ranges_past(void)
{ asm volatile (LOOKUP "call %[bpf_get_prandom_u32]; r1 = r0; r1 &= 32; r7 = r1; call %[bpf_get_prandom_u32]; r0 &= 32; r1 = r7; r1 += r0;" ACCESS
  :: __imm(bpf_map_lookup_elem), __imm_addr(arr), __imm(bpf_get_prandom_u32) : __clobber_all); }

char _license[] SEC("license") = "GPL";
