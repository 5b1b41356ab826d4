/* Return values: program types that give R0 a meaning restrict its range at exit. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

#define RET(v) asm volatile ("r0 = " #v "; exit;" ::: __clobber_all)
#define RET_RAND(mask) asm volatile ("call %[bpf_get_prandom_u32]; r0 &= " #mask "; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all)

SEC("cgroup_skb/ingress") __success __naked void ret_cgskb_1(void) { RET(1); }
SEC("cgroup_skb/ingress") __failure __msg("At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]") __naked void ret_cgskb_2(void) { RET(2); }
SEC("cgroup_skb/egress") __success __naked void ret_cgskb_egress_3(void) { RET(3); }
SEC("cgroup_skb/egress") __failure __msg("should have been in [0, 3]") __naked void ret_cgskb_egress_4(void) { RET(4); }
SEC("cgroup_skb/ingress") __success __naked void ret_cgskb_masked(void) { RET_RAND(1); }
SEC("cgroup_skb/ingress") __failure __msg("should have been in [0, 1]") __naked void ret_cgskb_unknown(void) { RET_RAND(3); }
SEC("cgroup/sock_create") __success __naked void ret_sock_create_0(void) { RET(0); }
SEC("cgroup/sock_create") __failure __msg("should have been in [0, 1]") __naked void ret_sock_create_2(void) { RET(2); }
SEC("cgroup/connect4") __success __naked void ret_connect4_1(void) { RET(1); }
SEC("cgroup/connect4") __failure __msg("should have been in [0, 1]") __naked void ret_connect4_neg(void) { RET(-1); }
SEC("cgroup/dev") __success __naked void ret_dev_1(void) { RET(1); }
SEC("cgroup/dev") __failure __msg("should have been in [0, 1]") __naked void ret_dev_5(void) { RET(5); }
SEC("cgroup/sysctl") __failure __msg("should have been in [0, 1]") __naked void ret_sysctl_2(void) { RET(2); }
SEC("cgroup/getsockopt") __success __naked void ret_getsockopt_1(void) { RET(1); }
SEC("cgroup/getsockopt") __failure __msg("should have been in [0, 1]") __naked void ret_getsockopt_2(void) { RET(2); }
SEC("sockops") __failure __msg("At program exit the register R0 has smin=77 smax=77 should have been in [0, 1]") __naked void ret_sockops_any(void) { RET(77); }
SEC("sk_lookup") __success __naked void ret_sklookup_1(void) { RET(1); }
SEC("sk_lookup") __failure __msg("should have been in [0, 1]") __naked void ret_sklookup_2(void) { RET(2); }
SEC("xdp") __success __naked void ret_xdp_any(void) { RET(1234); }
SEC("tc") __success __naked void ret_tc_any(void) { RET(-1); }
SEC("socket") __success __naked void ret_socket_any(void) { RET(-5); }
SEC("kprobe/do_nanosleep") __success __naked void ret_kprobe_any(void) { RET(9); }
SEC("tracepoint/syscalls/sys_enter_nanosleep") __success __naked void ret_tp_any(void) { RET(9); }
SEC("raw_tp/sys_enter") __success __naked void ret_rawtp_any(void) { RET(9); }
SEC("perf_event") __success __naked void ret_perf_any(void) { RET(9); }
SEC("sk_skb") __success __naked void ret_skskb_any(void) { RET(9); }
SEC("sk_msg") __success __naked void ret_skmsg_1(void) { RET(1); }
SEC("sk_msg") __success __naked void ret_skmsg_2(void) { RET(2); }
SEC("flow_dissector") __success __naked void ret_flow_any(void) { RET(0); }
SEC("lwt_in") __success __naked void ret_lwt_any(void) { RET(0); }
SEC("cgroup_skb/ingress") __failure __msg("R0 !read_ok") __naked void ret_cgskb_uninit(void) { asm volatile ("exit;" ::: __clobber_all); }
SEC("cgroup_skb/ingress") __failure __msg("At program exit the register R0 is not a known value (ctx)") __naked void ret_cgskb_pointer(void) { asm volatile ("r0 = r1; exit;" ::: __clobber_all); }
SEC("cgroup_skb/ingress") __success __naked void ret_cgskb_branches(void)
{ asm volatile ("call %[bpf_get_prandom_u32]; if r0 > 1 goto l0_%=; exit; l0_%=: r0 = 0; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all); }
SEC("cgroup_skb/ingress") __success __naked void ret_cgskb_32bit(void)
{ asm volatile ("r0 = 0x100000000 ll; w0 = w0; exit;" ::: __clobber_all); }

char _license[] SEC("license") = "GPL";
