# mirrors test/corpus/stack.c (LLVM syntax)
	.section socket,"ax",@progbits
	.globl stack_below_limit
stack_below_limit:
	r1 = 0
	*(u64 *)(r10 - 520) = r1
	r0 = 0
	exit

	.section socket,"ax",@progbits
	.globl stack_misaligned
stack_misaligned:
	r1 = 0
	*(u32 *)(r10 - 6) = r1
	r0 = 0
	exit

	.section socket,"ax",@progbits
	.globl stack_spill_ctx_fill
stack_spill_ctx_fill:
	*(u64 *)(r10 - 8) = r1
	r1 = *(u64 *)(r10 - 8)
	r0 = *(u32 *)(r1 + 0)
	exit

	.section socket,"ax",@progbits
	.globl stack_fill_after_partial_overwrite
stack_fill_after_partial_overwrite:
	*(u64 *)(r10 - 8) = r1
	r2 = 0
	*(u8 *)(r10 - 8) = r2
	r1 = *(u64 *)(r10 - 8)
	r0 = *(u32 *)(r1 + 0)
	exit

	.section license,"aw",@progbits
	.asciz "GPL"
