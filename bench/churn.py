#!/usr/bin/env python3
"""Park/retrieve churn with latency measurement: a small real SIP UA over UDP (standard library only).

Parks at RATE calls/s (INVITE <park-uri> with Referred-By) and retrieves at RATE calls/s (INVITE <retrieve-uri>, 401,
ACK, INVITE with digest credentials), starting --retrieve-delay s after the first park. Measures with kernel receive
timestamps (SO_TIMESTAMPNS) against the wall clock taken right before sendto():
  park latency      INVITE sent -> 200 OK received
  retrieve latency  authenticated INVITE sent -> 200 OK received (the 401 round trip reported separately)
  first music       park INVITE sent -> first RTP packet at the caller's RTP port
Every --sample-every-th parked call keeps reading its RTP (packets/s, |gap - 20 ms|). A call fails on any non-2xx
final response (but the expected 401), no final response within --timeout, or a retrieve answered by the
"nothing parked" prompt (a 200 without P-Asserted-Identity). Prints one JSON object.
"""
import argparse
import hashlib
import json
import os
import random
import select
import socket
import struct
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


def kernel_ts(anc):
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
            sec, nsec = struct.unpack("qq", data[:16])
            return sec * 1_000_000_000 + nsec
    return time.time_ns()


def rnd(n=10):
    return "%0*x" % (n, random.getrandbits(4 * n))


def parse(data):
    text = data.decode("utf-8", "replace")
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    first = lines[0]
    hdrs = {}
    vias = []
    compact = {"i": "call-id", "v": "via", "f": "from", "t": "to", "m": "contact", "l": "content-length"}
    for ln in lines[1:]:
        if ":" not in ln:
            continue
        k, v = ln.split(":", 1)
        k = k.strip().lower()
        k = compact.get(k, k)
        v = v.strip()
        if k == "via":
            vias.append(v)
        hdrs.setdefault(k, v)
    return first, hdrs, vias, body


def tag_of(v):
    for p in v.split(";")[1:]:
        if p.strip().startswith("tag="):
            return p.strip()[4:]
    return None


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


