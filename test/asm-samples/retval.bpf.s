# mirrors test/corpus/retval.c (LLVM syntax): return values per program type
	.section cgroup_skb/ingress,"ax",@progbits
	.globl ret_cgskb_2
ret_cgskb_2:
	r0 = 2
	exit

	.section cgroup_skb/ingress,"ax",@progbits
	.globl ret_cgskb_masked
ret_cgskb_masked:
	call bpf_get_prandom_u32
	r0 &= 1
	exit

	.section cgroup_skb/ingress,"ax",@progbits
	.globl ret_cgskb_unknown
ret_cgskb_unknown:
	call bpf_get_prandom_u32
	r0 &= 3
	exit

	.section xdp,"ax",@progbits
	.globl ret_xdp_any
ret_xdp_any:
	r0 = 1234
	exit

	.section license,"aw",@progbits
	.asciz "GPL"
