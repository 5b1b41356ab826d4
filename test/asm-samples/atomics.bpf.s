# mirrors test/corpus/atomics.c (LLVM syntax)
	.section socket,"ax",@progbits
	.globl atomic_stack
atomic_stack:
	r1 = 0
	*(u64 *)(r10 - 8) = r1
	r1 = 2
	lock *(u64 *)(r10 - 8) += r1
	r0 = *(u64 *)(r10 - 8)
	exit

	.section socket,"ax",@progbits
	.globl atomic_ctx
atomic_ctx:
	r2 = 1
	lock *(u32 *)(r1 + 0) += w2
	r0 = 0
	exit

	.section socket,"ax",@progbits
	.globl atomic_cmpxchg_r0_uninit
atomic_cmpxchg_r0_uninit:
	r1 = 0
	*(u64 *)(r10 - 8) = r1
	r2 = r10
	r1 = 5
	.8byte 0x000000f1fff812db
	r0 = 0
	exit

	.section license,"aw",@progbits
	.asciz "GPL"
