// libbpf-dump: opens a BPF object with the system libbpf, runs bpf_object__load(), and prints, per
// program, the final instructions and line_info exactly as libbpf hands them to BPF_PROG_LOAD.
//
// It interposes syscall(): BPF_PROG_LOAD for the object's own programs is recorded and answered
// with a dummy fd instead of reaching the kernel (so programs the verifier would reject, or that
// lockdown forbids, still show their final instructions). Map creation goes to the kernel; when
// the kernel refuses a map, a dummy fd stands in so relocation still happens. Feature probes and
// BTF loads pass through. Output is JSON, one object per line:
//   {"map":I,"name":"..","fd":N}
//   {"prog":"name","sec":"..","insns":[[code,dst,src,off,imm],...],"lines":[[off,"file",line,col],...]}
// Build: cc -O1 -o libbpf-dump libbpf-dump.c -lbpf -lelf -lz -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>

#define MAX_PROGS 512
#define MAX_FAKE 1024

struct rec {
	char name[BPF_OBJ_NAME_LEN];
	struct bpf_insn *insns;
	unsigned insn_cnt;
	struct bpf_line_info *lines;
	unsigned line_cnt;
};

static struct rec recs[MAX_PROGS];
static int nrecs;
static char names[MAX_PROGS][BPF_OBJ_NAME_LEN];
static int nnames;
static int fake_fds[MAX_FAKE];
static int nfake;
static int capturing;

static long (*real_syscall)(long, ...);

static int is_fake(int fd)
{
	for (int i = 0; i < nfake; i++)
		if (fake_fds[i] == fd)
			return 1;
	return 0;
}

static int new_fake(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && nfake < MAX_FAKE)
		fake_fds[nfake++] = fd;
	return fd;
}

static int is_our_prog(const char *name)
{
	for (int i = 0; i < nnames; i++)
		if (strncmp(names[i], name, BPF_OBJ_NAME_LEN - 1) == 0)
			return 1;
	return 0;
}

static long on_bpf(long cmd, union bpf_attr *attr, long size)
{
	if (!capturing)
		return real_syscall(__NR_bpf, cmd, attr, size);
	if (cmd == BPF_PROG_LOAD && attr->prog_name[0] && is_our_prog(attr->prog_name)) {
		if (nrecs < MAX_PROGS) {
			struct rec *r = &recs[nrecs++];
			memcpy(r->name, attr->prog_name, sizeof(r->name));
			r->insn_cnt = attr->insn_cnt;
			r->insns = malloc(sizeof(struct bpf_insn) * (attr->insn_cnt + 1));
			memcpy(r->insns, (void *)(unsigned long)attr->insns, sizeof(struct bpf_insn) * attr->insn_cnt);
			r->line_cnt = attr->line_info_cnt;
			r->lines = malloc(sizeof(struct bpf_line_info) * (attr->line_info_cnt + 1));
			for (unsigned i = 0; i < attr->line_info_cnt; i++)
				memcpy(&r->lines[i], (char *)(unsigned long)attr->line_info + i * attr->line_info_rec_size,
				       sizeof(struct bpf_line_info));
		}
		return new_fake();
	}
	if ((cmd == BPF_MAP_UPDATE_ELEM || cmd == BPF_MAP_FREEZE) && is_fake(attr->map_fd))
		return 0;
	long ret = real_syscall(__NR_bpf, cmd, attr, size);
	if (ret < 0 && cmd == BPF_MAP_CREATE)
		return new_fake();
	return ret;
}

long syscall(long nr, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real_syscall)
		real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	if (nr == __NR_bpf)
		return on_bpf(a[0], (union bpf_attr *)a[1], a[2]);
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = *s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN && getenv("LIBBPF_DUMP_VERBOSE"))
		return vfprintf(stderr, fmt, args);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	int i, err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT.o\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		printf("{\"error\":\"open failed: %d\"}\n", -errno);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		bpf_program__set_autoload(prog, true);
		if (nnames < MAX_PROGS)
			strncpy(names[nnames++], bpf_program__name(prog), BPF_OBJ_NAME_LEN - 1);
	}
	capturing = 1;
	err = bpf_object__load(obj);
	capturing = 0;
	if (err)
		printf("{\"loadError\":%d}\n", err);
	i = 0;
	bpf_object__for_each_map(map, obj) {
		printf("{\"map\":%d,\"name\":", i++);
		json_str(bpf_map__name(map));
		printf(",\"fd\":%d}\n", bpf_map__fd(map));
	}
	struct btf *btf = bpf_object__btf(obj);
	for (int k = 0; k < nrecs; k++) {
		struct rec *r = &recs[k];
		const char *full = r->name, *sec = "";
		bpf_object__for_each_program(prog, obj) {
			if (strncmp(bpf_program__name(prog), r->name, BPF_OBJ_NAME_LEN - 1) == 0) {
				full = bpf_program__name(prog);
				sec = bpf_program__section_name(prog);
				break;
			}
		}
		printf("{\"prog\":");
		json_str(full);
		printf(",\"sec\":");
		json_str(sec);
		printf(",\"insns\":[");
		for (unsigned j = 0; j < r->insn_cnt; j++) {
			struct bpf_insn *n = &r->insns[j];
			printf("%s[%u,%u,%u,%d,%d]", j ? "," : "", n->code, n->dst_reg, n->src_reg, n->off, n->imm);
		}
		printf("],\"lines\":[");
		for (unsigned j = 0; j < r->line_cnt; j++) {
			struct bpf_line_info *l = &r->lines[j];
			printf("%s[%u,", j ? "," : "", l->insn_off);
			json_str(btf ? btf__name_by_offset(btf, l->file_name_off) : "");
			printf(",%u,%u]", BPF_LINE_INFO_LINE_NUM(l->line_col), BPF_LINE_INFO_LINE_COL(l->line_col));
		}
		printf("]}\n");
	}
	bpf_object__close(obj);
	return 0;
}
