# mirrors test/corpus/alu.c (GAS syntax): constant divisors and shifts
.section socket
.globl alu_div_k_zero
alu_div_k_zero:
	mov r0, 1
	div r0, 0
	exit

.section socket
.globl alu_mod_k_zero
alu_mod_k_zero:
	mov r0, 1
	mod r0, 0
	exit

.section socket
.globl alu_lsh_64
alu_lsh_64:
	mov r0, 1
	lsh r0, 64
	exit

.section socket
.globl alu_lsh32_32
alu_lsh32_32:
	mov32 r0, 1
	lsh32 r0, 32
	exit
