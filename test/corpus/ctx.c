/* Context access per program type: which fields may be read or written, at which sizes. */
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

#define LD(sz, off) asm volatile ("r0 = *(" #sz " *)(r1 + %[o]); r0 = 0; exit;" :: __imm_const(o, off) : __clobber_all)
#define ST(sz, off) asm volatile ("r2 = 1; *(" #sz " *)(r1 + %[o]) = r2; r0 = 0; exit;" :: __imm_const(o, off) : __clobber_all)
#define SK(f) offsetof(struct __sk_buff, f)
#define XDP(f) offsetof(struct xdp_md, f)

/* socket filter: __sk_buff, read-only except cb[] */
SEC("socket") __success __naked void ctx_sock_len(void) { LD(u32, SK(len)); }
SEC("socket") __success __naked void ctx_sock_mark(void) { LD(u32, SK(mark)); }
SEC("socket") __success __naked void ctx_sock_protocol(void) { LD(u32, SK(protocol)); }
SEC("socket") __success __naked void ctx_sock_cb0_write(void) { ST(u32, SK(cb[0])); }
SEC("socket") __success __naked void ctx_sock_cb4_u8(void) { LD(u8, SK(cb[4])); }
SEC("socket") __failure __msg("invalid bpf_context access off=8 size=4") __naked void ctx_sock_mark_write(void) { ST(u32, SK(mark)); }
SEC("socket") __failure __msg("invalid bpf_context access off=76 size=4") __naked void ctx_sock_data(void) { LD(u32, SK(data)); }
SEC("socket") __failure __msg("invalid bpf_context access") __naked void ctx_sock_tc_classid(void) { LD(u32, SK(tc_classid)); }
SEC("socket") __failure __msg("invalid bpf_context access off=0 size=8") __naked void ctx_sock_len_u64(void) { LD(u64, SK(len)); }
SEC("socket") __success __naked void ctx_sock_len_u16(void) { LD(u16, SK(len)); }
SEC("socket") __failure __msg("invalid bpf_context access") __naked void ctx_sock_len_unaligned(void) { LD(u16, SK(len) + 1); }
SEC("socket") __failure __msg("invalid bpf_context access") __naked void ctx_sock_past_end(void) { LD(u32, sizeof(struct __sk_buff)); }
SEC("socket") __failure __msg("invalid bpf_context access") __naked void ctx_sock_negative(void) { asm volatile ("r0 = *(u32 *)(r1 - 4); r0 = 0; exit;" ::: __clobber_all); }
SEC("socket") __success __naked void ctx_sock_ifindex(void) { LD(u32, SK(ifindex)); }
SEC("socket") __success __naked void ctx_sock_hash(void) { LD(u32, SK(hash)); }
SEC("socket") __failure __msg("invalid bpf_context access") __naked void ctx_sock_tstamp(void) { LD(u64, SK(tstamp)); }
SEC("socket") __failure __msg("invalid bpf_context access off=88 size=4") __naked void ctx_sock_family(void) { LD(u32, SK(family)); }
SEC("socket") __success __naked void ctx_sock_sk(void) { LD(u64, SK(sk)); }

/* tc: more fields, some writable */
SEC("tc") __success __naked void ctx_tc_data(void) { LD(u32, SK(data)); }
SEC("tc") __success __naked void ctx_tc_data_end(void) { LD(u32, SK(data_end)); }
SEC("tc") __success __naked void ctx_tc_mark_write(void) { ST(u32, SK(mark)); }
SEC("tc") __success __naked void ctx_tc_priority_write(void) { ST(u32, SK(priority)); }
SEC("tc") __success __naked void ctx_tc_tc_classid_write(void) { ST(u32, SK(tc_classid)); }
SEC("tc") __failure __msg("invalid bpf_context access") __naked void ctx_tc_len_write(void) { ST(u32, SK(len)); }
SEC("tc") __success __naked void ctx_tc_tstamp(void) { LD(u64, SK(tstamp)); }
SEC("tc") __success __naked void ctx_tc_tstamp_write(void) { ST(u64, SK(tstamp)); }
SEC("tc") __failure __msg("invalid bpf_context access") __naked void ctx_tc_data_write(void) { ST(u32, SK(data)); }
SEC("tc") __success __naked void ctx_tc_data_meta(void) { LD(u32, SK(data_meta)); }
SEC("tc") __success __naked void ctx_tc_wire_len(void) { LD(u32, SK(wire_len)); }
SEC("tc") __success __naked void ctx_tc_gso_size(void) { LD(u32, SK(gso_size)); }

