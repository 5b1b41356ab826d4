// What a program's return value means for its program type (XDP_PASS, TC_ACT_SHOT...).
import { ProgType } from '../progtypes';

const XDP = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'];
const TC: Record<number, string> = {
  [-1]: 'TC_ACT_UNSPEC', 0: 'TC_ACT_OK', 1: 'TC_ACT_RECLASSIFY', 2: 'TC_ACT_SHOT', 3: 'TC_ACT_PIPE', 4: 'TC_ACT_STOLEN',
  5: 'TC_ACT_QUEUED', 6: 'TC_ACT_REPEAT', 7: 'TC_ACT_REDIRECT', 8: 'TC_ACT_TRAP',
};

const BPF_RET: Record<number, string> = { 0: 'BPF_OK', 2: 'BPF_DROP', 7: 'BPF_REDIRECT', 128: 'BPF_LWT_REROUTE', 129: 'BPF_FLOW_DISSECTOR_CONTINUE' };

/** a name for the return value, or '' when the program type gives it no fixed meaning */
export function describeRetval(progType: number, retval: number): string {
  const v = retval | 0;
  switch (progType) {
    case ProgType.XDP: return XDP[v] ?? '';
    case ProgType.SCHED_CLS: case ProgType.SCHED_ACT: return TC[v] ?? '';
    case ProgType.SOCKET_FILTER: return v === 0 ? 'drop' : `keep ${retval >>> 0} bytes`;
    case ProgType.CGROUP_SKB: return ['drop', 'allow', 'drop, congestion notification', 'allow, congestion notification'][v] ?? '';
    case ProgType.FLOW_DISSECTOR: case ProgType.LWT_IN: case ProgType.LWT_OUT: case ProgType.LWT_XMIT:
      return BPF_RET[v] ?? '';
    default: return '';
  }
}
