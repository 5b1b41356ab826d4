/* BPF graph API: lists and rbtrees of bpf_obj_new objects, in map values and global data
 * sections, the bpf_spin_lock that protects them, owning and non-owning references,
 * bpf_refcount_acquire. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "bpf_misc.h"

char LICENSE[] SEC("license") = "GPL";

/* the uapi header of this toolchain predates these; the kernel knows them by name */
struct bpf_list_head { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 __opaque[3]; } __attribute__((aligned(8)));
struct bpf_rb_root { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_rb_node { __u64 __opaque[4]; } __attribute__((aligned(8)));
struct bpf_refcount { __u32 __opaque[1]; } __attribute__((aligned(4)));

#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define private(name) SEC(".bss." #name) __attribute__((visibility("hidden"), aligned(8)))
/* container_of comes from bpf_helpers.h */

extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;
extern void *bpf_refcount_acquire_impl(void *kptr__refcounted_kptr, void *meta__ign) __ksym;
extern int bpf_list_push_front_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta__ign, __u64 off) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta__ign, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_front(struct bpf_list_head *head) __ksym;
extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			       _Bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b), void *meta__ign, __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;

#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(p) bpf_obj_drop_impl(p, NULL)
#define bpf_refcount_acquire(p) bpf_refcount_acquire_impl(p, NULL)
#define bpf_list_push_front(h, n) bpf_list_push_front_impl(h, n, NULL, 0)
#define bpf_list_push_back(h, n) bpf_list_push_back_impl(h, n, NULL, 0)
#define bpf_rbtree_add(r, n, less) bpf_rbtree_add_impl(r, n, less, NULL, 0)

struct item {
	long key;
	struct bpf_list_node node;
	long data;
};

struct tnode {
	struct bpf_rb_node rb;
	long key;
	struct bpf_list_node ln;
	struct bpf_refcount ref;
};

/* one lock and its collections per global section */
private(A) struct bpf_spin_lock glock;
private(A) struct bpf_list_head ghead __contains(item, node);
private(B) struct bpf_spin_lock tlock;
private(B) struct bpf_rb_root groot __contains(tnode, rb);
private(B) struct bpf_list_head tlist __contains(tnode, ln);
private(C) struct bpf_spin_lock other_lock;

struct map_value {
	struct bpf_spin_lock lock;
	int pad;
	struct bpf_list_head head __contains(item, node);
};
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, struct map_value); } lists SEC(".maps");

static _Bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct tnode *x = container_of(a, struct tnode, rb);
	struct tnode *y = container_of(b, struct tnode, rb);

	return x->key < y->key;
}

SEC("tc") __success
int list_push_pop_global(struct __sk_buff *skb)
{
	struct bpf_list_node *ln;
	struct item *it = bpf_obj_new(typeof(*it));

	if (!it)
		return 0;
	it->key = skb->len;
	bpf_spin_lock(&glock);
	bpf_list_push_back(&ghead, &it->node);
	ln = bpf_list_pop_front(&ghead);
	bpf_spin_unlock(&glock);
	if (!ln)
		return 0;
	it = container_of(ln, struct item, node);
	skb->mark = it->key;
	bpf_obj_drop(it);
	return 0;
}

SEC("tc") __success
int list_in_map_value(struct __sk_buff *skb)
{
	int k = 0;
	struct bpf_list_node *ln;
	struct map_value *v = bpf_map_lookup_elem(&lists, &k);
	struct item *it;

	if (!v)
		return 0;
	it = bpf_obj_new(typeof(*it));
	if (!it)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_list_push_front(&v->head, &it->node);
	/* a non-owning reference: readable and writable until the unlock */
	it->data = 7;
	ln = bpf_list_pop_back(&v->head);
	bpf_spin_unlock(&v->lock);
	if (ln)
		bpf_obj_drop(container_of(ln, struct item, node));
	return 0;
}

