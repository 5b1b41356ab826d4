#!/usr/bin/env python3
"""Loads raw BPF instructions into the running kernel and prints its verdict and log as JSON.

Input (stdin, JSON): {"progType": n, "expectedAttachType": n, "insns": [[code,dst,src,off,imm],...],
  "maps": [{"type","keySize","valueSize","maxEntries","flags","initialValue": hex|None,"frozen": bool}],
  "license": "GPL", "logLevel": 1|2, "progFlags": n}
LD_IMM64 with src 5 (PSEUDO_MAP_IDX) / 6 (PSEUDO_MAP_IDX_VALUE) take imm = map index, rewritten to fds.
Output: {"ok": bool, "errno": n, "log": str} or {"skip": reason} when the kernel cannot be used.
A development and test oracle only; nothing stays loaded (fds close when the process exits)."""
import ctypes, ctypes.util, json, os, struct, sys

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
NR_BPF = 321
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr: bytes):
    buf = ctypes.create_string_buffer(attr, 256)
    r = libc.syscall(NR_BPF, cmd, buf, 256)
    return r, ctypes.get_errno()


def main():
    req = json.load(sys.stdin)
    fds = []
    keep = []
    for m in req.get("maps", []):
        name = (m.get("name") or "m")[:15].encode()
        attr = struct.pack("<IIIIIII16s", m["type"], m["keySize"], m["valueSize"], m["maxEntries"],
                           m.get("flags", 0), 0, 0, name)
        fd, err = bpf(0, attr)
        if fd < 0:
            print(json.dumps({"skip": f"map create failed errno={err}"}))
            return
        iv = m.get("initialValue")
        if iv is not None:
            key = ctypes.create_string_buffer(struct.pack("<I", 0))
            val = ctypes.create_string_buffer(bytes.fromhex(iv), max(1, m["valueSize"]))
            keep += [key, val]
            bpf(2, struct.pack("<IIQQQ", fd, 0, ctypes.addressof(key), ctypes.addressof(val), 0))
        if m.get("frozen"):
            bpf(22, struct.pack("<I", fd))
        fds.append(fd)
    raw = b""
    insns = req["insns"]
    i = 0
    while i < len(insns):
        code, dst, src, off, imm = insns[i]
        if code == 0x18 and src in (5, 6) and 0 <= imm < len(fds):
            imm = fds[imm]
            src = 1 if src == 5 else 2
        raw += struct.pack("<BBhi", code & 0xff, ((src & 0xf) << 4) | (dst & 0xf), off, imm)
        i += 1
    ibuf = ctypes.create_string_buffer(raw, max(8, len(raw)))
    lic = ctypes.create_string_buffer(req.get("license", "GPL").encode())
    logsz = 1 << 24
    log = ctypes.create_string_buffer(logsz)
    attr = struct.pack("<IIQQIIQII16sII", req["progType"], len(insns), ctypes.addressof(ibuf), ctypes.addressof(lic),
                       req.get("logLevel", 1), logsz, ctypes.addressof(log), 0, req.get("progFlags", 0), b"t",
                       0, req.get("expectedAttachType", 0))
    fd, err = bpf(5, attr)
    text = log.value.decode(errors="replace")
    if fd < 0 and err in (1,) and not text:
        print(json.dumps({"skip": "BPF_PROG_LOAD not permitted (EPERM)"}))
        return
    if fd >= 0:
        os.close(fd)
    import re
    m = re.search(r"verification time (\d+) usec", text)
    pm = re.search(r"processed (\d+) insns", text)
    print(json.dumps({"ok": fd >= 0, "errno": 0 if fd >= 0 else err, "log": text,
                      "verification_time_usec": int(m.group(1)) if m else None,
                      "processed": int(pm.group(1)) if pm else None}))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # the oracle must never take a test down with it
        print(json.dumps({"skip": f"oracle error: {e}"}))
