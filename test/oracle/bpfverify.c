// bpfverify: asks the running kernel's verifier for its verdict on BPF programs, one JSON line each.
//
//   bpfverify probe                      is loading permitted here? {"ok":true} or {"ok":false,"reason":...}
//   bpfverify obj FILE.o [PROG]          load each program of an ELF object alone (libbpf autoload)
//   bpfverify raw < SPECS.jsonl          load raw instruction specs, one JSON object per input line
//
// Options (before the mode): --log-level N (level for the retry on failure, default 1; 0 = no retry),
// --tail N (log lines kept in log_tail, default 12), --run (obj mode: BPF_PROG_TEST_RUN accepted
// programs once on 64 zero bytes and report retval), --verbose (libbpf messages to stderr),
// --user-sizes (obj mode: map sizes user space sets before load, see set_user_sizes).
//
// Every load is first done at log level 4 (BPF_LOG_STATS) only: that log holds the error message,
// "verification time N usec" and "processed N insns" without the per-instruction trace, so it never
// overflows. A failed load is repeated at the retry level (| 4) to capture the trace's tail; the
// kernel's rotating log keeps the end, which is where the error is.
//
// Exit: 0 done (whatever the verdicts), 2 usage, 3 loading not permitted here, 1 other failure.
// Build: cc -O2 -o bpfverify bpfverify.c -lbpf -lelf -lz
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define LOG_SIZE (16u << 20)
#define RETRY_MAX_PROCESSED 100000
#define BPF_LOG_STATS_LEVEL 4u /* BPF_LOG_STATS: error lines and statistics, no trace */

static int opt_retry_level = 1;
static int opt_tail = 12;
static bool opt_run;
static bool opt_verbose;
static bool opt_user_sizes;
static char *log_buf;

/* ---------- JSON output ---------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* ---------- log analysis ---------- */

struct verdict {
	bool ok;
	int err; /* positive errno, 0 on success */
	long processed;
	long vtime_usec;
	const char *skip;   /* reason when the program cannot be loaded on this machine at all */
	char error_line[1024];
	char *tail;         /* malloc'd */
	bool ran;
	unsigned int retval;
	int run_err;
};

/* "verification time N usec" or "processed N insns" at r (no sscanf: glibc's measures the whole
 * remaining string on every call, which is quadratic over a 16 MB log). */
static bool starts_stats(const char *r)
{
	const char *p;
	if (strncmp(r, "verification time ", 18) == 0)
		p = r + 18;
	else if (strncmp(r, "processed ", 10) == 0)
		p = r + 10;
	else
		return false;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return strncmp(p, " usec", 5) == 0 || strncmp(p, " insns", 6) == 0;
}

/* Splits the log into lines (in place on a copy) and picks the kernel's final error line: the last
 * non-empty line before the statistics block ("verification time", "stack depth", "processed N
 * insns"), the state dumps some messages are followed by ("cur state:", "old state:") and the
 * failing instruction's source line ("; ..."), or the
 * last non-empty line when there is no statistics block (early failures). */
