#!/usr/bin/env python3
# Loads a raw BPF program (hex bytes on stdin) as a socket filter with verifier log level 2 and
# prints the kernel's log. Used as the oracle for the kernel-syntax printer. Exit 3 when the
# bpf() syscall is not permitted here.
import ctypes, ctypes.util, errno, os, sys

BPF_PROG_LOAD = 5
BPF_PROG_TYPE_SOCKET_FILTER = 1
SYS_bpf = 321  # x86_64

class Attr(ctypes.Structure):
    _fields_ = [('prog_type', ctypes.c_uint32), ('insn_cnt', ctypes.c_uint32), ('insns', ctypes.c_uint64),
                ('license', ctypes.c_uint64), ('log_level', ctypes.c_uint32), ('log_size', ctypes.c_uint32),
                ('log_buf', ctypes.c_uint64), ('kern_version', ctypes.c_uint32), ('prog_flags', ctypes.c_uint32),
                ('pad', ctypes.c_uint8 * 96)]

code = bytes.fromhex(sys.stdin.read().strip())
insns = ctypes.create_string_buffer(code, len(code))
lic = ctypes.create_string_buffer(b'GPL')
log = ctypes.create_string_buffer(1 << 20)
attr = Attr(BPF_PROG_TYPE_SOCKET_FILTER, len(code) // 8, ctypes.addressof(insns), ctypes.addressof(lic), 2, len(log), ctypes.addressof(log))
libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
fd = libc.syscall(SYS_bpf, BPF_PROG_LOAD, ctypes.byref(attr), ctypes.sizeof(attr))
err = ctypes.get_errno()
if fd >= 0:
    os.close(fd)
elif err in (errno.EPERM, errno.ENOSYS):
    sys.exit(3)
sys.stdout.write(log.value.decode(errors='replace'))