/* cgroup_skb */
SEC("cgroup_skb/ingress") __success __naked void ctx_cgskb_len(void) { LD(u32, SK(len)); }
SEC("cgroup_skb/ingress") __success __naked void ctx_cgskb_data(void) { LD(u32, SK(data)); }
SEC("cgroup_skb/egress") __success __naked void ctx_cgskb_mark_write(void) { ST(u32, SK(mark)); }
SEC("cgroup_skb/egress") __success __naked void ctx_cgskb_tc_index(void) { LD(u32, SK(tc_index)); }
SEC("cgroup_skb/egress") __failure __msg("invalid bpf_context access") __naked void ctx_cgskb_data_meta(void) { LD(u32, SK(data_meta)); }

/* xdp */
SEC("xdp") __success __naked void ctx_xdp_data(void) { LD(u32, XDP(data)); }
SEC("xdp") __success __naked void ctx_xdp_data_meta(void) { LD(u32, XDP(data_meta)); }
SEC("xdp") __success __naked void ctx_xdp_ingress_ifindex(void) { LD(u32, XDP(ingress_ifindex)); }
SEC("xdp") __success __naked void ctx_xdp_rx_queue(void) { LD(u32, XDP(rx_queue_index)); }
SEC("xdp") __failure __msg("invalid bpf_context access off=20 size=4") __naked void ctx_xdp_egress_ifindex(void) { LD(u32, XDP(egress_ifindex)); }
SEC("xdp") __failure __msg("invalid bpf_context access off=24 size=4") __naked void ctx_xdp_past_end(void) { LD(u32, 24); }
SEC("xdp") __failure __msg("invalid bpf_context access off=0 size=8") __naked void ctx_xdp_data_u64(void) { LD(u64, XDP(data)); }
SEC("xdp") __failure __msg("invalid bpf_context access") __naked void ctx_xdp_data_write(void) { ST(u32, XDP(data)); }
SEC("xdp") __failure __msg("invalid bpf_context access") __naked void ctx_xdp_data_u16(void) { LD(u16, XDP(data)); }

/* kprobe: struct pt_regs, u64 reads */
SEC("kprobe/do_nanosleep") __success __naked void ctx_kprobe_di(void) { LD(u64, 112 /* di */); }
SEC("kprobe/do_nanosleep") __success __naked void ctx_kprobe_ip(void) { LD(u64, 128 /* ip */); }
SEC("kprobe/do_nanosleep") __success __naked void ctx_kprobe_u32(void) { LD(u32, 104 /* si */); }
SEC("kprobe/do_nanosleep") __failure __msg("invalid bpf_context access") __naked void ctx_kprobe_past_end(void) { LD(u64, 168 /* sizeof(struct pt_regs) on x86-64 */); }
SEC("kprobe/do_nanosleep") __failure __msg("invalid bpf_context access") __naked void ctx_kprobe_unaligned(void) { LD(u64, 4); }
SEC("kprobe/do_nanosleep") __failure __msg("invalid bpf_context access") __naked void ctx_kprobe_write(void) { ST(u64, 0); }

/* tracepoint: the raw record */
SEC("tracepoint/syscalls/sys_enter_nanosleep") __success __naked void ctx_tp_first(void) { LD(u64, 8); }
SEC("tracepoint/syscalls/sys_enter_nanosleep") __failure __msg("invalid bpf_context access off=0 size=2") __naked void ctx_tp_common(void) { LD(u16, 0); }
SEC("tracepoint/syscalls/sys_enter_nanosleep") __failure __msg("invalid bpf_context access") __naked void ctx_tp_write(void) { ST(u64, 8); }
SEC("tracepoint/syscalls/sys_enter_nanosleep") __success __naked void ctx_tp_negative(void) { asm volatile ("r0 = *(u64 *)(r1 - 8); r0 = 0; exit;" ::: __clobber_all); }

/* raw_tp: u64 args */
SEC("raw_tp/sys_enter") __success __naked void ctx_rawtp_arg0(void) { LD(u64, 0); }
SEC("raw_tp/sys_enter") __success __naked void ctx_rawtp_arg1(void) { LD(u64, 8); }
SEC("raw_tp/sys_enter") __success __naked void ctx_rawtp_u32(void) { LD(u32, 0); }
SEC("raw_tp/sys_enter") __failure __msg("invalid bpf_context access") __naked void ctx_rawtp_write(void) { ST(u64, 0); }

