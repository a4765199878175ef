"""A DNS server that knows no name: every query is answered NXDOMAIN and written to a log.

The smoke suite's programs run with a private /etc/resolv.conf naming this server (on a loopback
address, port 53), so a lookup of an in-cluster name such as ``kagent-tools.agent-platform`` fails at
once on this machine instead of going to the machine's resolver, and the suite can list every name a
program tried to resolve.

    python -m tools.smoke.dnssink --listen 127.83.17.5 --listen 127.83.17.6 --log queries.log

Each program gets its own listen address (its own resolv.conf), so the log line names the address
the query came to, i.e. which program asked: ``<time> <address> <type> <name>``.
"""
from __future__ import annotations

import argparse
import signal
import socket
import struct
import sys
import time


def qname(packet: bytes) -> tuple[str, int, int]:
    """(name, qtype, end offset of the question) of the first question."""
    labels, i = [], 12
    while i < len(packet):
        n = packet[i]
        if n == 0:
            i += 1
            break
        if n & 0xC0:  # compression pointer: not used in questions, stop
            i += 2
            break
        labels.append(packet[i + 1:i + 1 + n].decode(errors="replace"))
        i += 1 + n
    qtype = struct.unpack("!H", packet[i:i + 2])[0] if i + 2 <= len(packet) else 0
    return ".".join(labels), qtype, i + 4


def nxdomain(packet: bytes) -> bytes:
    if len(packet) < 12:
        return b""
    _, _, end = qname(packet)
    ident, flags = struct.unpack("!HH", packet[:4])
    rd = flags & 0x0100
    resp_flags = 0x8000 | (flags & 0x7800) | rd | 0x0080 | 3   # QR, opcode, RD, RA, rcode NXDOMAIN
    return struct.pack("!HHHHHH", ident, resp_flags, 1, 0, 0, 0) + packet[12:end]


QTYPES = {1: "A", 28: "AAAA", 5: "CNAME", 33: "SRV", 12: "PTR", 16: "TXT", 65: "HTTPS", 15: "MX", 2: "NS"}


def main(argv=None) -> int:
    import select

    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True, action="append", help="loopback address (port 53); repeatable")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--log", required=True)
    a = ap.parse_args(argv)
    udp, tcp = {}, {}
    for addr in a.listen:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((addr, a.port))
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((addr, a.port))
        t.listen(16)
        t.setblocking(False)
        udp[u] = addr
        tcp[t] = addr
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("dns sink on %s port %d (udp, tcp): every name NXDOMAIN" % (", ".join(a.listen), a.port), flush=True)
    with open(a.log, "a", buffering=1) as log:
        while True:
            ready, _, _ = select.select(list(udp) + list(tcp), [], [], 1.0)
            for s in ready:
                try:
                    if s in udp:
                        data, peer = s.recvfrom(4096)
                        name, qt, _ = qname(data)
                        log.write("%.3f %s %s %s\n" % (time.time(), udp[s], QTYPES.get(qt, qt), name))
                        s.sendto(nxdomain(data), peer)
                    else:
                        conn, _ = s.accept()
                        conn.settimeout(2)
                        with conn:
                            size = struct.unpack("!H", conn.recv(2))[0]
                            data = conn.recv(size)
                            name, qt, _ = qname(data)
                            log.write("%.3f %s %s %s\n" % (time.time(), tcp[s], QTYPES.get(qt, qt), name))
                            resp = nxdomain(data)
                            conn.sendall(struct.pack("!H", len(resp)) + resp)
                except (OSError, struct.error):
                    continue


if __name__ == "__main__":
    sys.exit(main())
