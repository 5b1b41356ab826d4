/* The stack: bounds, alignment, spill and fill of scalars and pointers, reads of unwritten slots,
 * variable-offset access. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

#define ARGS :: __imm(bpf_get_prandom_u32), __imm(bpf_map_lookup_elem) : __clobber_all

SEC("socket") __success __retval(5) __naked void stack_store_load(void)
{ asm volatile ("r1 = 5; *(u64 *)(r10 - 8) = r1; r0 = *(u64 *)(r10 - 8); exit;" ARGS); }
SEC("socket") __success __naked void stack_read_uninit(void)
{ asm volatile ("r0 = *(u64 *)(r10 - 8); exit;" ARGS); }
SEC("socket") __success __naked void stack_read_half_init(void)
{ asm volatile ("r1 = 0; *(u32 *)(r10 - 8) = r1; r0 = *(u32 *)(r10 - 4); exit;" ARGS); }
SEC("socket") __success __naked void stack_read_part_init(void)
{ asm volatile ("r1 = 0; *(u32 *)(r10 - 8) = r1; r0 = *(u32 *)(r10 - 8); exit;" ARGS); }
SEC("socket") __failure __msg("invalid write to stack R10 off=-520 size=8")
__naked void stack_below_limit(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 520) = r1; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void stack_at_limit(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 512) = r1; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("invalid write to stack R10 off=0 size=8")
__naked void stack_above_frame(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 + 0) = r1; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("misaligned stack access off 0+0+-4 size 8") __naked void stack_straddle_top(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 4) = r1; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("misaligned stack access off 0+0+-6 size 4") __naked void stack_misaligned(void)
{ asm volatile ("r1 = 0; *(u32 *)(r10 - 6) = r1; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void stack_byte_stores(void)
{ asm volatile ("r1 = 1; *(u8 *)(r10 - 1) = r1; *(u8 *)(r10 - 2) = r1; r0 = *(u16 *)(r10 - 2); exit;" ARGS); }
SEC("socket") __success __naked void stack_st_imm(void)
{ asm volatile ("*(u64 *)(r10 - 16) = 42; r0 = *(u64 *)(r10 - 16); exit;" ARGS); }
SEC("socket") __success __naked void stack_spill_ctx_fill(void)
{ asm volatile ("*(u64 *)(r10 - 8) = r1; r1 = *(u64 *)(r10 - 8); r0 = *(u32 *)(r1 + 0); exit;" ARGS); }
SEC("socket") __failure __msg("invalid size of register spill")
__naked void stack_spill_ctx_32(void)
{ asm volatile ("*(u32 *)(r10 - 8) = r1; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("invalid size of register fill")
__naked void stack_fill_ptr_32(void)
{ asm volatile ("*(u64 *)(r10 - 8) = r1; r0 = *(u32 *)(r10 - 8); exit;" ARGS); }
SEC("socket") __success __naked void stack_spill_ptr_overwritten(void)
{ asm volatile ("*(u64 *)(r10 - 8) = r1; r2 = 0; *(u64 *)(r10 - 8) = r2; r0 = *(u64 *)(r10 - 8); exit;" ARGS); }
SEC("socket") __success __naked void stack_partial_overwrite_of_ptr(void)
{ asm volatile ("*(u64 *)(r10 - 8) = r1; r2 = 0; *(u32 *)(r10 - 8) = r2; r0 = *(u32 *)(r10 - 8); exit;" ARGS); }
SEC("socket") __failure __msg("R1 invalid mem access 'scalar'")
__naked void stack_fill_after_partial_overwrite(void)
{ asm volatile ("*(u64 *)(r10 - 8) = r1; r2 = 0; *(u8 *)(r10 - 8) = r2; r1 = *(u64 *)(r10 - 8); r0 = *(u32 *)(r1 + 0); exit;" ARGS); }
SEC("socket") __success __naked void stack_ptr_through_copy(void)
{ asm volatile ("r2 = r10; r2 += -16; r3 = 7; *(u64 *)(r2 + 0) = r3; r0 = *(u64 *)(r10 - 16); exit;" ARGS); }
SEC("socket") __success __naked void stack_ptr_copy_uninit(void)
{ asm volatile ("r2 = r10; r2 += -16; r0 = *(u64 *)(r2 - 8); exit;" ARGS); }
SEC("socket") __success __naked void stack_var_offset_read_init(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1;"
		"call %[bpf_get_prandom_u32]; r0 &= 8; r1 = r10; r1 += -16; r1 += r0; r0 = *(u64 *)(r1 + 0); exit;" ARGS); }
SEC("socket") __success __naked void stack_var_offset_read_uninit(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1;"
		"call %[bpf_get_prandom_u32]; r0 &= 8; r1 = r10; r1 += -16; r1 += r0; r0 = *(u64 *)(r1 + 0); exit;" ARGS); }
SEC("socket") __success __naked void stack_var_offset_write(void)
{ asm volatile ("call %[bpf_get_prandom_u32]; r0 &= 8; r1 = r10; r1 += -16; r1 += r0; r2 = 0; *(u64 *)(r1 + 0) = r2; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("invalid variable-offset write to stack R1")
__naked void stack_var_offset_write_oob(void)
{ asm volatile ("call %[bpf_get_prandom_u32]; r0 &= 16; r1 = r10; r1 += -16; r1 += r0; r2 = 0; *(u64 *)(r1 + 0) = r2; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void stack_scalar_spill_keeps_const(void)
{ asm volatile ("r1 = 3; *(u64 *)(r10 - 8) = r1; r2 = *(u64 *)(r10 - 8); if r2 == 3 goto l0_%=; r0 = *(u64 *)(r10 - 100); l0_%=: r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void stack_deep_frame(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 256) = r1; *(u64 *)(r10 - 504) = r1; r0 = *(u64 *)(r10 - 504); exit;" ARGS); }
SEC("socket") __success __naked void stack_read_deepest_uninit(void)
{ asm volatile ("r0 = *(u64 *)(r10 - 512); exit;" ARGS); }
SEC("socket") __success __naked void stack_zero_byte_read_as_u64(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r0 = *(u8 *)(r10 - 5); exit;" ARGS); }
SEC("socket") __success __naked void stack_spill_map_value(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r0 = r10; *(u64 *)(r10 - 16) = r0; r1 = *(u64 *)(r10 - 16); r0 = *(u64 *)(r1 - 8); exit;" ARGS); }

char _license[] SEC("license") = "GPL";