static void analyse_log(const char *log, struct verdict *v, bool take_error)
{
	/* Some messages lack their newline ("expected prog array map for tail call"), so the
	 * statistics start mid-line: break the line there. */
	size_t n = strlen(log);
	char *copy = malloc(n * 2 + 1), *w = copy;
	for (const char *r = log; *r; r++) {
		if (r > log && r[-1] != '\n' && (*r == 'v' || *r == 'p') && starts_stats(r))
			*w++ = '\n';
		*w++ = *r;
	}
	*w = 0;
	char **lines = NULL;
	size_t cnt = 0, cap = 0;
	for (char *p = copy, *save = NULL, *tok; (tok = strtok_r(p, "\n", &save)); p = NULL) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 256;
			lines = realloc(lines, cap * sizeof(*lines));
		}
		lines[cnt++] = tok;
	}
	long stats_at = -1;
	for (long i = (long)cnt - 1; i >= 0; i--) {
		long num;
		if (sscanf(lines[i], "processed %ld insns", &num) == 1) {
			v->processed = num;
			stats_at = i;
		} else if (sscanf(lines[i], "verification time %ld usec", &num) == 1) {
			v->vtime_usec = num;
			stats_at = i;
		} else if (strncmp(lines[i], "stack depth ", 12) == 0) {
			stats_at = i;
		} else if (stats_at >= 0) {
			break;
		}
	}
	if (take_error) {
		long end = stats_at >= 0 ? stats_at : (long)cnt;
		for (long i = end - 1; i >= 0; i--) {
			/* state dumps that follow some messages ("infinite loop detected") */
			if (strncmp(lines[i], "cur state:", 10) == 0 || strncmp(lines[i], "old state:", 10) == 0)
				continue;
			/* the source line of the failing instruction, printed after the message at level 4 */
			if (strncmp(lines[i], "; ", 2) == 0)
				continue;
			if (lines[i][0] && strspn(lines[i], " \t") != strlen(lines[i])) {
				snprintf(v->error_line, sizeof(v->error_line), "%s", lines[i]);
				break;
			}
		}
	}
	size_t from = cnt > (size_t)opt_tail ? cnt - opt_tail : 0;
	size_t len = 1;
	for (size_t i = from; i < cnt; i++)
		len += strlen(lines[i]) + 1;
	free(v->tail);
	v->tail = calloc(1, len);
	for (size_t i = from; i < cnt; i++) {
		strcat(v->tail, lines[i]);
		if (i + 1 < cnt)
			strcat(v->tail, "\n");
	}
	free(lines);
	free(copy);
}

static void print_verdict(const char *key, const char *name, const char *section, const struct verdict *v)
{
	printf("{\"%s\":", key);
	json_str(stdout, name);
	if (section) {
		printf(",\"section\":");
		json_str(stdout, section);
	}
	if (v->skip) {
		printf(",\"ok\":null,\"skip\":");
		json_str(stdout, v->skip);
		printf(",\"errno\":%d}\n", v->err);
		fflush(stdout);
		return;
	}
	printf(",\"ok\":%s,\"errno\":%d,\"error_line\":", v->ok ? "true" : "false", v->err);
	if (v->ok)
		printf("null");
	else
		json_str(stdout, v->error_line);
	printf(",\"processed\":%ld,\"verification_time_usec\":%ld", v->processed, v->vtime_usec);
	if (v->ran)
		printf(",\"retval\":%u", v->retval);
	else if (v->run_err)
		printf(",\"run_errno\":%d", v->run_err);
	printf(",\"log_tail\":");
	json_str(stdout, v->tail ? v->tail : "");
	printf("}\n");
	fflush(stdout);
}

/* Programs attached through BTF trampolines or LSM hooks are refused outright on kernels in
 * lockdown (integrity mode); that says nothing about the verifier. */
static const char *not_loadable_reason(int err, const char *log, enum bpf_prog_type type)
{
	if (err != EPERM)
		return NULL;
	if (type == BPF_PROG_TYPE_TRACING || type == BPF_PROG_TYPE_LSM || type == BPF_PROG_TYPE_EXT)
		return "not loadable here (fentry/fexit/lsm/freplace refused: kernel lockdown)";
	if (!log || !log[0])
		return "not loadable here (EPERM without a verifier log: missing CAP_BPF or lockdown)";
	return NULL;
}

/* Kernels 6.12 to 6.18 dereference NULL in maybe_fork_scalars() when the verifier cannot push one
 * more branch (past the 8192 pending-branch limit) while forking a scalar in [-1, 0] on an AND or
 * OR with a constant (found by this harness: an Oops, and the loading process dies). Never load a
 * program that could get there: an AND/OR inside a loop body, in a program that can make a
 * sign mask (arithmetic shift, negation, sign-extending load or move). A heuristic, on the
 * cautious side. */