SEC("tc") __success
int list_front_peek(struct __sk_buff *skb)
{
	struct bpf_list_node *ln;
	long key = 0;

	bpf_spin_lock(&glock);
	ln = bpf_list_front(&ghead);
	if (ln)
		key = container_of(ln, struct item, node)->key;
	bpf_spin_unlock(&glock);
	return key == 1;
}

SEC("tc") __success
int rbtree_add_first_remove(struct __sk_buff *skb)
{
	struct bpf_rb_node *rb;
	struct tnode *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 0;
	n->key = skb->len;
	bpf_spin_lock(&tlock);
	bpf_rbtree_add(&groot, &n->rb, less);
	rb = bpf_rbtree_first(&groot);
	if (!rb) {
		bpf_spin_unlock(&tlock);
		return 0;
	}
	rb = bpf_rbtree_remove(&groot, rb);
	bpf_spin_unlock(&tlock);
	if (!rb)
		return 0;
	n = container_of(rb, struct tnode, rb);
	skb->mark = n->key;
	bpf_obj_drop(n);
	return 0;
}

SEC("tc") __success
int refcounted_in_tree_and_list(struct __sk_buff *skb)
{
	struct tnode *n = bpf_obj_new(typeof(*n)), *m;

	if (!n)
		return 0;
	m = bpf_refcount_acquire(n);
	bpf_spin_lock(&tlock);
	bpf_rbtree_add(&groot, &n->rb, less);
	bpf_list_push_back(&tlist, &m->ln);
	bpf_spin_unlock(&tlock);
	return 0;
}

SEC("tc") __failure __msg("bpf_spin_lock at off=0 must be held for bpf_list_head")
int list_pop_without_lock(struct __sk_buff *skb)
{
	struct bpf_list_node *ln = bpf_list_pop_front(&ghead);

	if (ln)
		bpf_obj_drop(container_of(ln, struct item, node));
	return 0;
}

SEC("tc") __failure __msg("bpf_spin_lock at off=0 must be held for bpf_rb_root")
int rbtree_first_without_lock(struct __sk_buff *skb)
{
	return bpf_rbtree_first(&groot) != NULL;
}

SEC("tc") __failure __msg("bpf_spin_lock at off=0 must be held for bpf_list_head")
int list_other_lock(struct __sk_buff *skb)
{
	struct bpf_list_node *ln;

	bpf_spin_lock(&other_lock);
	ln = bpf_list_pop_front(&ghead);
	bpf_spin_unlock(&other_lock);
	if (ln)
		bpf_obj_drop(container_of(ln, struct item, node));
	return 0;
}

SEC("tc") __failure __msg("invalid mem access 'scalar'")
int list_use_after_unlock(struct __sk_buff *skb)
{
	struct item *it = bpf_obj_new(typeof(*it));

	if (!it)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_back(&ghead, &it->node);
	bpf_spin_unlock(&glock);
	return it->key;
}

