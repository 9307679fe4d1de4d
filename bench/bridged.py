#!/usr/bin/env python3
"""Bridged calls (issue 17): N callers parked, each retrieved, retriever and caller streaming RTP both ways through
the server's relay. Standard library only; the RTP endpoints are bench/bridged_rtp.c (one thread, sendmmsg/recvmmsg).

  1. direct    the RTP tool with caller i <-> retriever i socket to socket (no server): the method's own latency
  2. park      N INVITE *68<ext> with Referred-By <ext>, ext = 101..108 round robin (8 extension slots, FIFO each;
               --slot-mode group: *58 by 101 -> the one park group slot Sales), SDP = the tool's caller stream 2i
  3. retrieve  N INVITE *88<ext> (group: *88700) as 102 (401, digest pass102), SDP = the tool's retriever stream
               2j+1 (PCMU, or only Opus with --codec opus); at most --in-flight retrieves unanswered at once
  4. window    every stream sends to its server leg (address from the SDP answer); after --warmup s: --window s of
               server JVM CPU (/proc/<pid>/stat), the tool's CPU, one-way latency, packets/s per stream, loss
  5. hang up   BYE every retriever (the server then BYEs its caller; answered 200), then any caller left
Prints one JSON object (last line).
"""
import argparse
import hashlib
import json
import os
import random
import re
import select
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import CpuWindow, busiest_threads, gc_pauses, pct, status, thread_ticks  # noqa: E402
from churn import parse, rnd  # noqa: E402


