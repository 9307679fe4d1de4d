#!/usr/bin/env python3
"""RTP receiver of the cluster benchmark (standard library only), like rtprecv.py but it also logs where each packet
came from, so a move of the caller from one node to another shows (each node has its own RTP port range).

* sample ports: read with kernel receive timestamps (SO_TIMESTAMPNS, CLOCK_REALTIME); every RTP packet is appended
  to a binary log as (port u16, source port u16, ssrc u32, seq u16, kernel ns i64);
* every other port of [base, base + count): bound with the smallest receive buffer and NEVER read (the kernel drops
  what does not fit: no ICMP port-unreachable, no user-space cost).

Usage: cluster_rtp.py --base P --count N --sample PORT,PORT,... --out FILE
Prints "ready" when bound; stops on SIGTERM/SIGINT (or after --max-seconds, a bound for a forgotten receiver).
"""
import argparse
import select
import signal
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
REC = struct.Struct("<HHIHq")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--base", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--sample", default="", help="comma-separated ports inside the range to read")
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-seconds", type=float, default=1800)
    a = ap.parse_args()
    sample = {int(p) for p in a.sample.split(",") if p}

    sinks = []
    ep = select.epoll()
    by_fd = {}
    for port in range(a.base, a.base + a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if port in sample:
            s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.bind((a.host, port))
            s.setblocking(False)
            by_fd[s.fileno()] = (s, port)
            ep.register(s.fileno(), select.EPOLLIN)
        else:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)  # the kernel rounds up to its minimum
            s.bind((a.host, port))
            sinks.append(s)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    end = time.monotonic() + a.max_seconds
    out = open(a.out, "wb", buffering=1 << 16)
    print("ready", flush=True)
    buf = bytearray()
    while not stop and time.monotonic() < end:
        try:
            events = ep.poll(0.2)
        except InterruptedError:
            continue
        for fd, _ in events:
            s, port = by_fd[fd]
            while True:
                try:
                    data, anc, _, addr = s.recvmsg(2048, 64)
                except BlockingIOError:
                    break
                ts = 0
                for level, typ, cdata in anc:
                    if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                        sec, nsec = struct.unpack("qq", cdata[:16])
                        ts = sec * 1_000_000_000 + nsec
                if len(data) < 12 or (data[0] >> 6) != 2:
                    continue
                if 72 <= (data[1] & 0x7F) <= 76:  # RTCP
                    continue
                seq, = struct.unpack_from("!H", data, 2)
                ssrc, = struct.unpack_from("!I", data, 8)
                buf += REC.pack(port, addr[1] & 0xFFFF, ssrc, seq, ts)
        if len(buf) > 4096 or (buf and not events):
            out.write(buf)
            out.flush()
            buf.clear()
    out.write(buf)
    out.close()


if __name__ == "__main__":
    sys.exit(main())
