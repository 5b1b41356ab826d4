# mirrors test/corpus/calls.c (LLVM syntax): BPF-to-BPF calls into .text
	.text
sub_ret7:
	r0 = 7
	exit
sub_read_r6:
	r0 = r6
	exit
sub_recursive:
	call sub_recursive
	r0 = 0
	exit
sub_clobber:
	r1 = 0
	r2 = 0
	r3 = 0
	r4 = 0
	r5 = 0
	r0 = 1
	exit

	.section socket,"ax",@progbits
	.globl call_simple
call_simple:
	call sub_ret7
	exit

	.section socket,"ax",@progbits
	.globl call_callee_reads_callers_r6
call_callee_reads_callers_r6:
	r6 = 1
	call sub_read_r6
	exit

	.section socket,"ax",@progbits
	.globl call_recursion
call_recursion:
	call sub_recursive
	r0 = 0
	exit

	.section socket,"ax",@progbits
	.globl call_caller_regs_scratched
call_caller_regs_scratched:
	r1 = 4
	call sub_clobber
	r0 = r1
	exit

	.section socket,"ax",@progbits
	.globl call_callee_saved_kept
call_callee_saved_kept:
	r7 = 4
	call sub_clobber
	r0 = r7
	exit

	.section license,"aw",@progbits
	.asciz "GPL"