/* perf_event: struct bpf_perf_event_data */
SEC("perf_event") __success __naked void ctx_perf_regs(void) { LD(u64, 0); }
SEC("perf_event") __success __naked void ctx_perf_sample_period(void) { LD(u64, 168); }
SEC("perf_event") __success __naked void ctx_perf_addr(void) { LD(u64, 176); }
SEC("perf_event") __failure __msg("invalid bpf_context access") __naked void ctx_perf_past_end(void) { LD(u64, 184); }
SEC("perf_event") __failure __msg("invalid bpf_context access") __naked void ctx_perf_write(void) { ST(u64, 0); }

/* other program types */
SEC("sockops") __success __naked void ctx_sockops_op(void) { LD(u32, offsetof(struct bpf_sock_ops, op)); }
SEC("sockops") __success __naked void ctx_sockops_reply_write(void) { ST(u32, offsetof(struct bpf_sock_ops, reply)); }
SEC("sockops") __failure __msg("invalid bpf_context access") __naked void ctx_sockops_op_write(void) { ST(u32, offsetof(struct bpf_sock_ops, op)); }
SEC("sk_skb") __success __naked void ctx_skskb_len(void) { LD(u32, SK(len)); }
SEC("sk_skb") __failure __msg("invalid bpf_context access") __naked void ctx_skskb_tc_classid(void) { LD(u32, SK(tc_classid)); }
SEC("sk_msg") __success __naked void ctx_skmsg_family(void) { LD(u32, offsetof(struct sk_msg_md, family)); }
SEC("sk_msg") __success __naked void ctx_skmsg_data(void) { LD(u64, offsetof(struct sk_msg_md, data)); }
SEC("sk_msg") __failure __msg("invalid bpf_context access") __naked void ctx_skmsg_data_u32(void) { LD(u32, offsetof(struct sk_msg_md, data)); }
SEC("cgroup/sock_create") __success __naked void ctx_sock_create_family(void) { LD(u32, offsetof(struct bpf_sock, family)); }
SEC("cgroup/sock_create") __success __naked void ctx_sock_create_mark_write(void) { ST(u32, offsetof(struct bpf_sock, mark)); }
SEC("cgroup/sock_create") __failure __msg("invalid bpf_context access") __naked void ctx_sock_create_family_write(void) { ST(u32, offsetof(struct bpf_sock, family)); }
SEC("cgroup/connect4") __success __naked void ctx_connect4_user_ip4(void) { LD(u32, offsetof(struct bpf_sock_addr, user_ip4)); }
SEC("cgroup/connect4") __success __naked void ctx_connect4_port_write(void) { ST(u32, offsetof(struct bpf_sock_addr, user_port)); }
SEC("cgroup/connect4") __failure __msg("invalid bpf_context access") __naked void ctx_connect4_ip6(void) { LD(u32, offsetof(struct bpf_sock_addr, user_ip6)); }
SEC("cgroup/dev") __success __naked void ctx_dev_major(void) { LD(u32, offsetof(struct bpf_cgroup_dev_ctx, major)); }
SEC("cgroup/dev") __failure __msg("invalid bpf_context access") __naked void ctx_dev_write(void) { ST(u32, offsetof(struct bpf_cgroup_dev_ctx, major)); }
SEC("cgroup/sysctl") __success __naked void ctx_sysctl_write_flag(void) { LD(u32, offsetof(struct bpf_sysctl, write)); }
SEC("cgroup/sysctl") __success __naked void ctx_sysctl_file_pos_write(void) { ST(u32, offsetof(struct bpf_sysctl, file_pos)); }
SEC("cgroup/getsockopt") __success __naked void ctx_getsockopt_level(void) { LD(u32, offsetof(struct bpf_sockopt, level)); }
SEC("cgroup/getsockopt") __success __naked void ctx_getsockopt_retval_write(void) { ST(u32, offsetof(struct bpf_sockopt, retval)); }
SEC("flow_dissector") __success __naked void ctx_flow_keys(void) { LD(u64, SK(flow_keys)); }
SEC("flow_dissector") __failure __msg("invalid bpf_context access") __naked void ctx_flow_mark(void) { LD(u32, SK(mark)); }
SEC("sk_lookup") __success __naked void ctx_sklookup_local_port(void) { LD(u32, offsetof(struct bpf_sk_lookup, local_port)); }
SEC("sk_lookup") __failure __msg("invalid bpf_context access") __naked void ctx_sklookup_write(void) { ST(u32, offsetof(struct bpf_sk_lookup, local_port)); }
SEC("lwt_in") __success __naked void ctx_lwt_len(void) { LD(u32, SK(len)); }
SEC("lwt_in") __success __naked void ctx_lwt_mark_write(void) { ST(u32, SK(mark)); }

char _license[] SEC("license") = "GPL";
