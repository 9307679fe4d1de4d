#!/usr/bin/env python3
"""RTP receiver for the park benchmark (standard library only).

* sample ports: read with kernel receive timestamps (SO_TIMESTAMPNS, CLOCK_REALTIME); every packet is appended to
  a binary log as (port u16, ssrc u32, seq u16, kernel ns i64) so bench.py can cut any time window out of it;
* sink ports: bound, with the smallest receive buffer, and NEVER read: the kernel drops what does not fit. No
  ICMP port-unreachable, no user-space cost.

Usage: rtprecv.py --sample-base P --samples K --sink-base Q --sinks M --out FILE
Writes "ready" to stdout when bound; stops on SIGTERM/SIGINT.
"""
import argparse
import select
import signal
import socket
import struct
import sys

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
REC = struct.Struct("<HIHq")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--sample-base", type=int, required=True)
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--sink-base", type=int, required=True)
    ap.add_argument("--sinks", type=int, default=2500)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    sinks = []
    for i in range(a.sinks):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)  # the kernel rounds up to its minimum
        s.bind((a.host, a.sink_base + i))
        sinks.append(s)
    ep = select.epoll()
    by_fd = {}
    for i in range(a.samples):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind((a.host, a.sample_base + i))
        s.setblocking(False)
        by_fd[s.fileno()] = (s, a.sample_base + i)
        ep.register(s.fileno(), select.EPOLLIN)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    out = open(a.out, "wb", buffering=1 << 16)
    print("ready", flush=True)
    buf = bytearray()
    while not stop:
        try:
            events = ep.poll(0.2)
        except InterruptedError:
            continue
        for fd, _ in events:
            s, port = by_fd[fd]
            while True:
                try:
                    data, anc, _, _ = s.recvmsg(2048, 64)
                except BlockingIOError:
                    break
                ts = 0
                for level, typ, cdata in anc:
                    if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                        sec, nsec = struct.unpack("qq", cdata[:16])
                        ts = sec * 1_000_000_000 + nsec
                if len(data) < 12 or (data[0] >> 6) != 2:
                    continue
                pt = data[1] & 0x7F
                if 72 <= pt <= 76:  # RTCP
                    continue
                seq, = struct.unpack_from("!H", data, 2)
                ssrc, = struct.unpack_from("!I", data, 8)
                buf += REC.pack(port, ssrc, seq, ts)
        if len(buf) > 4096 or (buf and not events):
            out.write(buf)
            out.flush()
            buf.clear()
    out.write(buf)
    out.close()


if __name__ == "__main__":
    sys.exit(main())
