/* Open-coded iterators (bpf_iter_num_new/next/destroy) and loops written with them. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, char[32]); } arr SEC(".maps");

SEC("socket") __success
int iter_sum(void *ctx)
{
	struct bpf_iter_num it;
	int *v, sum = 0;
	bpf_iter_num_new(&it, 0, 100);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	bpf_iter_num_destroy(&it);
	return sum & 1;
}

SEC("socket") __failure __msg("BPF_EXIT instruction in main prog would lead to reference leak") int iter_no_destroy(void *ctx)
{
	struct bpf_iter_num it;
	int *v, sum = 0;
	bpf_iter_num_new(&it, 0, 10);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	return sum & 1;
}

SEC("socket") __failure __msg("R0 invalid mem access 'scalar'") __naked void iter_next_unchecked(void)
{
	asm volatile ("r1 = r10; r1 += -8; r2 = 0; r3 = 10; call %[bpf_iter_num_new];"
		      "r1 = r10; r1 += -8; call %[bpf_iter_num_next]; r6 = *(u32 *)(r0 + 0);"
		      "r1 = r10; r1 += -8; call %[bpf_iter_num_destroy]; r0 = 0; exit;"
		      :: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("socket") __failure __msg("expected an initialized iter_num as arg #0")
__naked void iter_next_uninit(void)
{
	asm volatile ("r1 = r10; r1 += -8; call %[bpf_iter_num_next]; r0 = 0; exit;"
		      :: __imm(bpf_iter_num_next) : __clobber_all);
}

SEC("socket") __failure __msg("expected an initialized iter_num as arg #0")
__naked void iter_destroy_twice(void)
{
	asm volatile ("r1 = r10; r1 += -8; r2 = 0; r3 = 10; call %[bpf_iter_num_new];"
		      "r1 = r10; r1 += -8; call %[bpf_iter_num_destroy]; r1 = r10; r1 += -8; call %[bpf_iter_num_destroy]; r0 = 0; exit;"
		      :: __imm(bpf_iter_num_new), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("socket") __failure __msg("expected uninitialized iter_num as arg #0")
__naked void iter_new_twice(void)
{
	asm volatile ("r1 = r10; r1 += -8; r2 = 0; r3 = 10; call %[bpf_iter_num_new];"
		      "r1 = r10; r1 += -8; r2 = 0; r3 = 10; call %[bpf_iter_num_new];"
		      "r1 = r10; r1 += -8; call %[bpf_iter_num_destroy]; r0 = 0; exit;"
		      :: __imm(bpf_iter_num_new), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("socket") __failure __msg("arg#0 expected pointer to an iterator on stack")
__naked void iter_not_on_stack(void)
{
	asm volatile ("r2 = 0; r3 = 10; call %[bpf_iter_num_new]; r0 = 0; exit;"
		      :: __imm(bpf_iter_num_new) : __clobber_all);
}

SEC("socket") __failure __msg("expected an initialized iter_num as arg #0") __naked void iter_overwrite_slot(void)
{
	asm volatile ("r1 = r10; r1 += -8; r2 = 0; r3 = 10; call %[bpf_iter_num_new];"
		      "r1 = 0; *(u64 *)(r10 - 8) = r1;"
		      "r1 = r10; r1 += -8; call %[bpf_iter_num_destroy]; r0 = 0; exit;"
		      :: __imm(bpf_iter_num_new), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("socket") __success
int iter_index_map_value(void *ctx)
{
	struct bpf_iter_num it;
	int k = 0, *v;
	char *val = bpf_map_lookup_elem(&arr, &k);
	if (!val)
		return 0;
	bpf_iter_num_new(&it, 0, 32);
	while ((v = bpf_iter_num_next(&it))) {
		if (*v >= 0 && *v < 32)
			val[*v] = 1;
	}
	bpf_iter_num_destroy(&it);
	return 0;
}

SEC("socket") __failure __msg("value -2147483648 makes map_value pointer be out of bounds") int iter_index_unchecked(void *ctx)
{
	struct bpf_iter_num it;
	int k = 0, *v;
	char *val = bpf_map_lookup_elem(&arr, &k);
	if (!val)
		return 0;
	bpf_iter_num_new(&it, 0, 32);
	while ((v = bpf_iter_num_next(&it)))
		val[*v] = 1;
	bpf_iter_num_destroy(&it);
	return 0;
}

SEC("socket") __success
int iter_nested(void *ctx)
{
	struct bpf_iter_num a, b;
	int *i, *j, sum = 0;
	bpf_iter_num_new(&a, 0, 10);
	while ((i = bpf_iter_num_next(&a))) {
		bpf_iter_num_new(&b, 0, 10);
		while ((j = bpf_iter_num_next(&b)))
			sum += *i * *j;
		bpf_iter_num_destroy(&b);
	}
	bpf_iter_num_destroy(&a);
	return sum & 1;
}

SEC("socket") __success
int iter_huge_range(void *ctx)
{
	struct bpf_iter_num it;
	int *v, n = 0;
	bpf_iter_num_new(&it, 0, 1 << 20);
	while ((v = bpf_iter_num_next(&it)))
		n++;
	bpf_iter_num_destroy(&it);
	return n & 1;
}

/* an iterator's slot is not data: reading its bytes (here the low 4) is refused */
SEC("socket") __failure __msg("invalid read from stack off -8+0 size 4")
int iter_read_slot(void *ctx)
{
	struct bpf_iter_num it;
	int x;
	bpf_iter_num_new(&it, 0, 10);
	x = *(volatile int *)&it;
	bpf_iter_num_destroy(&it);
	return x & 1;
}

char _license[] SEC("license") = "GPL";