class Call:
    __slots__ = ("kind", "n", "callid", "ftag", "branch", "cseq", "to", "state", "t_inv", "t_401", "t_auth",
                 "got_prov", "retrans_at", "retrans_iv", "deadline", "port", "sock", "sampled", "first_rtp",
                 "rtp", "msg", "bye_at", "ended_by_server", "branch_of", "acked")

    def __init__(self, kind, n):
        self.kind, self.n = kind, n
        self.callid = "%s-%d-%s@bench" % (kind, n, rnd(8))
        self.ftag, self.branch, self.cseq = rnd(8), "z9hG4bK" + rnd(12), 1
        self.to = None
        self.state = "inviting"
        self.t_inv = self.t_401 = self.t_auth = None
        self.got_prov = False
        self.retrans_at = self.retrans_iv = None
        self.deadline = None
        self.port = self.sock = None
        self.sampled = False
        self.first_rtp = None
        self.rtp = None
        self.msg = None
        self.bye_at = None
        self.ended_by_server = False
        self.branch_of = {}
        self.acked = set()  # CSeqs of INVITEs whose 2xx we ACKed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="127.0.0.1:5060")
    ap.add_argument("--local-port", type=int, default=15080)
    ap.add_argument("--rate", type=float, default=100)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--park-user", default="*68109")
    ap.add_argument("--parker", default="102")
    ap.add_argument("--retrieve-user", default="*88109")
    ap.add_argument("--retriever", default="102")
    ap.add_argument("--retrieve-delay", type=float, default=1.0)
    ap.add_argument("--talk", type=float, default=0.3, help="s the retriever stays connected before BYE")
    ap.add_argument("--rtp-base", type=int, default=15100)
    ap.add_argument("--rtp-ports", type=int, default=1400)
    ap.add_argument("--sample-every", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=8.0)
    ap.add_argument("--drain", type=float, default=10.0, help="max s to wait for outstanding transactions")
    a = ap.parse_args()

    shost, sport = a.server.split(":")
    server = (shost, int(sport))
    me = "127.0.0.1"
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sip.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sip.bind((me, a.local_port))
    sip.setblocking(False)
    ep = select.epoll()
    ep.register(sip.fileno(), select.EPOLLIN)
    free = []
    rtp_by_fd = {}
    for i in range(a.rtp_ports):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        s.bind((me, a.rtp_base + i))
        s.setblocking(False)
        free.append(s)
    calls = {}
    res = {"park_ms": [], "retrieve_ms": [], "challenge_ms": [], "first_rtp_ms": [], "failures": {},
           "retransmissions": {}, "failed_call_ids": [], "parks": 0, "retrieves": 0, "parked_ok": 0, "retrieved_ok": 0, "server_byes": 0,
           "acked_2xx": 0, "ok_again_after_ack": 0}

    def fail(c, why):
        res["failures"][why] = res["failures"].get(why, 0) + 1
        if len(res["failed_call_ids"]) < 20:
            res["failed_call_ids"].append(c.callid)
        c.state = "failed"

    def send(c, msg, retrans=False):
        t = time.time_ns()
        sip.sendto(msg.encode(), server)
        if retrans:
            c.msg = msg
            c.retrans_iv = 0.5
            c.retrans_at = time.monotonic() + 0.5
        return t

    def invite(c, ruri_user, referrer, auth=None):
        sdp = ("v=0\r\no=churn 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0 101\r\n"
               "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n") % (me, me, c.port)
        uri = "sip:%s@%s:%s" % (ruri_user, shost, sport)
        c.branch_of[c.cseq] = c.branch
        h = ["INVITE %s SIP/2.0" % uri,
             "Via: SIP/2.0/UDP %s:%d;branch=%s;rport" % (me, a.local_port, c.branch),
             "Max-Forwards: 70",
             "From: \"Churn %d\" <sip:+4940%d@%s>;tag=%s" % (c.n, c.n, me, c.ftag),
             "To: <%s>" % uri, "Call-ID: %s" % c.callid, "CSeq: %d INVITE" % c.cseq,
             "Contact: <sip:churn%d@%s:%d>" % (c.n, me, a.local_port)]
        if referrer:
            h.append("Referred-By: <sip:%s@127.0.0.1>" % referrer)
        if auth:
            h.append("Authorization: " + auth)
        h += ["Content-Type: application/sdp", "Content-Length: %d" % len(sdp), "", sdp]
        return send(c, "\r\n".join(h), retrans=True)

    def ack(c, ruri_user, branch, cseq):
        uri = "sip:%s@%s:%s" % (ruri_user, shost, sport)
        send(c, "\r\n".join(["ACK %s SIP/2.0" % uri,
                             "Via: SIP/2.0/UDP %s:%d;branch=%s;rport" % (me, a.local_port, branch),
                             "Max-Forwards: 70", "From: <sip:+4940%d@%s>;tag=%s" % (c.n, me, c.ftag),
                             "To: %s" % c.to, "Call-ID: %s" % c.callid, "CSeq: %d ACK" % cseq,
                             "Content-Length: 0", "", ""]))

    def bye(c, ruri_user):
        c.cseq += 1
        c.branch = "z9hG4bK" + rnd(12)
        uri = "sip:%s@%s:%s" % (ruri_user, shost, sport)
        send(c, "\r\n".join(["BYE %s SIP/2.0" % uri,
                             "Via: SIP/2.0/UDP %s:%d;branch=%s;rport" % (me, a.local_port, c.branch),
                             "Max-Forwards: 70", "From: <sip:+4940%d@%s>;tag=%s" % (c.n, me, c.ftag),
                             "To: %s" % c.to, "Call-ID: %s" % c.callid, "CSeq: %d BYE" % c.cseq,
                             "Content-Length: 0", "", ""]), retrans=True)
        c.state = "bye"
        c.got_prov = False
        c.deadline = time.monotonic() + a.timeout

    def release(c):
        if c.sock is not None:
            try:
                ep.unregister(c.sock.fileno())
            except (FileNotFoundError, ValueError, OSError):
                pass
            rtp_by_fd.pop(c.sock.fileno(), None)
            while True:
                try:
                    c.sock.recv(2048)
                except BlockingIOError:
                    break
            free.append(c.sock)
            c.sock = None
        if c.sampled and c.rtp and len(c.rtp) > 10:
            res.setdefault("rtp_streams", []).append(c.rtp)
        c.rtp = None

    def new_call(kind, n):
        c = Call(kind, n)
        if not free:
            fail(c, "no free local RTP port")
            return None
        c.sock = free.pop(0)
        c.port = c.sock.getsockname()[1]
        calls[c.callid] = c
        return c

    def digest(c, www):
        params = {}
        for part in www[len("Digest"):].split(","):
            if "=" in part:
                k, v = part.split("=", 1)
                params[k.strip()] = v.strip().strip('"')
        realm, nonce = params.get("realm", ""), params.get("nonce", "")
        uri = "sip:%s@%s:%s" % (a.retrieve_user, shost, sport)
        user, pw = a.retriever, "pass" + a.retriever
        ha1 = hashlib.md5(("%s:%s:%s" % (user, realm, pw)).encode()).hexdigest()
        ha2 = hashlib.md5(("INVITE:%s" % uri).encode()).hexdigest()
        cnonce, nc = rnd(8), "00000001"
        resp = hashlib.md5(("%s:%s:%s:%s:auth:%s" % (ha1, nonce, nc, cnonce, ha2)).encode()).hexdigest()
        return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5, '
                'qop=auth, nc=%s, cnonce="%s"' % (user, realm, nonce, uri, resp, nc, cnonce))

    def on_response(first, hdrs, ts):
        code = int(first.split()[1])
        c = calls.get(hdrs.get("call-id"))
        if c is None:
            return
        cseq_num, method = hdrs.get("cseq", "0 X").split()
        cseq_num = int(cseq_num)
        if method == "BYE":
            if code >= 200 and c.state == "bye":
                c.state = "done"
                c.retrans_at = None
                release(c)
            return
        if method != "INVITE":
            return
        if cseq_num != c.cseq:
            # a late response to an earlier INVITE of this call (e.g. the 401 to our retransmitted first INVITE)
            if code >= 300:
                ack(c, a.park_user if c.kind == "park" else a.retrieve_user, c.branch_of.get(cseq_num, c.branch),
                    cseq_num)
            return
        if code < 200:
            c.got_prov = True
            c.retrans_at = None
            return
        c.to = hdrs.get("to")
        if code >= 300:
            # ACK the non-2xx final response (same branch)
            ack(c, a.park_user if c.kind == "park" else a.retrieve_user, c.branch, cseq_num)
            if c.state == "inviting" and c.kind == "retrieve" and code == 401 and cseq_num == 1:
                res["challenge_ms"].append((ts - c.t_inv) / 1e6)
                c.cseq = 2
                c.branch = "z9hG4bK" + rnd(12)
                c.got_prov = False
                c.to = None
                c.state = "auth"
                c.t_auth = invite(c, a.retrieve_user, None, digest(c, hdrs.get("www-authenticate", "")))
                c.deadline = time.monotonic() + a.timeout
            elif c.state in ("inviting", "auth"):
                c.retrans_at = None
                fail(c, "%s %d" % (c.kind, code))
                release(c)
            return
        # 2xx
        ruri = a.park_user if c.kind == "park" else a.retrieve_user
        if cseq_num in c.acked:
            # the server sent this 200 OK again although we ACKed it at once (issue 17 "retransmissions")
            res["ok_again_after_ack"] += 1
            ack(c, ruri, "z9hG4bK" + rnd(12), cseq_num)
            return
        c.acked.add(cseq_num)
        res["acked_2xx"] += 1
        ack(c, ruri, "z9hG4bK" + rnd(12), cseq_num)
        if c.state == "inviting" and c.kind == "park":
            c.retrans_at = None
            res["park_ms"].append((ts - c.t_inv) / 1e6)
            res["parked_ok"] += 1
            c.state = "parked"
        elif c.state == "auth" and c.kind == "retrieve":
            c.retrans_at = None
            if "p-asserted-identity" not in hdrs:
                fail(c, "retrieve got the nothing-parked prompt")
                c.state = "prompt"  # the server hangs up after the prompt
                c.deadline = time.monotonic() + 15
                return
            res["retrieve_ms"].append((ts - c.t_auth) / 1e6)
            res["retrieved_ok"] += 1
            c.state = "up"
            c.bye_at = time.monotonic() + a.talk

    def on_request(first, hdrs, vias, data):
        method = first.split()[0]
        c = calls.get(hdrs.get("call-id"))
        resp = ["SIP/2.0 %s" % ("200 OK" if c is not None or method == "ACK" else "481 Call Does Not Exist")]
        if method == "ACK":
            return
        resp += ["Via: " + v for v in vias]
        resp += ["From: " + hdrs.get("from", ""), "To: " + hdrs.get("to", ""), "Call-ID: " + hdrs.get("call-id", ""),
                 "CSeq: " + hdrs.get("cseq", ""), "Content-Length: 0", "", ""]
        sip.sendto("\r\n".join(resp).encode(), server)
        if c is not None and method == "BYE" and c.state not in ("done", "failed"):
            res["server_byes"] += 1
            c.ended_by_server = True
            c.state = "done"
            c.retrans_at = None
            release(c)

    def on_rtp(fd):
        c = rtp_by_fd.get(fd)
        s = c.sock if c else None
        if s is None:
            return
        while True:
            try:
                data, anc, _, _ = s.recvmsg(2048, 64)
            except BlockingIOError:
                break
            if len(data) < 12 or (data[1] & 0x7F) in range(72, 77):
                continue
            ts = kernel_ts(anc)
            if c.first_rtp is None:
                c.first_rtp = ts
                res["first_rtp_ms"].append((ts - c.t_inv) / 1e6)
                if not c.sampled:
                    ep.unregister(fd)
                    rtp_by_fd.pop(fd, None)
                    return
                c.rtp = []
            if c.rtp is not None:
                c.rtp.append(ts)

    random.seed(os.getpid())
    total = int(a.rate * a.seconds)
    t0 = time.monotonic() + 0.2
    next_park = next_retr = 0
    parked_fifo = []
    end_at = t0 + a.seconds + a.retrieve_delay
    hung_up_rest = False
    while True:
        now = time.monotonic()
        while next_park < total and now >= t0 + next_park / a.rate:
            c = new_call("park", next_park)
            next_park += 1
            res["parks"] += 1
            if c is None:
                continue
            c.sampled = (c.n % a.sample_every) == 0
            ep.register(c.sock.fileno(), select.EPOLLIN)
            rtp_by_fd[c.sock.fileno()] = c
            c.t_inv = invite(c, a.park_user, a.parker)
            c.deadline = now + a.timeout
            parked_fifo.append(c)
        # retrieve k is due at t0 + delay + k/R, but never before park k was answered (one retrieves a parked call)
        while next_retr < total and now >= t0 + a.retrieve_delay + next_retr / a.rate \
                and (res["parked_ok"] > next_retr or next_park >= total and not any(
                    x.kind == "park" and x.state == "inviting" for x in calls.values())):
            c = new_call("retrieve", next_retr)
            next_retr += 1
            res["retrieves"] += 1
            if c is None:
                continue
            c.t_inv = invite(c, a.retrieve_user, None)
            c.deadline = now + a.timeout
            if next_retr == total:
                res["last_retrieve_sent"] = now - t0
        if now >= end_at and not hung_up_rest and next_park >= total and next_retr >= total and not any(
                x.kind == "retrieve" and x.state in ("inviting", "auth") for x in calls.values()):
            # hang up our calls that are still parked (not retrieved within the run)
            for c in list(calls.values()):
                if c.kind == "park" and c.state == "parked":
                    bye(c, a.park_user)
            hung_up_rest = True
            drain_until = now + a.drain
        # timers
        for c in list(calls.values()):
            if c.state in ("done", "failed"):
                release(c)
                del calls[c.callid]
                continue
            if c.retrans_at is not None and now >= c.retrans_at and not c.got_prov and c.msg:
                sip.sendto(c.msg.encode(), server)
                res["retransmissions"][c.msg.split(" ", 1)[0]] = res["retransmissions"].get(c.msg.split(" ", 1)[0], 0) + 1
                c.retrans_iv = min(c.retrans_iv * 2, 4.0)
                c.retrans_at = now + c.retrans_iv
            if c.state == "up" and c.bye_at is not None and now >= c.bye_at:
                bye(c, a.retrieve_user)
            elif c.state in ("inviting", "auth", "bye") and c.deadline is not None and now >= c.deadline:
                fail(c, "%s timeout in %s" % (c.kind, c.state))
            elif c.state == "prompt" and now >= c.deadline:
                c.state = "failed"
        if hung_up_rest and (not calls or now >= drain_until):
            break
        for fd, _ in ep.poll(0.002):
            if fd == sip.fileno():
                while True:
                    try:
                        data, anc, _, _ = sip.recvmsg(65536, 64)
                    except BlockingIOError:
                        break
                    ts = kernel_ts(anc)
                    first, hdrs, vias, _ = parse(data)
                    if first.startswith("SIP/2.0"):
                        on_response(first, hdrs, ts)
                    else:
                        on_request(first, hdrs, vias, data)
            else:
                on_rtp(fd)
    for c in calls.values():
        if c.state not in ("done", "failed"):
            res["failures"]["%s unfinished in %s" % (c.kind, c.state)] = \
                res["failures"].get("%s unfinished in %s" % (c.kind, c.state), 0) + 1
    streams = res.pop("rtp_streams", [])
    devs, pps = [], []
    for st in streams:
        gaps = [(b - x) / 1e6 for x, b in zip(st, st[1:])]
        devs += [abs(g - 20.0) for g in gaps]
        dur = (st[-1] - st[0]) / 1e9
        if dur >= 1.0:
            pps.append((len(st) - 1) / dur)
    out = {"retrieves_done_after_s": res.get("last_retrieve_sent"),
           "rate": a.rate, "seconds": a.seconds, "parks": res["parks"], "retrieves": res["retrieves"],
           "parked_ok": res["parked_ok"], "retrieved_ok": res["retrieved_ok"], "server_byes": res["server_byes"],
           "failures": res["failures"], "failed": sum(res["failures"].values()),
           "retransmissions": res["retransmissions"], "failed_call_ids": res["failed_call_ids"],
           "acked_2xx": res["acked_2xx"], "ok_again_after_ack": res["ok_again_after_ack"]}
    for k in ("park_ms", "retrieve_ms", "challenge_ms", "first_rtp_ms"):
        v = res[k]
        out[k] = {"n": len(v), "p50": pct(v, 50), "p99": pct(v, 99), "max": max(v) if v else None}
    out["sampled_streams"] = len(streams)
    out["dev_p99_ms"] = pct(devs, 99)
    out["pps_min"] = min(pps) if pps else None
    out["pps_streams_ge_1s"] = len(pps)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
