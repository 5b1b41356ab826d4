// bpfrun: loads raw BPF programs and runs them with BPF_PROG_TEST_RUN, many per invocation.
// The kernel side of the emulator's parity tests. Reads commands from stdin, one per line:
//   map TYPE KEY_SIZE VALUE_SIZE MAX_ENTRIES FLAGS INIT_HEX|-     create a map (index = order)
//   prog TYPE EXPECTED_ATTACH INSNS_HEX                           load (map refs: BPF_PSEUDO_MAP_IDX)
//   progf TYPE EXPECTED_ATTACH PROG_FLAGS INSNS_HEX               the same with prog_flags (sleepable...)
//   run REPEAT DATA_HEX|- CTX_HEX|-                               test-run the last program
//   runctx CTX_HEX                                                test-run with ctx_in only (raw_tp, syscall):
//                                                                 prints the ctx_in buffer afterwards
//   lookup MAP_INDEX KEY_HEX                                      print a map value
//   reset                                                         close every map and program
//   probe                                                         print "ok" when loading is permitted
// Answers one line per command: "ok ...", "none", or "err ERRNO MESSAGE".
// Builds with: cc -O2 -o bpfrun bpfrun.c (needs only the uapi headers).
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_MAPS 64
#define LOG_SIZE (1 << 20)
#define BUF_SIZE (1 << 16)

static int map_fds[MAX_MAPS];
static int n_maps;
static int prog_fd = -1;
static char *log_buf;

