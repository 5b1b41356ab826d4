/* Helper calls: argument types, map-type compatibility, availability per program type. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, int); __type(value, long long); } hmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, int); __type(value, long long); } amap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } perf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 4); } progs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 16); __uint(key_size, 4); __uint(value_size, 8 * 127); } stacks SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 16); __uint(value_size, 8); } queue SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SOCKMAP); __uint(max_entries, 4); __type(key, int); __type(value, int); } socks SEC(".maps");

#define KEY "r1 = 0; *(u64 *)(r10 - 8) = r1; r2 = r10; r2 += -8;"
#define ARGS :: __imm(bpf_map_lookup_elem), __imm(bpf_map_update_elem), __imm(bpf_map_delete_elem), \
	__imm(bpf_perf_event_output), __imm(bpf_tail_call), __imm(bpf_ringbuf_output), __imm(bpf_get_stackid), \
	__imm(bpf_map_push_elem), __imm(bpf_probe_read_kernel), __imm(bpf_get_current_pid_tgid), __imm(bpf_skb_load_bytes), \
	__imm(bpf_xdp_adjust_head), __imm(bpf_trace_printk), __imm(bpf_get_prandom_u32), __imm(bpf_redirect_map), \
	__imm(bpf_csum_diff), __imm(bpf_sk_redirect_map), __imm(bpf_get_current_comm), \
	__imm_addr(hmap), __imm_addr(amap), __imm_addr(perf), __imm_addr(progs), __imm_addr(rb), __imm_addr(stacks), \
	__imm_addr(queue), __imm_addr(socks) : __clobber_all

SEC("socket") __success __naked void helper_lookup_hash(void)
{ asm volatile (KEY "r1 = %[hmap] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R1 type=scalar expected=map_ptr")
__naked void helper_lookup_scalar_map(void)
{ asm volatile (KEY "r1 = 0; call %[bpf_map_lookup_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_")
__naked void helper_lookup_scalar_key(void)
{ asm volatile ("r2 = 0; r1 = %[hmap] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_lookup_uninit_key(void)
{ asm volatile ("r2 = r10; r2 += -8; r1 = %[hmap] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("invalid read from stack R2 off=-2 size=4") __naked void helper_lookup_key_past_frame(void)
{ asm volatile ("r2 = r10; r2 += -2; r1 = %[hmap] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_update_hash(void)
{ asm volatile (KEY "r3 = r10; r3 += -8; r4 = 0; r1 = %[hmap] ll; call %[bpf_map_update_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R3 !read_ok")
__naked void helper_update_missing_value(void)
{ asm volatile (KEY "r4 = 0; r1 = %[hmap] ll; call %[bpf_map_update_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_update_value_from_map(void)
{ asm volatile (KEY "r1 = %[amap] ll; call %[bpf_map_lookup_elem]; if r0 == 0 goto l0_%=; r3 = r0; r2 = r10; r2 += -8;"
		"r4 = 0; r1 = %[hmap] ll; call %[bpf_map_update_elem]; l0_%=: r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_delete_hash(void)
{ asm volatile (KEY "r1 = %[hmap] ll; call %[bpf_map_delete_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_delete_array(void)
{ asm volatile (KEY "r1 = %[amap] ll; call %[bpf_map_delete_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("cannot pass map_type 4 into func bpf_map_lookup_elem#1")
__naked void helper_lookup_perf_array(void)
{ asm volatile (KEY "r1 = %[perf] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("cannot pass map_type 3 into func bpf_map_lookup_elem#1")
__naked void helper_lookup_prog_array(void)
{ asm volatile (KEY "r1 = %[progs] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("invalid zero-sized read") __naked void helper_lookup_ringbuf(void)
{ asm volatile (KEY "r1 = %[rb] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_tail_call(void)
{ asm volatile ("r2 = %[progs] ll; r3 = 0; call %[bpf_tail_call]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("expected prog array map for tail call") __naked void helper_tail_call_hash(void)
{ asm volatile ("r2 = %[hmap] ll; r3 = 0; call %[bpf_tail_call]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_perf_output(void)
{ asm volatile ("r2 = %[perf] ll; r3 = 0; *(u64 *)(r10 - 8) = r3; r4 = r10; r4 += -8; r5 = 8; call %[bpf_perf_event_output]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("cannot pass map_type 1 into func bpf_perf_event_output#25")
__naked void helper_perf_output_hash(void)
{ asm volatile ("r2 = %[hmap] ll; r3 = 0; *(u64 *)(r10 - 8) = r3; r4 = r10; r4 += -8; r5 = 8; call %[bpf_perf_event_output]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("invalid read from stack R4 off=-8 size=16") __naked void helper_perf_output_size_too_big(void)
{ asm volatile ("r2 = %[perf] ll; r3 = 0; *(u64 *)(r10 - 8) = r3; r4 = r10; r4 += -8; r5 = 16; call %[bpf_perf_event_output]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R5 min value is negative, either use unsigned or 'var &= const'") __naked void helper_perf_output_size_unknown(void)
{ asm volatile ("r6 = r1; call %[bpf_get_prandom_u32]; r5 = r0; r1 = r6; r2 = %[perf] ll; r3 = 0; *(u64 *)(r10 - 8) = r3; r4 = r10; r4 += -8; call %[bpf_perf_event_output]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_ringbuf_output(void)
{ asm volatile ("r1 = %[rb] ll; r2 = 0; *(u64 *)(r10 - 8) = r2; r2 = r10; r2 += -8; r3 = 8; r4 = 0; call %[bpf_ringbuf_output]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R3 min value is negative")
__naked void helper_ringbuf_output_negative_size(void)
{ asm volatile ("r1 = %[rb] ll; r2 = 0; *(u64 *)(r10 - 8) = r2; r2 = r10; r2 += -8; r3 = -1; r4 = 0; call %[bpf_ringbuf_output]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_queue_push(void)
{ asm volatile ("r1 = %[queue] ll; r2 = 0; *(u64 *)(r10 - 8) = r2; r2 = r10; r2 += -8; r3 = 0; call %[bpf_map_push_elem]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("cannot pass map_type 2 into func bpf_map_push_elem#87")
__naked void helper_push_array(void)
{ asm volatile ("r1 = %[amap] ll; r2 = 0; *(u64 *)(r10 - 8) = r2; r2 = r10; r2 += -8; r3 = 0; call %[bpf_map_push_elem]; r0 = 0; exit;" ARGS); }
SEC("kprobe/do_nanosleep") __success __naked void helper_get_stackid(void)
{ asm volatile ("r2 = %[stacks] ll; r3 = 0; call %[bpf_get_stackid]; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("program of this type cannot use helper bpf_get_stackid#27")
__naked void helper_get_stackid_in_socket(void)
{ asm volatile ("r2 = %[stacks] ll; r3 = 0; call %[bpf_get_stackid]; r0 = 0; exit;" ARGS); }
SEC("kprobe/do_nanosleep") __success __naked void helper_probe_read(void)
{ asm volatile ("r1 = r10; r1 += -8; r2 = 8; r3 = 0; call %[bpf_probe_read_kernel]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_probe_read_in_socket(void)
{ asm volatile ("r1 = r10; r1 += -8; r2 = 8; r3 = 0; call %[bpf_probe_read_kernel]; r0 = 0; exit;" ARGS); }
SEC("kprobe/do_nanosleep") __success __naked void helper_pid_tgid_kprobe(void)
{ asm volatile ("call %[bpf_get_current_pid_tgid]; r0 = 0; exit;" ARGS); }
SEC("xdp") __success __naked void helper_pid_tgid_xdp(void)
{ asm volatile ("call %[bpf_get_current_pid_tgid]; r0 = 0; exit;" ARGS); }
SEC("tc") __success __naked void helper_skb_load_bytes(void)
{ asm volatile ("r2 = 0; r3 = r10; r3 += -8; r4 = 8; call %[bpf_skb_load_bytes]; r0 = 0; exit;" ARGS); }
SEC("tc") __failure __msg("R1 type=scalar expected=ctx")
__naked void helper_skb_load_bytes_no_ctx(void)
{ asm volatile ("r1 = 0; r2 = 0; r3 = r10; r3 += -8; r4 = 8; call %[bpf_skb_load_bytes]; r0 = 0; exit;" ARGS); }
SEC("tc") __failure __msg("R4 invalid zero-sized read")
__naked void helper_skb_load_bytes_zero(void)
{ asm volatile ("r2 = 0; r3 = r10; r3 += -8; r4 = 0; call %[bpf_skb_load_bytes]; r0 = 0; exit;" ARGS); }
SEC("xdp") __success __naked void helper_xdp_adjust_head(void)
{ asm volatile ("r2 = 0; call %[bpf_xdp_adjust_head]; r0 = 2; exit;" ARGS); }
SEC("tc") __failure __msg("program of this type cannot use helper bpf_xdp_adjust_head#44")
__naked void helper_xdp_adjust_head_tc(void)
{ asm volatile ("r2 = 0; call %[bpf_xdp_adjust_head]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_trace_printk(void)
{ asm volatile ("r1 = 0x0a6968; *(u64 *)(r10 - 8) = r1; r1 = r10; r1 += -8; r2 = 4; call %[bpf_trace_printk]; r0 = 0; exit;" ARGS); }
SEC("xdp") __failure __msg("cannot pass map_type 2 into func bpf_redirect_map#51") __naked void helper_redirect_map_wrong_type(void)
{ asm volatile ("r1 = %[amap] ll; r2 = 0; r3 = 0; call %[bpf_redirect_map]; exit;" ARGS); }
SEC("socket") __failure __msg("invalid func unknown#999")
__naked void helper_unknown_id(void)
{ asm volatile ("call 999; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("program of this type cannot use helper bpf_csum_diff#28") __naked void helper_csum_diff(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r1 = r10; r1 += -8; r2 = 8; r3 = 0; r4 = 0; r5 = 0; call %[bpf_csum_diff]; r0 = 0; exit;" ARGS); }
SEC("sk_msg") __failure __msg("program of this type cannot use helper bpf_sk_redirect_map#52") __naked void helper_sk_redirect_map(void)
{ asm volatile ("r2 = %[socks] ll; r3 = 0; r4 = 0; call %[bpf_sk_redirect_map]; r0 = 1; exit;" ARGS); }
SEC("kprobe/do_nanosleep") __success __naked void helper_get_comm(void)
{ asm volatile ("r1 = r10; r1 += -16; r2 = 16; call %[bpf_get_current_comm]; r0 = 0; exit;" ARGS); }
SEC("kprobe/do_nanosleep") __failure __msg("invalid write to stack R1 off=-16 size=17") __naked void helper_get_comm_too_big(void)
{ asm volatile ("r1 = r10; r1 += -16; r2 = 17; call %[bpf_get_current_comm]; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void helper_lookup_key_from_value(void)
{ asm volatile (KEY "r1 = %[amap] ll; call %[bpf_map_lookup_elem]; if r0 == 0 goto l0_%=; r2 = r0; r1 = %[hmap] ll; call %[bpf_map_lookup_elem]; l0_%=: r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R2 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_")
__naked void helper_lookup_key_ctx(void)
{ asm volatile ("r2 = r1; r1 = %[hmap] ll; call %[bpf_map_lookup_elem]; r0 = 0; exit;" ARGS); }

char _license[] SEC("license") = "GPL";