static const char *crashes_kernel(const struct bpf_insn *insns, size_t cnt)
{
	bool sign_op = false, and_in_loop = false;
	for (size_t i = 0; i < cnt; i++) {
		__u8 code = insns[i].code, cls = code & 7, op = code & 0xf0;
		if (cls == BPF_ALU64 || cls == BPF_ALU) {
			if (op == BPF_ARSH || op == BPF_NEG || (op == BPF_MOV && insns[i].off != 0))
				sign_op = true;
		} else if (cls == BPF_LDX && (code & 0xe0) == 0x80 /* BPF_MEMSX */) {
			sign_op = true;
		} else if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT) {
			long off = (cls == BPF_JMP32 && op == BPF_JA) ? insns[i].imm : insns[i].off;
			long from = (long)i + off + 1;
			for (long k = from < 0 ? 0 : from; off < 0 && k <= (long)i; k++) {
				__u8 c = insns[k].code, kc = c & 7, kop = c & 0xf0;
				if ((kc == BPF_ALU64 || kc == BPF_ALU) && (kop == BPF_AND || kop == BPF_OR))
					and_in_loop = true;
			}
		}
		if (code == (BPF_LD | BPF_IMM | BPF_DW))
			i++;
	}
	return sign_op && and_in_loop ? "not loaded: a sign mask and an AND/OR in a loop could crash this kernel (maybe_fork_scalars NULL dereference)" : NULL;
}

/* ---------- probe ---------- */

static int probe(const char **reason)
{
	struct utsname u;
	if (uname(&u) != 0 || strcmp(u.sysname, "Linux") != 0) {
		*reason = "not Linux";
		return -1;
	}
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", insns, 2, NULL);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	int e = errno;
	if (e == EPERM)
		*reason = "loading BPF programs is not permitted (EPERM: needs root/CAP_BPF)";
	else if (e == ENOSYS)
		*reason = "the bpf() system call is not available (ENOSYS)";
	else
		*reason = strerror(e);
	return -1;
}

/* ---------- obj mode ---------- */

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (!opt_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* --user-sizes: sizes that user space sets before load, as libbpf-tools do (stack-trace maps
 * declared without value_size get PERF_MAX_STACK_DEPTH (127) frames; other maps declared with
 * max_entries 0 get 4096, bpfls's assumption, inner maps of map-in-maps too). Perf event arrays are sized by libbpf itself. */
static void set_user_sizes(struct bpf_object *obj)
{
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) {
		enum bpf_map_type t = bpf_map__type(m);
		if (t == BPF_MAP_TYPE_STACK_TRACE && bpf_map__value_size(m) == 0)
			bpf_map__set_value_size(m, 127 * 8);
		/* local storage maps must keep max_entries 0 (the kernel refuses any other with EINVAL) */
		bool storage = t == BPF_MAP_TYPE_SK_STORAGE || t == BPF_MAP_TYPE_INODE_STORAGE ||
			       t == BPF_MAP_TYPE_TASK_STORAGE || (int)t == 32 /* CGRP_STORAGE: newer than this uapi header */;
		if (bpf_map__max_entries(m) == 0 && t != BPF_MAP_TYPE_PERF_EVENT_ARRAY && !storage)
			bpf_map__set_max_entries(m, 4096);
		/* an inner map template without max_entries: user space gives one as an fd (libbpf 1.1
		 * cannot resize the template itself) */
		struct bpf_map *inner = t == BPF_MAP_TYPE_ARRAY_OF_MAPS || t == BPF_MAP_TYPE_HASH_OF_MAPS ? bpf_map__inner_map(m) : NULL;
		if (inner && bpf_map__max_entries(inner) == 0) {
			int fd = bpf_map_create(bpf_map__type(inner), NULL, bpf_map__key_size(inner),
						bpf_map__value_size(inner), 4096, NULL);
			if (fd >= 0)
				bpf_map__set_inner_map_fd(m, fd); /* freed when the process exits */
		}
	}
}

/* Maps declared with LIBBPF_PIN_BY_NAME would be pinned under /sys/fs/bpf and stay there: the
 * oracle only verifies, so nothing is pinned. */
static void no_pins(struct bpf_object *obj)
{
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj)
		bpf_map__set_pin_path(m, NULL);
}

