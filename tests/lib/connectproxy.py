# SPDX-License-Identifier: BSD-3-Clause
"""A minimal HTTP CONNECT proxy for tests (Python standard library only).

    with ConnectProxy("::1", hosts={"okta-ipv6.test": "::1"}) as proxy:
        proxy.url                       # "http://[::1]:PORT"
        ... the module, configured with proxy = proxy.url ...
        proxy.tunnels                   # [{"client": "::1", "target": "host:port",
                                        #   "status": 200, "upstream": "::1"}]

    with ConnectProxy() as proxy:       # on 127.0.0.1
        proxy.targets()                 # ["127.0.0.1:8443", ...], in order

Answers only CONNECT (anything else: 405) and then relays bytes both ways
(TLS passes through untouched; the proxy sees no plaintext). It listens on
`bind` only (an IPv6 address: IPv6 only), looks a target name up in `hosts`
and records every request. It tunnels only to loopback addresses (tests
never send traffic anywhere else): any other target, or a name `hosts` does
not know, gets 403. Runs in threads of the test process; close() (or the
with block) stops it.
"""

import ipaddress
import socket
import socketserver
import threading

RELAY_CHUNK = 65536


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        proxy = self.server.proxy
        record = {"client": self.client_address[0], "target": None, "status": None,
                  "upstream": None}
        with proxy.lock:
            proxy.tunnels.append(record)
        line = self.rfile.readline(8192).decode("latin-1")
        while True:   # request headers, up to the blank line
            header = self.rfile.readline(8192)
            if header in (b"\r\n", b"\n", b""):
                break
        parts = line.split()
        if len(parts) != 3 or parts[0] != "CONNECT":
            record["status"] = 405
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        record["target"] = parts[1]
        host, _, port = parts[1].rpartition(":")
        address = proxy.loopback_address(host.strip("[]"))
        if address is None:
            record["status"] = 403
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            upstream = socket.create_connection((address, int(port)), timeout=10)
        except (OSError, ValueError):
            record["status"] = 502
            self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        record["status"] = 200
        record["upstream"] = upstream.getpeername()[0]
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        self._relay(self.connection, upstream)

    @staticmethod
    def _relay(client, upstream):
        def pump(src, dst):
            try:
                while True:
                    data = src.recv(RELAY_CHUNK)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

        back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
        back.start()
        pump(client, upstream)
        back.join(30)
        upstream.close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, proxy, bind):
        self.proxy = proxy
        if ":" in bind:
            self.address_family = socket.AF_INET6
        super().__init__((bind, 0), _Handler)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


class ConnectProxy:
    def __init__(self, bind="127.0.0.1", hosts=None):
        self.hosts = dict(hosts or {})
        self.tunnels = []
        self.lock = threading.Lock()
        self.server = _Server(self, bind)
        self.port = self.server.server_address[1]
        host = "[%s]" % bind if ":" in bind else bind
        self.url = "http://%s:%d" % (host, self.port)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def loopback_address(self, host):
        """The address a target host stands for, if it is a loopback one."""
        try:
            address = ipaddress.ip_address(self.hosts.get(host, host))
        except ValueError:
            return None
        return str(address) if address.is_loopback else None

    def targets(self):
        """The `host:port` of every CONNECT request, in order."""
        with self.lock:
            return [t["target"] for t in self.tunnels if t["target"] is not None]

    def reset(self):
        with self.lock:
            self.tunnels = []

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