static long sys_bpf(int cmd, union bpf_attr *attr) {
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int unhex(const char *s, uint8_t *out, int max) {
	if (!strcmp(s, "-")) return 0;
	int n = 0;
	while (s[0] && s[1] && n < max) {
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1) return -1;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void puthex(const uint8_t *b, int n) {
	if (n <= 0) { fputs("-", stdout); return; }
	for (int i = 0; i < n; i++) printf("%02x", b[i]);
}

static void reset(void) {
	for (int i = 0; i < n_maps; i++) close(map_fds[i]);
	n_maps = 0;
	if (prog_fd >= 0) close(prog_fd);
	prog_fd = -1;
}

static void last_log_line(char *out, int max) {
	// the kernel's error is the last non-empty line of the log
	int len = strlen(log_buf);
	while (len > 0 && (log_buf[len - 1] == '\n' || log_buf[len - 1] == ' ')) len--;
	int start = len;
	while (start > 0 && log_buf[start - 1] != '\n') start--;
	int n = len - start < max - 1 ? len - start : max - 1;
	memcpy(out, log_buf + start, n);
	out[n] = 0;
	for (int i = 0; i < n; i++) if (out[i] == '\n') out[i] = ' ';
}

int main(void) {
	static char line[1 << 20];
	static uint8_t buf[BUF_SIZE], data_out[BUF_SIZE], ctx[BUF_SIZE], ctx_out[BUF_SIZE], key[512], val[BUF_SIZE];
	static uint8_t insns[1 << 19];
	log_buf = malloc(LOG_SIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		char cmd[16];
		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%15s", cmd) != 1) continue;
		if (!strcmp(cmd, "reset")) { reset(); puts("ok"); continue; }
		if (!strcmp(cmd, "probe")) {
			// socket filter "r0 = 0; exit"
			struct bpf_insn p[2] = { { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 }, { .code = BPF_JMP | BPF_EXIT } };
			union bpf_attr a = {0};
			a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER; a.insns = (uint64_t)(uintptr_t)p; a.insn_cnt = 2;
			a.license = (uint64_t)(uintptr_t)"GPL";
			int fd = sys_bpf(BPF_PROG_LOAD, &a);
			if (fd < 0) printf("err %d %s\n", errno, strerror(errno)); else { close(fd); puts("ok"); }
			continue;
		}
		if (!strcmp(cmd, "map")) {
			unsigned type, ks, vs, max, flags;
			char init[BUF_SIZE * 2 + 2];
			if (sscanf(line, "map %u %u %u %u %u %131073s", &type, &ks, &vs, &max, &flags, init) != 6 || n_maps >= MAX_MAPS) { puts("err 22 bad map command"); continue; }
			union bpf_attr a = {0};
			a.map_type = type; a.key_size = ks; a.value_size = vs; a.max_entries = max; a.map_flags = flags;
			int fd = sys_bpf(BPF_MAP_CREATE, &a);
			if (fd < 0) { printf("err %d map create: %s\n", errno, strerror(errno)); continue; }
			int n = unhex(init, val, sizeof(val));
			if (n > 0) {
				uint32_t zero = 0;
				union bpf_attr u = {0};
				u.map_fd = fd; u.key = (uint64_t)(uintptr_t)&zero; u.value = (uint64_t)(uintptr_t)val;
				if (sys_bpf(BPF_MAP_UPDATE_ELEM, &u) < 0) { printf("err %d map init: %s\n", errno, strerror(errno)); close(fd); continue; }
			}
			map_fds[n_maps++] = fd;
			printf("ok %d\n", n_maps - 1);
			continue;
		}
		if (!strcmp(cmd, "prog") || !strcmp(cmd, "progf")) {
			unsigned type, eat, pflags = 0;
			char *hex = malloc(strlen(line));
			int ok = !strcmp(cmd, "prog") ? sscanf(line, "prog %u %u %s", &type, &eat, hex) == 3
						       : sscanf(line, "progf %u %u %u %s", &type, &eat, &pflags, hex) == 4;
			if (!ok) { puts("err 22 bad prog command"); free(hex); continue; }
			int n = unhex(hex, insns, sizeof(insns));
			free(hex);
			if (prog_fd >= 0) close(prog_fd);
			union bpf_attr a = {0};
			a.prog_type = type; a.expected_attach_type = eat; a.prog_flags = pflags;
			a.insns = (uint64_t)(uintptr_t)insns; a.insn_cnt = n / 8;
			a.license = (uint64_t)(uintptr_t)"GPL";
			a.fd_array = (uint64_t)(uintptr_t)map_fds;
			log_buf[0] = 0;
			prog_fd = sys_bpf(BPF_PROG_LOAD, &a);
			if (prog_fd < 0) {
				// load again with a log to report the verifier's reason (a log of a
				// long verification can overflow, so the first attempt has none)
				a.log_buf = (uint64_t)(uintptr_t)log_buf; a.log_size = LOG_SIZE; a.log_level = 1;
				prog_fd = sys_bpf(BPF_PROG_LOAD, &a);
			}
			if (prog_fd < 0) {
				int e = errno;
				char msg[512];
				last_log_line(msg, sizeof(msg));
				// the error is the line before "processed N insns" when that line is present
				char *p = strstr(log_buf, "\nprocessed ");
				if (p) { *p = 0; last_log_line(msg, sizeof(msg)); }
				printf("err %d %s\n", e, msg[0] ? msg : strerror(e));
				continue;
			}
			puts("ok");
			continue;
		}
		if (!strcmp(cmd, "run")) {
			unsigned repeat;
			char *dhex = malloc(strlen(line)), *chex = malloc(strlen(line));
			if (sscanf(line, "run %u %s %s", &repeat, dhex, chex) != 3 || prog_fd < 0) { puts("err 22 bad run command or no program"); free(dhex); free(chex); continue; }
			int dn = unhex(dhex, buf, sizeof(buf)), cn = unhex(chex, ctx, sizeof(ctx));
			free(dhex); free(chex);
			union bpf_attr a = {0};
			a.test.prog_fd = prog_fd; a.test.repeat = repeat;
			if (dn > 0) {
				a.test.data_in = (uint64_t)(uintptr_t)buf; a.test.data_size_in = dn;
				a.test.data_out = (uint64_t)(uintptr_t)data_out; a.test.data_size_out = sizeof(data_out);
			}
			if (cn > 0) {
				a.test.ctx_in = (uint64_t)(uintptr_t)ctx; a.test.ctx_size_in = cn;
				a.test.ctx_out = (uint64_t)(uintptr_t)ctx_out; a.test.ctx_size_out = sizeof(ctx_out);
			}
			if (sys_bpf(BPF_PROG_TEST_RUN, &a) < 0) { printf("err %d test run: %s\n", errno, strerror(errno)); continue; }
			printf("ok %u %u ", a.test.retval, a.test.duration);
			puthex(data_out, dn > 0 ? (int)a.test.data_size_out : 0);
			putchar(' ');
			puthex(ctx_out, cn > 0 ? (int)a.test.ctx_size_out : 0);
			putchar('\n');
			continue;
		}
		if (!strcmp(cmd, "runctx")) {
			char *chex = malloc(strlen(line));
			if (sscanf(line, "runctx %s", chex) != 1 || prog_fd < 0) { puts("err 22 bad runctx command or no program"); free(chex); continue; }
			int cn = unhex(chex, ctx, sizeof(ctx));
			free(chex);
			union bpf_attr a = {0};
			a.test.prog_fd = prog_fd;
			if (cn > 0) { a.test.ctx_in = (uint64_t)(uintptr_t)ctx; a.test.ctx_size_in = cn; }
			if (sys_bpf(BPF_PROG_TEST_RUN, &a) < 0) { printf("err %d test run: %s\n", errno, strerror(errno)); continue; }
			printf("ok %u 0 - ", a.test.retval);
			puthex(ctx, cn);
			putchar('\n');
			continue;
		}
		if (!strcmp(cmd, "lookup")) {
			int idx;
			char khex[1100];
			if (sscanf(line, "lookup %d %1099s", &idx, khex) != 2 || idx < 0 || idx >= n_maps) { puts("err 22 bad lookup command"); continue; }
			unhex(khex, key, sizeof(key));
			union bpf_attr a = {0};
			a.map_fd = map_fds[idx]; a.key = (uint64_t)(uintptr_t)key; a.value = (uint64_t)(uintptr_t)val;
			if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a) < 0) { if (errno == ENOENT) puts("none"); else printf("err %d lookup: %s\n", errno, strerror(errno)); continue; }
			// the value size is not known here: print what the caller asks through the map's info
			struct bpf_map_info info = {0};
			union bpf_attr ia = {0};
			ia.info.bpf_fd = map_fds[idx]; ia.info.info_len = sizeof(info); ia.info.info = (uint64_t)(uintptr_t)&info;
			int vs = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &ia) == 0 ? (int)info.value_size : 0;
			fputs("ok ", stdout); puthex(val, vs); putchar('\n');
			continue;
		}
		printf("err 22 unknown command %s\n", cmd);
	}
	reset();
	return 0;
}
