#!/usr/bin/env python3
"""Cross-node retrieves for the cluster benchmark: a small real SIP UA over UDP (standard library only).

Sends RATE retrieves/s for SECONDS, round robin over the --target nodes; retrieve k goes to target k % T and dials
*88<slot> with that target's slots in turn, as user 101 + k % 9 (digest, password pass<user>). Each retrieve:
INVITE -> 401 -> ACK -> INVITE with credentials -> 200 (must carry P-Asserted-Identity: a 200 without it is the
"nothing parked" prompt) -> ACK -> BYE after --talk s -> 200. Retransmits over UDP (T1 500 ms, doubling) until a
provisional or final answer. Measured with the kernel receive timestamp (SO_TIMESTAMPNS) of the answer against the
wall clock taken right before sendto():
  retrieve  authenticated INVITE sent -> 200 OK received
  challenge first INVITE sent -> 401 received
A retrieve fails on a non-2xx final answer (but the expected 401), the prompt, or no final answer within --timeout.
Bounded: stops --drain s after the last retrieve was sent at the latest. Prints one JSON object (with the raw
latencies, per target).
"""
import argparse
import hashlib
import json
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
    hdrs, vias = {}, []
    compact = {"i": "call-id", "v": "via", "f": "from", "t": "to", "m": "contact", "l": "content-length"}
    for ln in lines[1:]:
        if ":" not in ln:
            continue
        k, v = ln.split(":", 1)
        k = compact.get(k.strip().lower(), k.strip().lower())
        v = v.strip()
        if k == "via":
            vias.append(v)
        hdrs.setdefault(k, v)
    return lines[0], hdrs, vias, body


