// Workqueues (bpf_wq_init/set_callback/start): the bpf_wq must be the map value's field, the callback is
// verified like a timer callback.
#include "common.h"
char LICENSE[] SEC("license") = "GPL";
extern int bpf_wq_init(struct bpf_wq *wq, void *p__map, unsigned int flags) __ksym;
extern int bpf_wq_start(struct bpf_wq *wq, unsigned int flags) __ksym;
extern int bpf_wq_set_callback_impl(struct bpf_wq *wq, int (callback_fn)(void *map, int *key, void *value), unsigned int flags, void *aux__ign) __ksym;
struct elem { struct bpf_wq w; int x; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, int); __type(value, struct elem); } wqm SEC(".maps");
static int cb_ok(void *map, int *key, void *value) { return 0; }
/* Mistake: the callback reads far outside the map value. */
static int cb_bad(void *map, int *key, void *value) { return *(int *)(value + 4096); }
SEC("tc")
int wq_ok(struct __sk_buff *skb)
{
	int k = 0; struct elem *e = bpf_map_lookup_elem(&wqm, &k);
	if (!e) return 0;
	if (bpf_wq_init(&e->w, &wqm, 0)) return 0;
	if (bpf_wq_set_callback_impl(&e->w, cb_ok, 0, NULL)) return 0;
	bpf_wq_start(&e->w, 0);
	return 0;
}
SEC("tc")
int wq_bad_cb(struct __sk_buff *skb)
{
	int k = 0; struct elem *e = bpf_map_lookup_elem(&wqm, &k);
	if (!e) return 0;
	if (bpf_wq_init(&e->w, &wqm, 0)) return 0;
	if (bpf_wq_set_callback_impl(&e->w, cb_bad, 0, NULL)) return 0;
	bpf_wq_start(&e->w, 0);
	return 0;
}

/* Mistake: the bpf_wq pointer is not at the map value's bpf_wq field. */
SEC("tc")
int wq_wrong_offset(struct __sk_buff *skb)
{
	int k = 0; struct elem *e = bpf_map_lookup_elem(&wqm, &k);
	if (!e) return 0;
	bpf_wq_init((struct bpf_wq *)&e->x, &wqm, 0);
	return 0;
}

/* Mistake: the bpf_wq is on the stack. */
SEC("tc")
int wq_on_stack(struct __sk_buff *skb)
{
	struct elem e = {};
	bpf_wq_init(&e.w, &wqm, 0);
	return 0;
}
