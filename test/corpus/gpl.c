/* A program under a non-GPL license may not call GPL-only helpers. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("kprobe/do_nanosleep") __failure __msg("cannot call GPL-restricted function from non-GPL compatible program")
__naked void gpl_probe_read_kernel(void)
{ asm volatile ("r1 = r10; r1 += -8; r2 = 8; r3 = 0; call %[bpf_probe_read_kernel]; r0 = 0; exit;" :: __imm(bpf_probe_read_kernel) : __clobber_all); }

SEC("kprobe/do_nanosleep") __failure __msg("cannot call GPL-restricted function from non-GPL compatible program")
__naked void gpl_trace_printk(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r1 = r10; r1 += -8; r2 = 8; call %[bpf_trace_printk]; r0 = 0; exit;" :: __imm(bpf_trace_printk) : __clobber_all); }

SEC("kprobe/do_nanosleep") __success
__naked void gpl_map_free_helper(void)
{ asm volatile ("call %[bpf_get_prandom_u32]; r0 = 0; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all); }

SEC("kprobe/do_nanosleep") __failure __msg("cannot call GPL-restricted function from non-GPL compatible program")
__naked void gpl_get_current_task(void)
{ asm volatile ("call %[bpf_get_current_task]; r0 = 0; exit;" :: __imm(bpf_get_current_task) : __clobber_all); }

SEC("socket") __success
__naked void gpl_socket_ktime(void)
{ asm volatile ("call %[bpf_ktime_get_ns]; r0 = 0; exit;" :: __imm(bpf_ktime_get_ns) : __clobber_all); }

SEC("kprobe/do_nanosleep") __success
__naked void gpl_pid_tgid(void)
{ asm volatile ("call %[bpf_get_current_pid_tgid]; r0 = 0; exit;" :: __imm(bpf_get_current_pid_tgid) : __clobber_all); }

char _license[] SEC("license") = "Proprietary";