/* Opens FILE with only PROG autoloaded and loads it at log level LEVEL. */
static int load_one(const char *file, const char *prog_name, unsigned level, struct verdict *v,
		    enum bpf_prog_type *type_out)
{
	struct bpf_object *obj = bpf_object__open_file(file, NULL);
	if (!obj)
		return -errno;
	no_pins(obj);
	struct bpf_program *p, *target = NULL;
	if (opt_user_sizes)
		set_user_sizes(obj);
	bpf_object__for_each_program(p, obj) {
		bool me = strcmp(bpf_program__name(p), prog_name) == 0;
		bpf_program__set_autoload(p, me);
		if (me)
			target = p;
	}
	if (!target) {
		bpf_object__close(obj);
		return -ENOENT;
	}
	*type_out = bpf_program__type(target);
	v->skip = crashes_kernel(bpf_program__insns(target), bpf_program__insn_cnt(target));
	if (v->skip) {
		bpf_object__close(obj);
		return 0;
	}
	log_buf[0] = 0;
	bpf_program__set_log_buf(target, log_buf, LOG_SIZE);
	bpf_program__set_log_level(target, level);
	int err = bpf_object__load(obj);
	v->ok = err == 0;
	v->err = err ? (err < 0 ? -err : err) : 0;
	if (v->ok && opt_run) {
		unsigned char data[64] = { 0 }, out[256];
		LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = data, .data_size_in = sizeof(data),
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
		if (bpf_prog_test_run_opts(bpf_program__fd(target), &topts) == 0) {
			v->ran = true;
			v->retval = topts.retval;
		} else {
			v->run_err = errno;
		}
	}
	bpf_object__close(obj);
	return 0;
}

static int mode_obj(const char *file, const char *only)
{
	struct bpf_object *obj = bpf_object__open_file(file, NULL);
	if (!obj) {
		fprintf(stderr, "bpfverify: cannot open %s: %s\n", file, strerror(errno));
		return 1;
	}
	size_t n = 0;
	char **names = NULL, **sections = NULL;
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		if (only && strcmp(bpf_program__name(p), only) != 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		sections = realloc(sections, (n + 1) * sizeof(*sections));
		names[n] = strdup(bpf_program__name(p));
		sections[n] = strdup(bpf_program__section_name(p));
		n++;
	}
	bpf_object__close(obj);
	if (only && n == 0) {
		fprintf(stderr, "bpfverify: no program named %s in %s\n", only, file);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct verdict v = { 0 };
		enum bpf_prog_type type = 0;
		int e = load_one(file, names[i], BPF_LOG_STATS_LEVEL, &v, &type);
		if (e) {
			fprintf(stderr, "bpfverify: %s: %s\n", names[i], strerror(-e));
			return 1;
		}
		if (!v.skip) {
			analyse_log(log_buf, &v, !v.ok);
			v.skip = v.ok ? NULL : not_loadable_reason(v.err, log_buf, type);
		}
		/* a level-1 trace of a program near the 1M limit takes minutes to write and read; the
		 * level-4 verdict already holds the message */
		if (!v.ok && !v.skip && opt_retry_level > 0 && v.processed < RETRY_MAX_PROCESSED) {
			struct verdict again = { 0 };
			load_one(file, names[i], (unsigned)opt_retry_level | BPF_LOG_STATS_LEVEL, &again, &type);
			/* keep the level-4 verdict and numbers; take only the trace's tail */
			if (!again.ok) {
				analyse_log(log_buf, &again, true);
				free(v.tail);
				v.tail = again.tail;
			} else {
				free(again.tail);
			}
		}
		print_verdict("prog", names[i], sections[i], &v);
		free(v.tail);
		free(names[i]);
		free(sections[i]);
	}
	free(names);
	free(sections);
	return 0;
}

/* ---------- a small JSON reader for raw specs ---------- */

enum jkind { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };
struct jval {
	enum jkind kind;
	double num;
	char *str;
	struct jval *items; /* arrays and object values */
	char **keys;        /* objects */
	size_t len;
};

struct jparser {
	const char *s;
	const char *err;
	int depth;
};

static void jskip(struct jparser *p)
{
	while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
		p->s++;
}

static bool jparse(struct jparser *p, struct jval *out);