SEC("tc") __failure __msg("arg#1 expected pointer to allocated object")
int list_double_push(struct __sk_buff *skb)
{
	struct item *it = bpf_obj_new(typeof(*it));

	if (!it)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_back(&ghead, &it->node);
	bpf_list_push_front(&ghead, &it->node);
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tc") __failure __msg("bpf_list_node not found at offset=0")
int list_push_wrong_member(struct __sk_buff *skb)
{
	struct item *it = bpf_obj_new(typeof(*it));

	if (!it)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_back(&ghead, (struct bpf_list_node *)it);
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tc") __failure __msg("reference leak")
int list_popped_not_dropped(struct __sk_buff *skb)
{
	struct bpf_list_node *ln;

	bpf_spin_lock(&glock);
	ln = bpf_list_pop_front(&ghead);
	bpf_spin_unlock(&glock);
	return ln != NULL;
}

SEC("tc") __failure __msg("bpf_list_head cannot be accessed directly by load/store")
int list_head_direct_read(struct __sk_buff *skb)
{
	int k = 0;
	struct map_value *v = bpf_map_lookup_elem(&lists, &k);

	if (!v)
		return 0;
	return *(long *)&v->head != 0;
}

SEC("tc") __failure __msg("direct access to bpf_list_node is disallowed")
int node_direct_write(struct __sk_buff *skb)
{
	struct item *it = bpf_obj_new(typeof(*it));

	if (!it)
		return 0;
	*(long *)&it->node = 0;
	bpf_obj_drop(it);
	return 0;
}

SEC("tc") __failure __msg("bpf_rbtree_remove can only take non-owning or refcounted bpf_rb_node pointer")
int rbtree_remove_after_unlock(struct __sk_buff *skb)
{
	struct bpf_rb_node *rb;
	struct tnode *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 0;
	bpf_spin_lock(&tlock);
	bpf_rbtree_add(&groot, &n->rb, less);
	bpf_spin_unlock(&tlock);
	bpf_spin_lock(&tlock);
	rb = bpf_rbtree_remove(&groot, &n->rb);
	bpf_spin_unlock(&tlock);
	if (rb)
		bpf_obj_drop(container_of(rb, struct tnode, rb));
	return 0;
}

SEC("tc") __failure __msg("function calls are not allowed while holding a lock")
int obj_new_under_lock(struct __sk_buff *skb)
{
	struct item *it;

	bpf_spin_lock(&glock);
	it = bpf_obj_new(typeof(*it));
	bpf_spin_unlock(&glock);
	if (it)
		bpf_obj_drop(it);
	return 0;
}

/* bpf_obj_new objects stashed in a map value's kptr field */
#define __kptr __attribute__((btf_type_tag("kptr")))
struct stash { struct item __kptr *it; long pad; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, struct stash); } stashes SEC(".maps");

SEC("tc") __success
int kptr_stash_local(struct __sk_buff *skb)
{
	int k = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &k);
	struct item *it, *old;

	if (!s)
		return 0;
	it = bpf_obj_new(typeof(*it));
	if (!it)
		return 0;
	it->key = skb->len;
	old = bpf_kptr_xchg(&s->it, it);
	if (old)
		bpf_obj_drop(old);
	return 0;
}

SEC("tc") __success
int kptr_unstash_and_push(struct __sk_buff *skb)
{
	int k = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &k);
	struct item *it;

	if (!s)
		return 0;
	it = bpf_kptr_xchg(&s->it, NULL);
	if (!it)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_front(&ghead, &it->node);
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tc") __failure __msg("invalid kptr access, R2 type=ptr_tnode expected=ptr_item")
int kptr_stash_wrong_type(struct __sk_buff *skb)
{
	int k = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &k);
	struct tnode *n;
	void *old;

	if (!s)
		return 0;
	n = bpf_obj_new(typeof(*n));
	if (!n)
		return 0;
	old = bpf_kptr_xchg(&s->it, n);
	if (old)
		bpf_obj_drop(old);
	return 0;
}

SEC("tc") __failure __msg("reference leak")
int kptr_unstash_leak(struct __sk_buff *skb)
{
	int k = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &k);

	if (!s)
		return 0;
	return bpf_kptr_xchg(&s->it, NULL) != NULL;
}

SEC("tc") __failure __msg("local type ID argument must be in range [0, U32_MAX]")
int obj_new_type_id_too_big(struct __sk_buff *skb)
{
	void *p = bpf_obj_new_impl(~0ULL, NULL);

	if (p)
		bpf_obj_drop(p);
	return 0;
}

struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

static __attribute__((noinline)) int bump_locked(struct item *it)
{
	return it ? 1 : 0;
}

SEC("tc") __success
int static_call_under_lock(struct __sk_buff *skb)
{
	int r;

	bpf_spin_lock(&glock);
	r = bump_locked(NULL);
	bpf_spin_unlock(&glock);
	return r;
}

SEC("tc") __success
int iter_num_under_lock(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_spin_lock(&glock);
	bpf_iter_num_new(&it, 0, 4);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	bpf_iter_num_destroy(&it);
	bpf_spin_unlock(&glock);
	return sum;
}

SEC("tc") __success
int kptr_neighbour_field(struct __sk_buff *skb)
{
	int k = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &k);

	if (!s)
		return 0;
	s->pad = skb->len;
	return 0;
}
