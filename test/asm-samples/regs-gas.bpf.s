# mirrors test/corpus/regs.c (GAS syntax)
.section socket
.globl regs_callee_saved
regs_callee_saved:
	mov r6, 7
	call bpf_get_prandom_u32
	mov r0, r6
	exit

.section socket
.globl regs_r1_after_call
regs_r1_after_call:
	call bpf_get_prandom_u32
	mov r0, r1
	exit

.section socket
.globl regs_jmp_uninit
regs_jmp_uninit:
	mov r0, 0
	jgt r0, r7, done
done:
	exit
