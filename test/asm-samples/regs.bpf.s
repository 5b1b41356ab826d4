# mirrors test/corpus/regs.c (LLVM syntax)
	.section socket,"ax",@progbits
	.globl regs_read_r2
	.type regs_read_r2,@function
regs_read_r2:
	r0 = r2
	exit

	.section socket,"ax",@progbits
	.globl regs_write_r10
	.type regs_write_r10,@function
regs_write_r10:
	r10 = 0
	r0 = 0
	exit

	.section socket,"ax",@progbits
	.globl regs_one_branch
	.type regs_one_branch,@function
regs_one_branch:
	call bpf_get_prandom_u32
	if r0 == 0 goto .Lone_join
	r2 = 1
.Lone_join:
	r0 = r2
	exit

	.section socket,"ax",@progbits
	.globl regs_both_branches
	.type regs_both_branches,@function
regs_both_branches:
	call bpf_get_prandom_u32
	if r0 == 0 goto .Lboth_else
	r2 = 1
	goto .Lboth_join
.Lboth_else:
	r2 = 2
.Lboth_join:
	r0 = r2
	exit

	.section license,"aw",@progbits
	.asciz "GPL"
