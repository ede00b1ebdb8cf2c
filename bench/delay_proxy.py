#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A TCP proxy on 127.0.0.1 that adds a WAN round-trip time.

Used by the benchmark because this kernel has no sch_netem (see
bench/RESULTS.md); where netem exists it would be the first choice.

Model (what a link with one-way delay RTT/2 does to a TCP client):
- the client's connect() completes at once on loopback, but on a real link
  nothing it sends could leave before the TCP handshake is done (one RTT):
  client bytes are held until accept time + RTT;
- every chunk in either direction is delivered RTT/2 after it was sent
  (order kept per direction).
So a new connection's first request costs TCP (1 RTT) + TLS 1.3 (1 RTT) +
the request (1 RTT), as on a real link. The proxy to simulator leg is plain
loopback. Sleeping is done with time.sleep (nanosleep), one writer thread
per direction, so lateness is well under a millisecond per hop.

    delay_proxy.py --target-port P --rtt-ms 50 --state-file F [--lifetime S]

writes {"port", "pid"} to F once it listens; exits on SIGTERM, after
--lifetime seconds, or when its parent process dies.
"""

import argparse
import collections
import json
import os
import signal
import socket
import sys
import threading
import time

CHUNK = 65536


class Direction:
    """Carries bytes from src to dst, each chunk delivered `delay` after it
    was read, never before `not_before`."""

    def __init__(self, src, dst, delay, not_before):
        self.src, self.dst = src, dst
        self.delay, self.not_before = delay, not_before
        self.queue = collections.deque()
        self.ready = threading.Condition()

    def start(self):
        threading.Thread(target=self.read_loop, daemon=True).start()
        threading.Thread(target=self.write_loop, daemon=True).start()

    def read_loop(self):
        while True:
            try:
                data = self.src.recv(CHUNK)
            except OSError:
                data = b""
            due = max(time.monotonic(), self.not_before) + self.delay
            with self.ready:
                self.queue.append((due, data))
                self.ready.notify()
            if not data:
                return

    def write_loop(self):
        while True:
            with self.ready:
                while not self.queue:
                    self.ready.wait()
                due, data = self.queue.popleft()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                if not data:
                    self.dst.shutdown(socket.SHUT_WR)
                    return
                self.dst.sendall(data)
            except OSError:
                return


def serve(listener, target_port, rtt):
    while True:
        client, _ = listener.accept()
        accepted = time.monotonic()
        upstream = socket.create_connection(("127.0.0.1", target_port))
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # client -> server: after the emulated TCP handshake, then RTT/2
        Direction(client, upstream, rtt / 2, accepted + rtt).start()
        # server -> client: RTT/2
        Direction(upstream, client, rtt / 2, 0).start()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--target-port", type=int, required=True)
    p.add_argument("--rtt-ms", type=float, required=True)
    p.add_argument("--state-file", required=True)
    p.add_argument("--lifetime", type=float, default=3600)
    args = p.parse_args()

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    threading.Thread(target=serve, args=(listener, args.target_port, args.rtt_ms / 1000),
                     daemon=True).start()
    tmp = args.state_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"port": listener.getsockname()[1], "pid": os.getpid()}, f)
    os.rename(tmp, args.state_file)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    parent = os.getppid()
    deadline = time.monotonic() + args.lifetime
    while not stop.is_set() and time.monotonic() < deadline and os.getppid() == parent:
        stop.wait(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