static char *jstring(struct jparser *p)
{
	if (*p->s != '"') {
		p->err = "expected string";
		return NULL;
	}
	p->s++;
	size_t cap = 16, n = 0;
	char *buf = malloc(cap);
	while (*p->s && *p->s != '"') {
		char c = *p->s++;
		if (c == '\\') {
			char e = *p->s++;
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned cp = 0;
				if (sscanf(p->s, "%4x", &cp) != 1) {
					p->err = "bad \\u escape";
					free(buf);
					return NULL;
				}
				p->s += 4;
				c = cp < 0x80 ? (char)cp : '?';
				break;
			}
			case 0: p->err = "unterminated string"; free(buf); return NULL;
			default: c = e;
			}
		}
		if (n + 1 >= cap)
			buf = realloc(buf, cap *= 2);
		buf[n++] = c;
	}
	if (*p->s != '"') {
		p->err = "unterminated string";
		free(buf);
		return NULL;
	}
	p->s++;
	buf[n] = 0;
	return buf;
}

static bool jparse(struct jparser *p, struct jval *out)
{
	memset(out, 0, sizeof(*out));
	if (++p->depth > 32) {
		p->err = "nesting too deep";
		return false;
	}
	jskip(p);
	bool ok = true;
	if (*p->s == '{' || *p->s == '[') {
		bool obj = *p->s == '{';
		char close = obj ? '}' : ']';
		out->kind = obj ? J_OBJ : J_ARR;
		p->s++;
		jskip(p);
		while (ok && *p->s != close) {
			out->items = realloc(out->items, (out->len + 1) * sizeof(*out->items));
			if (obj) {
				out->keys = realloc(out->keys, (out->len + 1) * sizeof(*out->keys));
				jskip(p);
				char *k = jstring(p);
				if (!k)
					return false;
				out->keys[out->len] = k;
				jskip(p);
				if (*p->s != ':') {
					p->err = "expected ':'";
					return false;
				}
				p->s++;
			}
			ok = jparse(p, &out->items[out->len]);
			if (!ok)
				return false;
			out->len++;
			jskip(p);
			if (*p->s == ',') {
				p->s++;
				jskip(p);
			} else if (*p->s != close) {
				p->err = "expected ',' or closing bracket";
				return false;
			}
		}
		p->s++;
	} else if (*p->s == '"') {
		out->kind = J_STR;
		out->str = jstring(p);
		ok = out->str != NULL;
	} else if (strncmp(p->s, "true", 4) == 0 || strncmp(p->s, "false", 5) == 0) {
		out->kind = J_BOOL;
		out->num = *p->s == 't';
		p->s += *p->s == 't' ? 4 : 5;
	} else if (strncmp(p->s, "null", 4) == 0) {
		out->kind = J_NULL;
		p->s += 4;
	} else {
		char *end;
		out->kind = J_NUM;
		out->num = strtod(p->s, &end);
		if (end == p->s) {
			p->err = "unexpected character";
			return false;
		}
		p->s = end;
	}
	p->depth--;
	return ok;
}

