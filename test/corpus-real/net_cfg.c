// Control-flow checks in hand-written asm of XDP helpers: check_cfg reports, in instruction order,
// the first instruction no path reaches before a jump into the second half of an ldimm64.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define __naked __attribute__((naked))
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"

SEC("xdp")
__naked int xdp_unreachable_then_ldimm64_middle(void)
{
	asm volatile ("r0 = 2;"
		      "if r1 != 0 goto +3;"
		      "exit;"
		      "r0 = 1;"
		      "r2 = 0x100000002 ll;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__naked int xdp_ldimm64_middle(void)
{
	asm volatile ("r0 = 2;"
		      "if r1 != 0 goto +1;"
		      "r2 = 0x100000002 ll;"
		      "exit;"
		      ::: __clobber_all);
}
