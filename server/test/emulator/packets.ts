// Test packets for the emulator's parity runs: Ethernet frames with valid IPv4 checksums.
function csum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

const MAC = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];

function eth(type: number, dst = MAC.slice(0, 6)): number[] {
  return [...dst, ...MAC.slice(6), type >> 8, type & 0xff];
}

function ipv4(proto: number, payload: number[], opts: { ihl?: number; ttl?: number; src?: number[] } = {}): number[] {
  const ihl = opts.ihl ?? 5;
  const h = new Uint8Array(ihl * 4);
  const total = ihl * 4 + payload.length;
  h.set([0x40 | ihl, 0, total >> 8, total & 0xff, 0x12, 0x34, 0x40, 0, opts.ttl ?? 64, proto, 0, 0, ...(opts.src ?? [192, 168, 1, 10]), 10, 1, 2, 3]);
  const c = csum(h);
  h[10] = c >> 8; h[11] = c & 0xff;
  return [...h, ...payload];
}

function udp(sport: number, dport: number, data: number[]): number[] {
  const len = 8 + data.length;
  return [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, len >> 8, len & 0xff, 0x5a, 0xa5, ...data];
}

function tcp(sport: number, dport: number, flags: number): number[] {
  return [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0x12, 0x34, 0, 0, 1, 2, 3, 4];
}

const bytes = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

export const PACKETS: { name: string; data: Uint8Array }[] = [
  { name: 'ipv4-udp-dns', data: Uint8Array.from([...eth(0x0800), ...ipv4(17, udp(5353, 53, bytes(20, 1)))]) },
  { name: 'ipv4-udp-vxlan', data: Uint8Array.from([...eth(0x0800), ...ipv4(17, udp(40000, 4789, bytes(64, 2)))]) },
  { name: 'ipv4-tcp-syn', data: Uint8Array.from([...eth(0x0800), ...ipv4(6, tcp(1234, 80, 0x02))]) },
  { name: 'ipv4-tcp-ack', data: Uint8Array.from([...eth(0x0800), ...ipv4(6, tcp(80, 5555, 0x10))]) },
  { name: 'ipv4-icmp', data: Uint8Array.from([...eth(0x0800), ...ipv4(1, [8, 0, 0, 0, ...bytes(28, 3)])]) },
  { name: 'ipv4-options', data: Uint8Array.from([...eth(0x0800), ...ipv4(17, udp(1, 2, bytes(8, 4)), { ihl: 6, ttl: 1 })]) },
  { name: 'ipv4-broadcast', data: Uint8Array.from([...eth(0x0800, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), ...ipv4(17, udp(68, 67, bytes(30, 5)))]) },
  { name: 'ipv6-udp', data: Uint8Array.from([...eth(0x86dd), 0x60, 0, 0, 0, 0, 16, 17, 7, ...bytes(32, 6), ...udp(1000, 2000, bytes(8, 7))]) },
  { name: 'vlan-ipv4', data: Uint8Array.from([...eth(0x8100), 0, 5, 0x08, 0x00, ...ipv4(17, udp(9, 53, bytes(12, 8)))]) },
  { name: 'arp', data: Uint8Array.from([...eth(0x0806, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0, 1, 8, 0, 6, 4, 0, 1, ...bytes(20, 9)]) },
  { name: 'multicast-8023', data: Uint8Array.from([...eth(0x0040, [0x01, 0, 0x5e, 0, 0, 1]), 0xaa, 0xaa, 3, ...bytes(40, 10)]) },
];
