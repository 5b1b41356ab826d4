# mirrors test/corpus/stack.c (GAS syntax)
.section socket
.globl stack_store_load
stack_store_load:
	mov r1, 5
	stxdw [r10-8], r1
	ldxdw r0, [r10-8]
	exit

.section socket
.globl stack_above_frame
stack_above_frame:
	mov r1, 0
	stxdw [r10+0], r1
	mov r0, 0
	exit

.section socket
.globl stack_st_imm
stack_st_imm:
	stdw [r10-16], 42
	ldxdw r0, [r10-16]
	exit
