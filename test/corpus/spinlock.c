/* bpf_spin_lock: one lock at a time, released before exit, no calls while held, no direct access. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct val { struct bpf_spin_lock lock; int cnt; int other; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, int); __type(value, struct val); } locks SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 2); __type(key, int); __type(value, struct val); } hlocks SEC(".maps");
struct plain { int a, b; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, struct plain); } nolock SEC(".maps");

static __always_inline struct val *get(int k)
{
	return bpf_map_lookup_elem(&locks, &k);
}

SEC("tc") __success
int lock_ok(struct __sk_buff *skb)
{
	struct val *v = get(skb->mark & 1);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") __success
int lock_hash_ok(struct __sk_buff *skb)
{
	int k = 0;
	struct val *v = bpf_map_lookup_elem(&hlocks, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->other = v->cnt;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") __failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region")
int lock_missing_unlock(struct __sk_buff *skb)
{
	struct val *v = get(skb->mark & 1);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	return 0;
}

SEC("tc") __failure __msg("function calls are not allowed while holding a lock") int lock_twice(struct __sk_buff *skb)
{
	struct val *a = get(0), *b = get(1);
	if (!a || !b)
		return 0;
	bpf_spin_lock(&a->lock);
	bpf_spin_lock(&b->lock);
	bpf_spin_unlock(&b->lock);
	bpf_spin_unlock(&a->lock);
	return 0;
}

SEC("tc") __failure __msg("function calls are not allowed while holding a lock")
int lock_helper_inside(struct __sk_buff *skb)
{
	struct val *v = get(skb->mark & 1);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt = bpf_get_prandom_u32();
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") __failure __msg("bpf_spin_unlock without taking a lock")
int lock_unlock_only(struct __sk_buff *skb)
{
	struct val *v = get(skb->mark & 1);
	if (!v)
		return 0;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") __failure __msg("bpf_spin_lock cannot be accessed directly by load/store")
__naked void lock_direct_access(void)
{
	asm volatile ("r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[locks] ll; call %[bpf_map_lookup_elem];"
		      "if r0 == 0 goto l0_%=; r1 = *(u32 *)(r0 + 0); l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_map_lookup_elem), __imm_addr(locks) : __clobber_all);
}

SEC("tc") __failure __msg("map 'nolock' has no valid bpf_spin_lock")
__naked void lock_map_without_lock(void)
{
	asm volatile ("r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[nolock] ll; call %[bpf_map_lookup_elem];"
		      "if r0 == 0 goto l0_%=; r6 = r0; r1 = r0; call %[bpf_spin_lock]; r1 = r6; call %[bpf_spin_unlock]; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(nolock) : __clobber_all);
}

SEC("tc") __failure __msg("off 4 doesn't point to 'struct bpf_spin_lock' that is at 0")
__naked void lock_wrong_offset(void)
{
	asm volatile ("r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[locks] ll; call %[bpf_map_lookup_elem];"
		      "if r0 == 0 goto l0_%=; r6 = r0; r1 = r0; r1 += 4; call %[bpf_spin_lock]; r1 = r6; r1 += 4; call %[bpf_spin_unlock]; l0_%=: r0 = 0; exit;"
		      :: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(locks) : __clobber_all);
}

SEC("tc") __failure __msg("R1 type=fp expected=map_value")
__naked void lock_on_stack(void)
{
	asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r1 = r10; r1 += -8; call %[bpf_spin_lock]; r0 = 0; exit;"
		      :: __imm(bpf_spin_lock) : __clobber_all);
}

SEC("tc") __failure __msg("bpf_spin_unlock of different lock")
int lock_unlock_other(struct __sk_buff *skb)
{
	struct val *a = get(0), *b = get(1);
	if (!a || !b)
		return 0;
	bpf_spin_lock(&a->lock);
	bpf_spin_unlock(&b->lock);
	return 0;
}

SEC("kprobe/do_nanosleep") __failure __msg("tracing progs cannot use bpf_spin_lock yet")
int lock_in_kprobe(void *ctx)
{
	struct val *v = get(0);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") __success
int lock_branchy(struct __sk_buff *skb)
{
	struct val *v = get(0);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	if (v->cnt > 10)
		v->cnt = 0;
	else
		v->cnt += 2;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") __failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region")
int lock_early_return(struct __sk_buff *skb)
{
	struct val *v = get(0);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	if (v->cnt > 10)
		return 1;
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

char _license[] SEC("license") = "GPL";
