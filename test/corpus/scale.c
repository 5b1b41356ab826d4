/* Large programs in the spirit of the kernel's verifier scale tests (pyperf, strobemeta, loop-heavy
 * code): written for this corpus, used by bench/verify.bench.ts. All are accepted by the kernel. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

/* ---- pyperf-like: walk an interpreter's frame list, symbolise each frame into a per-CPU event ---- */
struct frame { void *code; void *back; int lineno; };
struct code_obj { void *filename; void *name; int firstline; };
struct symbol { char file[32]; char name[32]; int line; };
struct sample { int pid; int depth; int truncated; struct symbol stack[24]; };

struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, struct sample); } samples SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, int); __type(value, long); } symbol_ids SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } events SEC(".maps");

static __always_inline int read_symbol(struct frame *f, struct symbol *sym)
{
	struct code_obj code;
	void *p;
	if (bpf_probe_read_user(&p, sizeof(p), &f->code))
		return -1;
	if (bpf_probe_read_user(&code, sizeof(code), p))
		return -1;
	bpf_probe_read_user_str(sym->file, sizeof(sym->file), code.filename);
	bpf_probe_read_user_str(sym->name, sizeof(sym->name), code.name);
	bpf_probe_read_user(&sym->line, sizeof(sym->line), &f->lineno);
	if (sym->line < code.firstline)
		sym->line = code.firstline;
	return 0;
}

SEC("kprobe/do_nanosleep") __success
int scale_pyperf(void *ctx)
{
	int zero = 0;
	struct sample *s = bpf_map_lookup_elem(&samples, &zero);
	struct frame *f;
	if (!s)
		return 0;
	s->pid = bpf_get_current_pid_tgid() >> 32;
	s->depth = 0;
	s->truncated = 0;
	if (bpf_probe_read_user(&f, sizeof(f), (void *)bpf_get_current_task()))
		return 0;
#pragma unroll
	for (int i = 0; i < 24; i++) {
		void *back;
		if (!f)
			break;
		if (read_symbol(f, &s->stack[i]))
			break;
		{
			int id = s->stack[i].line;
			long *seen = bpf_map_lookup_elem(&symbol_ids, &id);
			if (seen)
				(*seen)++;
		}
		s->depth = i + 1;
		if (bpf_probe_read_user(&back, sizeof(back), &f->back))
			break;
		f = back;
	}
	if (f)
		s->truncated = 1;
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, s, sizeof(*s));
	return 0;
}

/* ---- strobemeta-like: read configured tags and string values from a process' memory ---- */
#define STROBE_TAGS 16
#define STROBE_STR 48
struct strobe_cfg { int nr; long offsets[STROBE_TAGS]; };
struct strobe_value { long len; long ptr; };
struct strobe_out { long ints[STROBE_TAGS]; int set_mask; int strs_len; char strs[STROBE_TAGS * STROBE_STR]; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, int); __type(value, struct strobe_cfg); } strobe_cfgs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, struct strobe_out); } strobe_bufs SEC(".maps");

SEC("kprobe/do_nanosleep") __success
int scale_strobemeta(void *ctx)
{
	int zero = 0, pid = bpf_get_current_pid_tgid() >> 32;
	struct strobe_cfg *cfg = bpf_map_lookup_elem(&strobe_cfgs, &pid);
	struct strobe_out *out = bpf_map_lookup_elem(&strobe_bufs, &zero);
	long base = 0;
	if (!cfg || !out)
		return 0;
	out->set_mask = 0;
	out->strs_len = 0;
	bpf_probe_read_user(&base, sizeof(base), (void *)bpf_get_current_task());
#pragma unroll
	for (int i = 0; i < STROBE_TAGS; i++) {
		struct strobe_value v;
		long off = cfg->offsets[i];
		if (i >= cfg->nr)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), (void *)(base + off)))
			continue;
		out->ints[i] = v.len;
		out->set_mask |= 1 << i;
		if (v.ptr) {
			int len = out->strs_len;
			if (len < 0 || len > (STROBE_TAGS - 1) * STROBE_STR)
				break;
			int n = bpf_probe_read_user_str(&out->strs[len], STROBE_STR, (void *)v.ptr);
			if (n > 0 && n <= STROBE_STR)
				out->strs_len = len + n;
		}
	}
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, out, sizeof(*out));
	return 0;
}

/* ---- loop-heavy: bounded loops with data-dependent branches over map values ---- */
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, unsigned char[256]); } table SEC(".maps");

SEC("socket") __success
int scale_loop_checksum(void *ctx)
{
	int zero = 0;
	unsigned char *t = bpf_map_lookup_elem(&table, &zero);
	unsigned int a = 1, b = 0;
	if (!t)
		return 0;
	for (int i = 0; i < 256; i++) {
		unsigned char c = t[i];
		if (c & 1)
			a += c;
		else
			a ^= c << 3;
		if (a > 0xfff1)
			a -= 0xfff1;
		b += a;
		if (b > 0xfff1)
			b -= 0xfff1;
	}
	return (b << 16 | a) & 1;
}

SEC("socket") __success
int scale_loop_nested(void *ctx)
{
	int zero = 0;
	unsigned char *t = bpf_map_lookup_elem(&table, &zero);
	unsigned int acc = 0;
	if (!t)
		return 0;
	for (int i = 0; i < 32; i++) {
		for (int j = 0; j < 32; j++) {
			unsigned int idx = (i * 8 + j) & 0xff;
			if (t[idx] > 128)
				acc += t[idx];
			else
				acc ^= j;
		}
	}
	return acc & 1;
}

SEC("socket") __success
int scale_loop_long(void *ctx)
{
	int zero = 0;
	unsigned char *t = bpf_map_lookup_elem(&table, &zero);
	unsigned int h = 2166136261u;
	if (!t)
		return 0;
	for (int i = 0; i < 4096; i++) {
		h ^= t[i & 0xff];
		h *= 16777619u;
		h = (h ^ (h >> 13)) + i;
	}
	return h & 1;
}

/* ---- XDP: walk up to eight IPv6 extension headers ---- */
struct ip6 { unsigned char vtc[4]; unsigned short len; unsigned char next; unsigned char hop; unsigned char src[16], dst[16]; };
struct ext { unsigned char next; unsigned char len; unsigned char pad[6]; };

SEC("xdp") __success
int scale_xdp_ipv6_ext(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	unsigned char *p = data;
	struct ip6 *ip;
	unsigned char next;
	if (p + 14 > (unsigned char *)end)
		return XDP_PASS;
	if (*(unsigned short *)(p + 12) != 0xdd86)
		return XDP_PASS;
	ip = (void *)(p + 14);
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	next = ip->next;
	p = (void *)(ip + 1);
#pragma unroll
	for (int i = 0; i < 8; i++) {
		struct ext *e = (void *)p;
		if (next != 0 && next != 43 && next != 60 && next != 44)
			break;
		if ((void *)(e + 1) > end)
			return XDP_DROP;
		next = e->next;
		p += (e->len + 1) * 8;
	}
	return next == 6 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