class Retrieve:
    def __init__(self, k, target, slot, user):
        self.k, self.target, self.slot, self.user = k, target, slot, user
        self.callid = "xret-%d-%s@bench" % (k, rnd(8))
        self.ftag, self.branch, self.cseq = rnd(8), "z9hG4bK" + rnd(12), 1
        self.state = "inviting"
        self.to = None
        self.t_inv = self.t_auth = None
        self.msg = None
        self.retrans_at = None
        self.retrans_iv = 0.5
        self.deadline = None
        self.bye_at = None
        self.sock = self.port = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", action="append", required=True,
                    help="PORT:SLOT,SLOT,... (a node on 127.0.0.1 and the slots to retrieve there)")
    ap.add_argument("--local-port", type=int, default=19080)
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--talk", type=float, default=0.3)
    ap.add_argument("--rtp-base", type=int, default=17600)
    ap.add_argument("--rtp-pairs", type=int, default=100)
    ap.add_argument("--timeout", type=float, default=8.0)
    ap.add_argument("--drain", type=float, default=12.0)
    a = ap.parse_args()

    me = "127.0.0.1"
    targets = []
    for t in a.target:
        port, slots = t.split(":")
        targets.append((int(port), slots.split(",")))
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sip.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sip.bind((me, a.local_port))
    sip.setblocking(False)
    free = []
    for i in range(a.rtp_pairs):  # RTP + RTCP port of each retriever, never read
        pair = []
        for p in (a.rtp_base + 2 * i, a.rtp_base + 2 * i + 1):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
            s.bind((me, p))
            pair.append(s)
        free.append(pair)
    calls = {}
    rows = []  # one per retrieve: target port, slot, user, outcome, latencies
    res = {"failures": {}, "retransmissions": 0, "prompt_call_ids": []}

    def fail(c, why):
        res["failures"][why] = res["failures"].get(why, 0) + 1
        c.state = "failed"
        c.outcome = why

    def send(c, msg, retrans=False):
        t = time.time_ns()
        sip.sendto(msg.encode(), (me, c.target))
        if retrans:
            c.msg, c.retrans_iv = msg, 0.5
            c.retrans_at = time.monotonic() + 0.5
        return t

    def uri(c):
        return "sip:*88%s@%s:%d" % (c.slot, me, c.target)

    def invite(c, auth=None):
        sdp = ("v=0\r\no=xret 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0 101\r\n"
               "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n") % (me, me, c.port)
        h = ["INVITE %s SIP/2.0" % uri(c),
             "Via: SIP/2.0/UDP %s:%d;branch=%s;rport" % (me, a.local_port, c.branch),
             "Max-Forwards: 70",
             "From: \"Retriever %s\" <sip:%s@%s>;tag=%s" % (c.user, c.user, me, c.ftag),
             "To: <%s>" % uri(c), "Call-ID: %s" % c.callid, "CSeq: %d INVITE" % c.cseq,
             "Contact: <sip:%s@%s:%d>" % (c.user, me, a.local_port)]
        if auth:
            h.append("Authorization: " + auth)
        h += ["Content-Type: application/sdp", "Content-Length: %d" % len(sdp), "", sdp]
        return send(c, "\r\n".join(h), retrans=True)

    def ack(c, branch, cseq):
        send(c, "\r\n".join(["ACK %s SIP/2.0" % uri(c),
                             "Via: SIP/2.0/UDP %s:%d;branch=%s;rport" % (me, a.local_port, branch),
                             "Max-Forwards: 70", "From: <sip:%s@%s>;tag=%s" % (c.user, me, c.ftag),
                             "To: %s" % c.to, "Call-ID: %s" % c.callid, "CSeq: %d ACK" % cseq,
                             "Content-Length: 0", "", ""]))

    def bye(c):
        c.cseq += 1
        c.branch = "z9hG4bK" + rnd(12)
        send(c, "\r\n".join(["BYE %s SIP/2.0" % uri(c),
                             "Via: SIP/2.0/UDP %s:%d;branch=%s;rport" % (me, a.local_port, c.branch),
                             "Max-Forwards: 70", "From: <sip:%s@%s>;tag=%s" % (c.user, me, c.ftag),
                             "To: %s" % c.to, "Call-ID: %s" % c.callid, "CSeq: %d BYE" % c.cseq,
                             "Content-Length: 0", "", ""]), retrans=True)
        c.state = "bye"
        c.deadline = time.monotonic() + a.timeout

    def digest(c, www):
        params = {}
        for part in www[len("Digest"):].split(","):
            if "=" in part:
                k, v = part.split("=", 1)
                params[k.strip()] = v.strip().strip('"')
        realm, nonce = params.get("realm", ""), params.get("nonce", "")
        pw = "pass" + c.user
        ha1 = hashlib.md5(("%s:%s:%s" % (c.user, realm, pw)).encode()).hexdigest()
        ha2 = hashlib.md5(("INVITE:%s" % uri(c)).encode()).hexdigest()
        cnonce, nc = rnd(8), "00000001"
        resp = hashlib.md5(("%s:%s:%s:%s:auth:%s" % (ha1, nonce, nc, cnonce, ha2)).encode()).hexdigest()
        return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5, '
                'qop=auth, nc=%s, cnonce="%s"' % (c.user, realm, nonce, uri(c), resp, nc, cnonce))

    def release(c):
        if c.sock is not None:
            free.append(c.sock)
            c.sock = None

    def on_response(first, hdrs, ts):
        code = int(first.split()[1])
        c = calls.get(hdrs.get("call-id"))
        if c is None:
            return
        num, method = hdrs.get("cseq", "0 X").split()
        num = int(num)
        if method == "BYE":
            if code >= 200 and c.state == "bye":
                c.state = "done"
                c.retrans_at = None
            return
        if method != "INVITE" or num != c.cseq:
            if method == "INVITE" and code >= 300:  # late answer to an earlier INVITE of this call
                ack(c, c.branch, num)
            return
        if code < 200:
            c.retrans_at = None
            return
        c.to = hdrs.get("to")
        if code >= 300:
            ack(c, c.branch, num)
            if c.state == "inviting" and code == 401:
                c.row["challenge_ms"] = (ts - c.t_inv) / 1e6
                c.cseq, c.branch, c.state = 2, "z9hG4bK" + rnd(12), "auth"
                c.t_auth = invite(c, digest(c, hdrs.get("www-authenticate", "")))
                c.deadline = time.monotonic() + a.timeout
            elif c.state in ("inviting", "auth"):
                c.retrans_at = None
                fail(c, "%d %s" % (code, first.split(" ", 2)[2] if first.count(" ") >= 2 else ""))
            return
        ack(c, "z9hG4bK" + rnd(12), num)
        if c.state == "auth":
            c.retrans_at = None
            if "p-asserted-identity" not in hdrs:
                fail(c, "nothing-parked prompt")
                if len(res["prompt_call_ids"]) < 10:
                    res["prompt_call_ids"].append(c.callid)
                c.bye_at = time.monotonic()
                c.state = "up"
                c.outcome = "prompt"
                return
            c.row["retrieve_ms"] = (ts - c.t_auth) / 1e6
            c.row["ok_epoch_ns"] = ts
            c.state = "up"
            c.outcome = "ok"
            c.bye_at = time.monotonic() + a.talk

    def on_request(first, hdrs, vias):
        method = first.split()[0]
        if method == "ACK":
            return
        c = calls.get(hdrs.get("call-id"))
        resp = ["SIP/2.0 %s" % ("200 OK" if c is not None else "481 Call Does Not Exist")]
        resp += ["Via: " + v for v in vias]
        resp += ["From: " + hdrs.get("from", ""), "To: " + hdrs.get("to", ""), "Call-ID: " + hdrs.get("call-id", ""),
                 "CSeq: " + hdrs.get("cseq", ""), "Content-Length: 0", "", ""]
        port = c.target if c is not None else int(vias[0].split()[1].split(";")[0].split(":")[1]) if vias else 0
        if port:
            sip.sendto("\r\n".join(resp).encode(), (me, port))
        if c is not None and method == "BYE" and c.state not in ("done", "failed"):
            res["server_byes"] = res.get("server_byes", 0) + 1
            c.state = "done"
            c.retrans_at = None

    random.seed()
    total = int(a.rate * a.seconds)
    t0 = time.monotonic() + 0.2
    k = 0
    per_target = [0] * len(targets)
    stop_at = None
    while True:
        now = time.monotonic()
        while k < total and now >= t0 + k / a.rate:
            ti = k % len(targets)
            port, slots = targets[ti]
            c = Retrieve(k, port, slots[per_target[ti] % len(slots)], str(101 + k % 9))
            per_target[ti] += 1
            c.row = {"k": k, "target": port, "slot": c.slot, "user": c.user}
            c.outcome = None
            rows.append(c.row)
            k += 1
            if not free:
                fail(c, "no free local RTP port")
                c.row["outcome"] = c.outcome
                continue
            c.sock = free.pop(0)
            c.port = c.sock[0].getsockname()[1]
            calls[c.callid] = c
            c.t_inv = invite(c)
            c.row["sent_epoch_ns"] = c.t_inv
            c.deadline = now + a.timeout
        if k >= total and stop_at is None:
            stop_at = now + a.drain
        for c in list(calls.values()):
            if c.state in ("done", "failed"):
                c.row["outcome"] = c.outcome or c.state
                release(c)
                del calls[c.callid]
                continue
            if c.retrans_at is not None and now >= c.retrans_at and c.msg:
                sip.sendto(c.msg.encode(), (me, c.target))
                res["retransmissions"] += 1
                c.retrans_iv = min(c.retrans_iv * 2, 4.0)
                c.retrans_at = now + c.retrans_iv
            if c.state == "up" and now >= c.bye_at:
                bye(c)
            elif c.state in ("inviting", "auth", "bye") and now >= c.deadline:
                fail(c, "timeout in %s" % c.state)
        if stop_at is not None and (not calls or now >= stop_at):
            break
        r, _, _ = select.select([sip], [], [], 0.002)
        if r:
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
                    on_request(first, hdrs, vias)
    for c in calls.values():
        why = "unfinished in %s" % c.state
        res["failures"][why] = res["failures"].get(why, 0) + 1
        c.row["outcome"] = c.row.get("outcome") or why
    print(json.dumps({"rate": a.rate, "seconds": a.seconds, "sent": k, "rows": rows,
                      "failures": res["failures"], "retransmissions": res["retransmissions"],
                      "server_byes": res.get("server_byes", 0), "prompt_call_ids": res["prompt_call_ids"]}))


if __name__ == "__main__":
    main()
