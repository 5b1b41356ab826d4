/* bpf-to-bpf calls: frames, argument and return registers, stack depth, recursion, global functions. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

#define SUB(name, body) \
	__attribute__((used, noinline, naked)) static void name(void) { asm volatile (body ::: __clobber_all); }

SUB(sub_ret7, "r0 = 7; exit;")
SUB(sub_ret_r1, "r0 = r1; exit;")
SUB(sub_no_r0, "r1 = 1; exit;")
SUB(sub_read_r6, "r0 = r6; exit;")
SUB(sub_store_arg, "r2 = 9; *(u64 *)(r1 + 0) = r2; r0 = 0; exit;")
SUB(sub_load_arg, "r0 = *(u64 *)(r1 + 0); exit;")
SUB(sub_load_arg_far, "r0 = *(u64 *)(r1 + 8); exit;")
SUB(sub_ctx_len, "r0 = *(u32 *)(r1 + 0); exit;")
SUB(sub_big_stack, "r1 = 0; *(u64 *)(r10 - 304) = r1; r0 = 0; exit;")
SUB(sub_recursive, "call sub_recursive; r0 = 0; exit;")
SUB(sub_clobber, "r1 = 0; r2 = 0; r3 = 0; r4 = 0; r5 = 0; r0 = 1; exit;")
SUB(sub_return_fp, "r0 = r10; exit;")
SUB(sub_d8, "call sub_d7; exit;")
SUB(sub_d7, "call sub_d6; exit;")
SUB(sub_d6, "call sub_d5; exit;")
SUB(sub_d5, "call sub_d4; exit;")
SUB(sub_d4, "call sub_d3; exit;")
SUB(sub_d3, "call sub_d2; exit;")
SUB(sub_d2, "call sub_d1; exit;")
SUB(sub_d1, "r0 = 0; exit;")
SUB(sub_helper, "call 7; exit;") /* 7 = bpf_get_prandom_u32 */

SEC("socket") __success __retval(7)
__naked void call_simple(void) { asm volatile ("call sub_ret7; exit;" ::: __clobber_all); }
SEC("socket") __success __retval(5)
__naked void call_arg(void) { asm volatile ("r1 = 5; call sub_ret_r1; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("R0 !read_ok")
__naked void call_callee_no_r0(void) { asm volatile ("call sub_no_r0; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("R6 !read_ok")
__naked void call_callee_reads_callers_r6(void) { asm volatile ("r6 = 1; call sub_read_r6; exit;" ::: __clobber_all); }
SEC("socket") __success __retval(9)
__naked void call_write_callers_stack(void)
{ asm volatile ("r1 = r10; r1 += -8; call sub_store_arg; r0 = *(u64 *)(r10 - 8); exit;" ::: __clobber_all); }
SEC("socket") __success
__naked void call_read_callers_stack(void)
{ asm volatile ("r1 = 3; *(u64 *)(r10 - 8) = r1; r1 = r10; r1 += -8; call sub_load_arg; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("invalid read from stack")
__naked void call_read_callers_stack_oob(void)
{ asm volatile ("r1 = 3; *(u64 *)(r10 - 8) = r1; r1 = r10; r1 += -8; call sub_load_arg_far; exit;" ::: __clobber_all); }
SEC("socket") __success
__naked void call_ctx_arg(void) { asm volatile ("call sub_ctx_len; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("R1 invalid mem access 'scalar'")
__naked void call_ctx_arg_scalar(void) { asm volatile ("r1 = 0; call sub_ctx_len; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("combined stack size of 2 calls is")
__naked void call_stack_too_big(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 256) = r1; call sub_big_stack; r0 = 0; exit;" ::: __clobber_all); }
SEC("socket") __success
__naked void call_stack_fits(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 200) = r1; call sub_big_stack; r0 = 0; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("the call stack of 9 frames is too deep") __naked void call_recursion(void) { asm volatile ("call sub_recursive; r0 = 0; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("R1 !read_ok")
__naked void call_caller_regs_scratched(void) { asm volatile ("r1 = 4; call sub_clobber; r0 = r1; exit;" ::: __clobber_all); }
SEC("socket") __success __retval(4)
__naked void call_callee_saved_kept(void) { asm volatile ("r7 = 4; call sub_clobber; r0 = r7; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("cannot return stack pointer to the caller") __naked void call_returned_fp_is_dead(void)
{ asm volatile ("call sub_return_fp; r0 = *(u64 *)(r0 - 8); exit;" ::: __clobber_all); }
SEC("socket") __success
__naked void call_depth_8(void) { asm volatile ("call sub_d7; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("the call stack of 9 frames is too deep")
__naked void call_depth_9(void) { asm volatile ("call sub_d8; exit;" ::: __clobber_all); }
SEC("socket") __success
__naked void call_helper_in_sub(void) { asm volatile ("call sub_helper; exit;" ::: __clobber_all); }
SEC("socket") __failure __msg("R2 !read_ok")
__naked void call_args_beyond_r1(void) { asm volatile ("r2 = r2; call sub_ret7; exit;" ::: __clobber_all); }

/* global functions are verified on their own, with arguments from their BTF types */
__noinline int glob_add(int a, int b) { return a + b; }
__noinline int glob_ctx(struct __sk_buff *skb) { return skb ? skb->len : 0; }
__noinline int glob_ptr(int *p) { return p ? *p : 0; }
__noinline int glob_ptr_unchecked(int *p) { return *p; }
__noinline long glob_arr(long *p) { return p ? p[1] : 0; }

SEC("tc") __success
int call_global_scalar(struct __sk_buff *skb) { return glob_add(skb->len, 1) & 1; }
SEC("tc") __success
int call_global_ctx(struct __sk_buff *skb) { return glob_ctx(skb) & 1; }
SEC("tc") __success
int call_global_ptr(struct __sk_buff *skb) { int x = skb->len; return glob_ptr(&x) & 1; }
SEC("tc") __failure __msg("R1 invalid mem access 'mem_or_null'")
int call_global_ptr_unchecked(struct __sk_buff *skb) { int x = skb->len; return glob_ptr_unchecked(&x) & 1; }
SEC("tc") __success
int call_global_ptr_null(struct __sk_buff *skb) { return glob_ptr(0) & 1; }
SEC("tc") __failure __msg("Caller passes invalid args into func#1 ('glob_arr')") int call_global_ptr_too_small(struct __sk_buff *skb) { int x = skb->len; return glob_arr((long *)&x) & 1; }

char _license[] SEC("license") = "GPL";