static void jfree(struct jval *v)
{
	for (size_t i = 0; i < v->len; i++) {
		jfree(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
}

static const struct jval *jget(const struct jval *o, const char *key)
{
	if (o->kind != J_OBJ)
		return NULL;
	for (size_t i = 0; i < o->len; i++)
		if (strcmp(o->keys[i], key) == 0)
			return &o->items[i];
	return NULL;
}

static long jnum(const struct jval *o, const char *key, long dflt)
{
	const struct jval *v = jget(o, key);
	return v && (v->kind == J_NUM || v->kind == J_BOOL) ? (long)v->num : dflt;
}

static const char *jstr(const struct jval *o, const char *key, const char *dflt)
{
	const struct jval *v = jget(o, key);
	return v && v->kind == J_STR ? v->str : dflt;
}

/* ---------- raw mode ---------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void raw_error(const char *name, const char *msg)
{
	printf("{\"name\":");
	json_str(stdout, name);
	printf(",\"ok\":null,\"spec_error\":");
	json_str(stdout, msg);
	printf("}\n");
	fflush(stdout);
}

/* Spec: {"name","prog_type","expected_attach_type","prog_flags","license","kern_version",
 * "insns": hex of the wire bytes (16 hex digits per slot),
 * "maps": [{"type","key_size","value_size","max_entries","flags"}],
 * "btf": hex of a raw BTF blob, "func_info": [insn_off, type_id, ...]}.
 * LD_IMM64 map references use src 5 (map index) or 6 (map index + value offset), as the
 * kernel's fd_array convention does; src 1 and 2 are also accepted with imm = map index. */
static void raw_one(const char *line)
{
	struct jparser jp = { .s = line };
	struct jval spec;
	if (!jparse(&jp, &spec) || spec.kind != J_OBJ) {
		raw_error("", jp.err ? jp.err : "spec is not an object");
		jfree(&spec);
		return;
	}
	const char *name = jstr(&spec, "name", "");
	const char *hex = jstr(&spec, "insns", "");
	size_t hl = strlen(hex);
	if (hl == 0 || hl % 16) {
		raw_error(name, "insns must be a non-empty hex string of 8-byte slots");
		jfree(&spec);
		return;
	}
	size_t cnt = hl / 16;
	struct bpf_insn *insns = calloc(cnt, sizeof(*insns));
	unsigned char *bytes = (unsigned char *)insns;
	for (size_t i = 0; i < hl / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			raw_error(name, "insns has a non-hex character");
			free(insns);
			jfree(&spec);
			return;
		}
		bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	int fds[64];
	size_t nmaps = 0;
	const struct jval *maps = jget(&spec, "maps");
	const char *problem = NULL;
	if (maps && maps->kind == J_ARR) {
		for (size_t i = 0; i < maps->len && i < 64; i++) {
			const struct jval *m = &maps->items[i];
			LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = (unsigned)jnum(m, "flags", 0));
			int fd = bpf_map_create((enum bpf_map_type)jnum(m, "type", BPF_MAP_TYPE_ARRAY), NULL,
						(unsigned)jnum(m, "key_size", 4), (unsigned)jnum(m, "value_size", 8),
						(unsigned)jnum(m, "max_entries", 1), &mopts);
			if (fd < 0) {
				problem = "map creation failed";
				break;
			}
			fds[nmaps++] = fd;
		}
	}
	for (size_t i = 0; !problem && i + 1 < cnt; i++) {
		struct bpf_insn *in = &insns[i];
		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		int src = in->src_reg;
		if (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_VALUE || src == 5 || src == 6) {
			if (in->imm < 0 || (size_t)in->imm >= nmaps) {
				problem = "LD_IMM64 refers to a map index that the spec does not define";
				break;
			}
			in->imm = fds[in->imm];
			in->src_reg = (src == 5 || src == BPF_PSEUDO_MAP_FD) ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
		}
		i++;
	}
	/* optional program BTF and func_info: "btf" (hex of a raw BTF blob) and "func_info" (a flat
	 * array insn_off, type_id, insn_off, type_id, ...), as libbpf passes them for an object */
	int btf_fd = -1;
	struct bpf_func_info *finfo = NULL;
	size_t nfinfo = 0;
	const char *btf_hex = jstr(&spec, "btf", "");
	const struct jval *fi = jget(&spec, "func_info");
	if (!problem && btf_hex[0]) {
		size_t bl = strlen(btf_hex) / 2;
		unsigned char *blob = malloc(bl ? bl : 1);
		for (size_t i = 0; i < bl; i++) {
			int hi = hexval(btf_hex[2 * i]), lo = hexval(btf_hex[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				problem = "btf has a non-hex character";
				break;
			}
			blob[i] = (unsigned char)(hi << 4 | lo);
		}
		if (!problem) {
			LIBBPF_OPTS(bpf_btf_load_opts, bopts);
			btf_fd = bpf_btf_load(blob, bl, &bopts);
			if (btf_fd < 0)
				problem = "BTF load failed";
		}
		free(blob);
	}
	if (!problem && fi && fi->kind == J_ARR && fi->len >= 2) {
		nfinfo = fi->len / 2;
		finfo = calloc(nfinfo, sizeof(*finfo));
		for (size_t i = 0; i < nfinfo; i++) {
			finfo[i].insn_off = (__u32)fi->items[2 * i].num;
			finfo[i].type_id = (__u32)fi->items[2 * i + 1].num;
		}
	}
	const char *danger = problem ? NULL : crashes_kernel(insns, cnt);
	if (problem) {
		raw_error(name, problem);
	} else if (danger) {
		struct verdict v = { .skip = danger };
		print_verdict("name", name, NULL, &v);
	} else {
		struct verdict v = { 0 };
		enum bpf_prog_type type = (enum bpf_prog_type)jnum(&spec, "prog_type", BPF_PROG_TYPE_SOCKET_FILTER);
		const char *license = jstr(&spec, "license", "GPL");
		for (int pass = 0; pass < 2; pass++) {
			unsigned level = pass == 0 ? BPF_LOG_STATS_LEVEL : ((unsigned)opt_retry_level | BPF_LOG_STATS_LEVEL);
			log_buf[0] = 0;
			LIBBPF_OPTS(bpf_prog_load_opts, popts,
				    .expected_attach_type = (enum bpf_attach_type)jnum(&spec, "expected_attach_type", 0),
				    .prog_flags = (unsigned)jnum(&spec, "prog_flags", 0),
				    .kern_version = (unsigned)jnum(&spec, "kern_version", 0),
				    .log_level = level, .log_size = LOG_SIZE, .log_buf = log_buf,
				    .prog_btf_fd = btf_fd >= 0 ? (__u32)btf_fd : 0,
				    .func_info = finfo, .func_info_cnt = (__u32)nfinfo,
				    .func_info_rec_size = finfo ? sizeof(*finfo) : 0);
			int fd = bpf_prog_load(type, "raw", license, insns, cnt, &popts);
			int e = fd < 0 ? errno : 0;
			if (fd >= 0)
				close(fd);
			if (pass == 0) {
				v.ok = fd >= 0;
				v.err = e;
				analyse_log(log_buf, &v, !v.ok);
				v.skip = v.ok ? NULL : not_loadable_reason(e, log_buf, type);
				if (v.ok || v.skip || opt_retry_level == 0 || v.processed >= RETRY_MAX_PROCESSED)
					break;
			} else if (fd < 0) {
				struct verdict again = { 0 };
				analyse_log(log_buf, &again, true);
				free(v.tail);
				v.tail = again.tail;
			}
		}
		print_verdict("name", name, NULL, &v);
		free(v.tail);
	}
	for (size_t i = 0; i < nmaps; i++)
		close(fds[i]);
	if (btf_fd >= 0)
		close(btf_fd);
	free(finfo);
	free(insns);
	jfree(&spec);
}

static int mode_raw(void)
{
	size_t cap = 0;
	char *line = NULL;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (strspn(line, " \t\r\n") == (size_t)n)
			continue;
		raw_one(line);
	}
	free(line);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: bpfverify [--log-level N] [--tail N] [--run] [--verbose] [--user-sizes] probe | obj FILE.o [PROG] | raw < SPECS.jsonl\n");
	return 2;
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc)
			opt_retry_level = atoi(argv[++i]) & 3;
		else if (strcmp(argv[i], "--tail") == 0 && i + 1 < argc)
			opt_tail = atoi(argv[++i]);
		else if (strcmp(argv[i], "--run") == 0)
			opt_run = true;
		else if (strcmp(argv[i], "--verbose") == 0)
			opt_verbose = true;
		else if (strcmp(argv[i], "--user-sizes") == 0)
			opt_user_sizes = true;
		else
			return usage();
	}
	if (i >= argc)
		return usage();
	const char *mode = argv[i++];
	libbpf_set_print(quiet_print);
	const char *reason = NULL;
	if (probe(&reason) != 0) {
		printf("{\"ok\":false,\"reason\":");
		json_str(stdout, reason);
		printf("}\n");
		return 3;
	}
	if (strcmp(mode, "probe") == 0) {
		printf("{\"ok\":true}\n");
		return 0;
	}
	log_buf = malloc(LOG_SIZE);
	if (!log_buf)
		return 1;
	if (strcmp(mode, "obj") == 0 && i < argc)
		return mode_obj(argv[i], i + 1 < argc ? argv[i + 1] : NULL);
	if (strcmp(mode, "raw") == 0)
		return mode_raw();
	return usage();
}
