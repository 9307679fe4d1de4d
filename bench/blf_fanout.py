#!/usr/bin/env python3
"""BLF fan-out benchmark client (see docs/BENCHMARKS.md, "BLF fan-out").

N subscribers (UDP, loopback) SUBSCRIBE Event: dialog to one slot (*88<ext>) of a running park server that trusts
127.0.0.1 as a proxy (CALLPARK_SIP_TRUSTED_PROXIES), answer every NOTIFY with 200, then one caller parks a call on the
slot (INVITE *68<ext> with Referred-By) and hangs up again. Measured, per round:
  park:   INVITE sent -> each subscriber's first NOTIFY that shows a <dialog>   (p50/p99/max, and the last one)
  hangup: BYE sent    -> each subscriber's first NOTIFY without a <dialog>
Every loop is bounded (subscribers, rounds, a deadline per phase). This is a load tool, not a SIP stack: it reads
only the first line, Call-ID, CSeq and the body of what it receives, and answers by copying the request's headers.
"""
import argparse
import json
import re
import selectors
import socket
import sys
import time
import uuid

VERSION = re.compile(rb'version="(\d+)"')


def headers_of(msg):
    head = msg.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    return lines[0], lines[1:]


def header(lines, name):
    for line in lines:
        k, _, v = line.partition(":")
        if k.strip().lower() == name.lower():
            return v.strip()
    return ""


def ok_for(request_lines):
    keep = [l for l in request_lines if l.split(":", 1)[0].strip().lower() in ("via", "from", "to", "call-id", "cseq")]
    return ("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n").encode()


