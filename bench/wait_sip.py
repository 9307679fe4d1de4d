#!/usr/bin/env python3
"""Waits (at most 120 s) until the SIP server on 127.0.0.1:<port> answers OPTIONS over UDP with 200: exit 0, else 1."""
import socket, sys, time
port = int(sys.argv[1]); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); s.settimeout(0.5)
lp = s.getsockname()[1]; end = time.time() + 120
while time.time() < end:
    m = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%d\r\nMax-Forwards: 70\r\n"
         "From: <sip:bench@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: %f@bench\r\nCSeq: 1 OPTIONS\r\n"
         "Content-Length: 0\r\n\r\n") % (port, lp, int(time.time() * 1000), time.time())
    s.sendto(m.encode(), ("127.0.0.1", port))
    try:
        if s.recv(4096).startswith(b"SIP/2.0 200"):
            sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)