def log(*a):
    print("[bridged %s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def sdp_addr(body):
    c = re.search(r"^c=IN IP4 (\S+)", body, re.M)
    m = re.search(r"^m=audio (\d+) RTP/AVP ([\d ]+)", body, re.M)
    if not c or not m:
        return None
    return c.group(1), int(m.group(1)), m.group(2).split()


class Call:
    def __init__(self, kind, i):
        self.kind, self.i = kind, i
        self.callid = "br-%s-%d-%s@bench" % (kind, i, rnd(8))
        self.ftag, self.branch, self.cseq = rnd(8), "z9hG4bK" + rnd(12), 1
        self.to = None
        self.state = "inviting"
        self.msg = None
        self.retrans_at = None
        self.iv = 0.5
        self.deadline = None
        self.t_inv = None
        self.media = None
        self.pt = None


class Ua:
    def __init__(self, a):
        self.a = a
        host, port = a.server.split(":")
        self.shost, self.sport = host, int(port)
        self.server = (host, int(port))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind(("127.0.0.1", a.local_port))
        self.sock.setblocking(False)
        self.calls = {}
        self.fail = {}
        self.retrans = 0
        self.late_ok = 0
        self.server_byes = 0
        self.setup_ms = {"park": [], "retrieve": []}

    def failed(self, c, why):
        self.fail[why] = self.fail.get(why, 0) + 1
        c.state = "failed"
        c.retrans_at = None

    def send(self, c, msg, retrans=False):
        self.sock.sendto(msg.encode(), self.server)
        if retrans:
            c.msg, c.iv = msg, 0.5
            c.retrans_at = time.monotonic() + 0.5

    def uri(self, user):
        return "sip:%s@%s:%d" % (user, self.shost, self.sport)

    def ruser(self, c):
        if self.a.slot_mode == "group":
            return "*58" if c.kind == "park" else "*88700"
        ext = 101 + c.i % 8
        return ("*68%d" if c.kind == "park" else "*88%d") % ext

    def referrer(self, c):
        return "101" if self.a.slot_mode == "group" else str(101 + c.i % 8)

    def invite(self, c, port, auth=None):
        a = self.a
        if c.kind == "retrieve" and a.codec == "opus":
            sdp_codecs = "m=audio %d RTP/AVP 111 101\r\na=rtpmap:111 opus/48000/2\r\n" \
                         "a=fmtp:111 minptime=10;useinbandfec=1\r\n" % port
        else:
            sdp_codecs = "m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n" % port
        sdp = ("v=0\r\no=bridged 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + sdp_codecs +
               "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n")
        uri = self.uri(self.ruser(c))
        who = "101" if c.kind == "park" else "102"
        h = ["INVITE %s SIP/2.0" % uri,
             "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport" % (self.a.local_port, c.branch),
             "Max-Forwards: 70",
             "From: \"Bridged %s %d\" <sip:%s@127.0.0.1>;tag=%s" % (c.kind, c.i,
                                                                   "+4940%d" % c.i if c.kind == "park" else who,
                                                                   c.ftag),
             "To: <%s>" % uri, "Call-ID: %s" % c.callid, "CSeq: %d INVITE" % c.cseq,
             "Contact: <sip:br%s%d@127.0.0.1:%d>" % (c.kind, c.i, self.a.local_port)]
        if c.kind == "park":
            h.append("Referred-By: <sip:%s@127.0.0.1>" % self.referrer(c))
        if auth:
            h.append("Authorization: " + auth)
        h += ["Content-Type: application/sdp", "Content-Length: %d" % len(sdp), "", sdp]
        c.t_inv = time.monotonic()
        c.deadline = c.t_inv + self.a.sip_timeout
        self.send(c, "\r\n".join(h), retrans=True)

    def ack(self, c, cseq, branch):
        self.send(c, "\r\n".join([
            "ACK %s SIP/2.0" % self.uri(self.ruser(c)),
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport" % (self.a.local_port, branch),
            "Max-Forwards: 70", "From: <sip:x@127.0.0.1>;tag=%s" % c.ftag, "To: %s" % c.to,
            "Call-ID: %s" % c.callid, "CSeq: %d ACK" % cseq, "Content-Length: 0", "", ""]))

    def bye(self, c):
        c.cseq += 1
        c.branch = "z9hG4bK" + rnd(12)
        self.send(c, "\r\n".join([
            "BYE %s SIP/2.0" % self.uri(self.ruser(c)),
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport" % (self.a.local_port, c.branch),
            "Max-Forwards: 70", "From: <sip:x@127.0.0.1>;tag=%s" % c.ftag, "To: %s" % c.to,
            "Call-ID: %s" % c.callid, "CSeq: %d BYE" % c.cseq, "Content-Length: 0", "", ""]), retrans=True)
        c.state = "bye"
        c.deadline = time.monotonic() + 8

    def digest(self, c, www):
        params = dict((k.strip(), v.strip().strip('"')) for k, v in
                      (p.split("=", 1) for p in www[len("Digest"):].split(",") if "=" in p))
        realm, nonce = params.get("realm", ""), params.get("nonce", "")
        uri = self.uri(self.ruser(c))
        ha1 = hashlib.md5(("102:%s:pass102" % realm).encode()).hexdigest()
        ha2 = hashlib.md5(("INVITE:%s" % uri).encode()).hexdigest()
        cnonce, nc = rnd(8), "00000001"
        resp = hashlib.md5(("%s:%s:%s:%s:auth:%s" % (ha1, nonce, nc, cnonce, ha2)).encode()).hexdigest()
        return ('Digest username="102", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5, qop=auth, '
                'nc=%s, cnonce="%s"' % (realm, nonce, uri, resp, nc, cnonce))

    def on_response(self, first, hdrs, body):
        code = int(first.split()[1])
        c = self.calls.get(hdrs.get("call-id"))
        if c is None:
            return
        num, method = hdrs.get("cseq", "0 X").split()
        num = int(num)
        if method == "BYE":
            if code >= 200 and c.state == "bye":
                c.state = "done"
                c.retrans_at = None
            return
        if method != "INVITE":
            return
        if num != c.cseq:
            return
        if code < 200:
            c.retrans_at = None
            return
        c.to = hdrs.get("to")
        if code >= 300:
            self.ack(c, num, c.branch)
            if c.kind == "retrieve" and code == 401 and num == 1 and c.state == "inviting":
                c.cseq, c.branch, c.state = 2, "z9hG4bK" + rnd(12), "auth"
                self.invite(c, c.port, self.digest(c, hdrs.get("www-authenticate", "")))
            elif c.state in ("inviting", "auth"):
                self.failed(c, "%s %d" % (c.kind, code))
            return
        self.ack(c, num, "z9hG4bK" + rnd(12))
        if c.state == "failed" and c.kind == "retrieve":
            self.late_ok += 1  # answered after our timeout: the server bridged it, we hang it up
            self.bye(c)
            return
        if c.state not in ("inviting", "auth"):
            return  # a retransmitted 200
        c.retrans_at = None
        if c.kind == "retrieve" and "p-asserted-identity" not in hdrs:
            self.failed(c, "retrieve got the nothing-parked prompt")
            return
        media = sdp_addr(body)
        if media is None:
            self.failed(c, "%s: no SDP in the 200" % c.kind)
            return
        c.media = media
        c.state = "up"
        self.setup_ms[c.kind].append((time.monotonic() - c.t_inv) * 1000)

    def on_request(self, first, hdrs, vias):
        method = first.split()[0]
        if method == "ACK":
            return
        c = self.calls.get(hdrs.get("call-id"))
        resp = ["SIP/2.0 %s" % ("200 OK" if c is not None else "481 Call Does Not Exist")]
        resp += ["Via: " + v for v in vias]
        resp += ["From: " + hdrs.get("from", ""), "To: " + hdrs.get("to", ""), "Call-ID: " + hdrs.get("call-id", ""),
                 "CSeq: " + hdrs.get("cseq", ""), "Content-Length: 0", "", ""]
        self.sock.sendto("\r\n".join(resp).encode(), self.server)
        if c is not None and method == "BYE" and c.state not in ("done", "failed"):
            self.server_byes += 1
            c.state = "done"
            c.retrans_at = None
        elif c is not None and method not in ("BYE", "OPTIONS", "INFO", "NOTIFY"):
            log("unexpected in-dialog %s for %s" % (method, c.callid))

    def pump(self, seconds):
        """Reads SIP for up to `seconds`, runs retransmissions and timeouts."""
        end = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            for c in self.calls.values():
                if c.retrans_at is not None and now >= c.retrans_at and c.msg:
                    self.sock.sendto(c.msg.encode(), self.server)
                    self.retrans += 1
                    c.iv = min(c.iv * 2, 4.0)
                    c.retrans_at = now + c.iv
                if c.state in ("inviting", "auth", "bye") and c.deadline and now >= c.deadline:
                    self.failed(c, "%s timeout in %s" % (c.kind, c.state))
            left = end - time.monotonic()
            r, _, _ = select.select([self.sock], [], [], max(0.0, min(left, 0.05)))
            if r:
                for _ in range(500):
                    try:
                        data = self.sock.recv(65536)
                    except BlockingIOError:
                        break
                    first, hdrs, vias, body = parse(data)
                    if first.startswith("SIP/2.0"):
                        self.on_response(first, hdrs, body)
                    else:
                        self.on_request(first, hdrs, vias)
            if time.monotonic() >= end:
                return

    def run_calls(self, kind, n, rate, ports, timeout):
        """Starts n calls of `kind` at `rate`/s (call i with RTP port ports[i]), waits until all are settled."""
        t0 = time.monotonic()
        out = []
        for i in range(n):
            due = t0 + i / rate
            while time.monotonic() < due or sum(c.state in ("inviting", "auth") for c in out) >= self.a.in_flight:
                self.pump(max(0.001, min(0.01, due - time.monotonic())))
            c = Call(kind, i)
            c.port = ports[i]
            self.calls[c.callid] = c
            out.append(c)
            self.invite(c, c.port)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(c.state in ("inviting", "auth") for c in out):
            self.pump(0.05)
        for c in out:
            if c.state in ("inviting", "auth"):
                self.failed(c, "%s unfinished" % kind)
        return out


def udp_errors():
    """The kernel's UDP counters (all sockets of the machine): receive-buffer overflows and the like."""
    with open("/proc/net/snmp") as f:
        rows = [ln.split() for ln in f if ln.startswith("Udp:")]
    return {k: int(v) for k, v in zip(rows[0][1:], rows[1][1:]) if k in ("InErrors", "RcvbufErrors", "SndbufErrors")}


class Tool:
    def __init__(self, a, n):
        cmd = [a.tool, str(n), str(a.tool_max_seconds), str(a.slots), str(a.share),
               a.opus_frames if a.codec == "opus" else ""]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        if a.pids_file:
            with open(a.pids_file, "a") as f:
                f.write("%d\n" % self.p.pid)
        line = self.p.stdout.readline().split()
        if not line or line[0] != "ports":
            raise RuntimeError("bridged_rtp did not start: %r" % line)
        self.ports = [int(x) for x in line[1:]]

    def cmd(self, c):
        self.p.stdin.write(c + "\n")
        self.p.stdin.flush()

    def report(self, tag):
        self.cmd("report " + tag)
        line = self.p.stdout.readline()
        if not line.startswith("report "):
            raise RuntimeError("bridged_rtp: %r" % line)
        return json.loads(line.split(" ", 1)[1])

    def close(self):
        try:
            self.cmd("quit")
            self.p.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            self.p.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="127.0.0.1:15060")
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--local-port", type=int, default=15090)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--codec", choices=("pcmu", "opus"), default="pcmu")
    ap.add_argument("--park-rate", type=float, default=200)
    ap.add_argument("--retrieve-rate", type=float, default=100)
    ap.add_argument("--window", type=float, default=20)
    ap.add_argument("--slot-mode", choices=("ext", "group"), default="ext")
    ap.add_argument("--in-flight", type=int, default=50, help="most park/retrieve INVITEs unanswered at once")
    ap.add_argument("--sip-timeout", type=float, default=15, help="s for a final answer to an INVITE")
    ap.add_argument("--direct-window", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--idle-window", type=float, default=10, help="s of server CPU after every call ended")
    ap.add_argument("--tool", required=True, help="the compiled bench/bridged_rtp.c")
    ap.add_argument("--slots", type=int, default=40, help="send groups per 20 ms")
    ap.add_argument("--share", type=int, default=8, help="sockets per side (0: one per stream)")
    ap.add_argument("--opus-frames", default="")
    ap.add_argument("--gc-log", default="")
    ap.add_argument("--pids-file", default="")
    a = ap.parse_args()
    a.tool_max_seconds = 60 + a.n / a.park_rate + a.n / a.retrieve_rate + a.direct_window + a.window + 120
    random.seed(os.getpid())
    n = a.n
    res = {"n": n, "codec": a.codec, "slots": a.slots, "share": a.share}
    tool = Tool(a, n)
    ua = None
    try:
        # 1. direct (PCMU both ways, as the bridged PCMU run; skipped for opus: no latency is matched there)
        if a.codec == "pcmu":
            tool.cmd("direct")
            tool.cmd("start")
            time.sleep(2)
            tool.cmd("mark")
            w = CpuWindow(tool.p.pid)
            time.sleep(a.direct_window)
            cpu = w.pct()
            res["direct"] = tool.report("direct")
            res["direct"]["tool_cpu_pct"] = cpu
            res["direct"]["machine_busy_pct"] = w.machine_busy
            tool.cmd("stop")
            time.sleep(0.3)
            tool.cmd("clear")
            log("direct:", json.dumps(res["direct"]))
        # 2. park, 3. retrieve
        ua = Ua(a)
        before = status(a.server_pid)
        parks = ua.run_calls("park", n, a.park_rate, [tool.ports[2 * i] for i in range(n)], 15)
        for c in parks:
            if c.state == "up":
                tool.cmd("dest %d %s %d" % (2 * c.i, c.media[0], c.media[1]))
        log("parked %d/%d, failures %s" % (sum(c.state == "up" for c in parks), n, ua.fail))
        ua.pump(1)
        retrs = ua.run_calls("retrieve", n, a.retrieve_rate, [tool.ports[2 * i + 1] for i in range(n)], 15)
        pts = {}
        for c in retrs:
            if c.state == "up":
                tool.cmd("dest %d %s %d" % (2 * c.i + 1, c.media[0], c.media[1]))
                pts[" ".join(c.media[2])] = pts.get(" ".join(c.media[2]), 0) + 1
        res["retriever_answer_payload_types"] = pts
        bridged = sum(c.state == "up" for c in retrs)
        log("retrieved %d/%d, failures %s, answer PTs %s" % (bridged, n, ua.fail, pts))
        res.update({"parked_ok": sum(c.state == "up" for c in parks), "retrieved_ok": bridged,
                    "park_ms_p50": pct(ua.setup_ms["park"], 50), "park_ms_p99": pct(ua.setup_ms["park"], 99),
                    "retrieve_ms_p50": pct(ua.setup_ms["retrieve"], 50),
                    "retrieve_ms_p99": pct(ua.setup_ms["retrieve"], 99)})
        # 4. the window
        tool.cmd("start")
        ua.pump(a.warmup)
        tool.cmd("mark")
        ws, wt = CpuWindow(a.server_pid), CpuWindow(tool.p.pid)
        th0, tt0, udp0 = thread_ticks(a.server_pid), time.monotonic(), udp_errors()
        ua.pump(a.window)
        cpu_s, cpu_t = ws.pct(), wt.pct()
        # the RTP loop is named callpark-media-rtp (the kernel keeps 15 characters: "callpark-media-")
        threads = busiest_threads(th0, thread_ticks(a.server_pid), time.monotonic() - tt0)
        udp1 = udp_errors()
        udp = {k: udp1[k] - udp0.get(k, 0) for k in udp1}
        st = status(a.server_pid)
        r = tool.report("bridged")
        r.update({"server_cpu_pct": cpu_s, "tool_cpu_pct": cpu_t, "machine_busy_pct": ws.machine_busy,
                  "load1": ws.load1, "server_busiest_threads": threads, "udp_errors_in_window": udp, "gc": gc_pauses(a.gc_log, ws.wall0, ws.wall1) if a.gc_log else None,
                  "rss_mb": st.get("rss_mb"), "threads": st.get("threads"), "rss_before_mb": before.get("rss_mb")})
        res["bridged"] = r
        log("bridged:", json.dumps(r))
        tool.cmd("stop")
        # 5. hang up
        t0 = time.monotonic()
        for c in retrs:
            if c.state == "up":
                ua.bye(c)
                ua.pump(1.0 / a.retrieve_rate)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(c.state in ("up", "bye") for c in retrs + parks):
            ua.pump(0.1)
            if time.monotonic() - t0 > 10:
                for c in parks:
                    if c.state == "up":
                        ua.bye(c)
        # the server with no call left (JIT warm, as in the window): what it costs without relaying anything
        ua.pump(3)
        wi = CpuWindow(a.server_pid)
        ua.pump(a.idle_window)
        res["server_idle_cpu_pct"] = wi.pct()
        res.update({"server_byes_to_callers": ua.server_byes,
                    "calls_left_up": sum(c.state in ("up", "bye") for c in retrs + parks),
                    "failures": ua.fail, "failed": sum(ua.fail.values()), "sip_retransmissions": ua.retrans,
                    "answered_after_timeout": ua.late_ok, "slot_mode": a.slot_mode})
    finally:
        tool.close()
    print(json.dumps(res))


if __name__ == "__main__":
    main()