def pct(values, p):
    s = sorted(values)
    if not s:
        return None
    return s[min(len(s) - 1, max(0, int(round(p / 100.0 * len(s) + 0.5)) - 1))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-port", type=int, required=True)
    ap.add_argument("--base-port", type=int, required=True, help="subscriber sockets base..base+sockets-1, caller base+50")
    ap.add_argument("--subscribers", type=int, default=1000)
    ap.add_argument("--sockets", type=int, default=8)
    ap.add_argument("--slot", default="101")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--subscribe-rate", type=int, default=500, help="SUBSCRIBEs per second")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    server = ("127.0.0.1", a.server_port)
    sel = selectors.DefaultSelector()
    socks = []
    for i in range(a.sockets):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        s.bind(("127.0.0.1", a.base_port + i))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        socks.append(s)
    caller = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    caller.bind(("127.0.0.1", a.base_port + 50))
    caller.settimeout(5)

    subs = {}  # call-id -> state
    parked_at = {}   # call-id -> arrival of the first NOTIFY with a dialog in this round
    idle_at = {}
    phase = {"name": "subscribe", "round": 0}
    notifies = [0]
    retransmissions = [0]
    errors = []

    def pump(deadline):
        """Receive and answer until nothing arrives for a moment or the deadline passes."""
        while time.monotonic() < deadline:
            events = sel.select(timeout=0.05)
            if not events:
                return
            for key, _ in events:
                s = key.fileobj
                for _ in range(2000):
                    try:
                        data, addr = s.recvfrom(65535)
                    except BlockingIOError:
                        break
                    now = time.monotonic()
                    first, lines = headers_of(data)
                    cid = header(lines, "Call-ID")
                    if first.startswith("NOTIFY"):
                        s.sendto(ok_for(lines), addr)
                        notifies[0] += 1
                        st = subs.get(cid)
                        if st is None:
                            continue
                        m = VERSION.search(data)
                        v = int(m.group(1)) if m else -1
                        if v <= st["version"]:
                            # a retransmission (our 200 came after the server's T1), possibly overtaken by a newer one
                            retransmissions[0] += 1
                            continue
                        if v != st["version"] + 1:
                            errors.append("%s: version %d after %d" % (cid, v, st["version"]))
                        st["version"] = v
                        has_dialog = b"<dialog " in data
                        if phase["name"] == "park" and has_dialog and cid not in parked_at:
                            parked_at[cid] = now
                        if phase["name"] == "hangup" and not has_dialog and cid not in idle_at:
                            idle_at[cid] = now
                    elif first.startswith("SIP/2.0"):
                        st = subs.get(cid)
                        if st is not None:
                            st["status"] = int(first.split()[1])

    # --- subscribe, paced
    interval = 1.0 / a.subscribe_rate
    t_start = time.monotonic()
    for n in range(a.subscribers):
        s = socks[n % len(socks)]
        port = s.getsockname()[1]
        cid = "blf-%d-%s@bench" % (n, uuid.uuid4().hex[:8])
        user = "10%d" % (1 + n % 9)
        subs[cid] = {"version": -1, "status": 0}
        msg = ("SUBSCRIBE sip:*88%s@127.0.0.1:%d SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\n"
               "From: <sip:%s@127.0.0.1>;tag=%d\r\nTo: <sip:*88%s@127.0.0.1>\r\nCall-ID: %s\r\nCSeq: 1 SUBSCRIBE\r\n"
               "Contact: <sip:%s@127.0.0.1:%d>\r\nEvent: dialog\r\nExpires: 3600\r\n"
               "Accept: application/dialog-info+xml\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n") % (
            a.slot, a.server_port, port, uuid.uuid4().hex, user, n, a.slot, cid, user, port)
        s.sendto(msg.encode(), server)
        pump(t_start + (n + 1) * interval)
        while time.monotonic() < t_start + (n + 1) * interval:
            time.sleep(0.0005)
    pump(time.monotonic() + 5)
    ok = sum(1 for st in subs.values() if st["status"] == 200)
    initial = sum(1 for st in subs.values() if st["version"] == 0)
    print("subscribed: %d of %d (200 OK), initial NOTIFYs: %d" % (ok, a.subscribers, initial), file=sys.stderr)

    rounds = []
    for r in range(a.rounds):
        parked_at.clear()
        idle_at.clear()
        cid = "park-%d-%s@bench" % (r, uuid.uuid4().hex[:8])
        cport = caller.getsockname()[1]
        sdp = ("v=0\r\no=bench 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
               "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n") % (a.base_port + 60)
        common = ("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%%s\r\n"
                  "From: \"Bench Caller\" <sip:+4930123@127.0.0.1>;tag=c%d\r\nTo: <sip:*68%s@127.0.0.1>%%s\r\n"
                  "Call-ID: %s\r\nMax-Forwards: 70\r\nContact: <sip:+4930123@127.0.0.1:%d>\r\n") % (
            cport, r, a.slot, cid, cport)
        invite = ("INVITE sip:*68%s@127.0.0.1:%d SIP/2.0\r\n" % (a.slot, a.server_port)
                  + common % (uuid.uuid4().hex, "") + "CSeq: 1 INVITE\r\nReferred-By: <sip:%s@127.0.0.1>\r\n" % a.slot
                  + "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s" % (len(sdp), sdp))
        phase["name"] = "park"
        t0 = time.monotonic()
        caller.sendto(invite.encode(), server)
        to_tag = ""
        t_ok = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (t_ok is None or len(parked_at) < len(subs)):
            pump(time.monotonic() + 0.02)
            try:
                caller.settimeout(0.001)
                data, _ = caller.recvfrom(65535)
                first, lines = headers_of(data)
                if first.startswith("SIP/2.0 200") and t_ok is None:
                    t_ok = time.monotonic()
                    m = re.search(r";tag=([^;>\s]+)", header(lines, "To"))
                    to_tag = ";tag=" + m.group(1) if m else ""
                    ack = ("ACK sip:*68%s@127.0.0.1:%d SIP/2.0\r\n" % (a.slot, a.server_port)
                           + common % (uuid.uuid4().hex, to_tag) + "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n")
                    caller.sendto(ack.encode(), server)
            except socket.timeout:
                pass
        park_lat = [(t - t0) * 1000 for t in parked_at.values()]
        time.sleep(0.5)
        pump(time.monotonic() + 0.2)
        phase["name"] = "hangup"
        bye = ("BYE sip:*68%s@127.0.0.1:%d SIP/2.0\r\n" % (a.slot, a.server_port)
               + common % (uuid.uuid4().hex, to_tag) + "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n")
        t1 = time.monotonic()
        caller.sendto(bye.encode(), server)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(idle_at) < len(subs):
            pump(time.monotonic() + 0.02)
        try:
            caller.settimeout(0.2)
            caller.recvfrom(65535)  # 200 to the BYE
        except socket.timeout:
            pass
        hang_lat = [(t - t1) * 1000 for t in idle_at.values()]
        res = {"round": r + 1, "subscribers": len(subs),
               "park_invite_to_200_ms": None if t_ok is None else round((t_ok - t0) * 1000, 1),
               "park_notified": len(park_lat),
               "park_p50_ms": pct(park_lat, 50), "park_p99_ms": pct(park_lat, 99),
               "park_max_ms": max(park_lat) if park_lat else None,
               "hangup_notified": len(hang_lat),
               "hangup_p50_ms": pct(hang_lat, 50), "hangup_p99_ms": pct(hang_lat, 99),
               "hangup_max_ms": max(hang_lat) if hang_lat else None}
        rounds.append(res)
        print(json.dumps(res), file=sys.stderr)
        phase["name"] = "idle"
        pump(time.monotonic() + 1.0)

    # --- unsubscribe nobody (a skipped version, i.e. one never seen, is the error that counts): the server is stopped after the run (subscriptions die with it)
    result = {"subscribers": a.subscribers, "subscribed_ok": ok, "initial_notifies": initial,
              "notifies_received": notifies[0], "retransmitted_notifies": retransmissions[0], "version_errors": errors[:20], "version_error_count": len(errors),
              "rounds": rounds}
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    for s in socks:
        s.close()
    caller.close()
    return 0 if not errors and ok == a.subscribers else 1


if __name__ == "__main__":
    sys.exit(main())
