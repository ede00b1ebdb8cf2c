#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""IPv6: pam_okta_session.so through real libpam against a simulator that
listens on ::1 only (IPV6_V6ONLY: no IPv4 way in), directly and through an
HTTP CONNECT proxy on [::1].

- org_url https://[::1]:PORT (an IPv6 literal; the certificate has IP:::1);
- org_url https://okta-ipv6.test:PORT, a name that resolves only to ::1:
  the driver runs in a mount namespace whose /etc/hosts is the test's own
  (`::1 okta-ipv6.test`, nothing else for that name); the certificate
  has DNS:okta-ipv6.test. The same name mapped to 127.0.0.1 must fail;
- proxy = http://[::1]:PORT (tests/lib/connectproxy.py), to the literal and
  to the name (which the proxy resolves: the driver's /etc/hosts does not
  know it then, so libcurl must hand the name to the proxy).

Run: python3 tests/integration/test_ipv6.py [name-substring...]   (as root)
"""

import json
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import taprunner  # noqa: E402
from connectproxy import ConnectProxy  # noqa: E402
import moduletest as mt  # noqa: E402
from moduletest import CREATE, LOGIN, sim, tearDownModule  # noqa: E402,F401

NAME = "okta-ipv6.test"


def setUpModule():
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root (mount namespace for /etc/hosts and log capture)")
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError as e:   # CI must have it: fail, never skip
        raise RuntimeError("no IPv6 loopback (::1) on this machine: %s" % e)
    mt.start_simulator(bind="::1")


class IPv6TestCase(mt.OktaTestCase):
    def hosts_file(self, address):
        """An /etc/hosts for the driver's namespace: NAME -> address only."""
        path = os.path.join(self.tmp, "hosts")
        with open(path, "w") as f:
            f.write("127.0.0.1 localhost\n%s %s\n" % (address, NAME) if address else
                    "127.0.0.1 localhost\n")
        os.chmod(path, 0o644)
        return [("bind", path, "/etc/hosts")]

    def run_pam(self, token, steps="auth,open", **kw):
        return super().run_pam(token, steps=steps, **kw)

    def describe(self):
        return "%s\n--- simulator connections\n%s" % (self.last.describe(),
                                                       json.dumps(sim().connections()))

    def assert_logged_in_over_ipv6(self):
        """auth and open succeeded with the session the simulator made,
        every connection the simulator took came from ::1."""
        r = self.last
        self.assertEqual(r.steps.get("auth"), "PAM_SUCCESS", self.describe())
        self.assertEqual(r.steps.get("open"), "PAM_SUCCESS", self.describe())
        reqs = sim().requests()
        sid = json.loads(reqs[0]["response_body"])["id"]
        self.assertEqual(r.env.get("OKTA_SESSION_ID"), sid)
        self.assertEqual([(q["method"], q["path"]) for q in reqs][0], CREATE)
        conns = sim().connections()
        self.assertTrue(conns, self.describe())
        self.assertEqual({c["peer"] for c in conns}, {"::1"}, self.describe())
        self.assertTrue(all(c["tls"] for c in conns), self.describe())

    # -- direct ---------------------------------------------------------------------
    def test_ipv6_literal_org_url(self):
        self.assertTrue(sim().org_url.startswith("https://[::1]:"), sim().org_url)
        self.write_conf()
        self.run_pam(sim().mint(LOGIN))
        self.assert_logged_in_over_ipv6()

    def test_name_that_resolves_only_to_ipv6(self):
        self.write_conf(org_url="https://%s:%d" % (NAME, sim().https_port))
        self.run_pam(sim().mint(LOGIN), mounts=self.hosts_file("::1"))
        self.assert_logged_in_over_ipv6()

    def test_same_name_on_ipv4_fails(self):
        """Control: the namespace's /etc/hosts decides, and the simulator
        has no IPv4 listener."""
        self.write_conf(org_url="https://%s:%d" % (NAME, sim().https_port))
        r = self.run_pam(sim().mint(LOGIN), steps="auth", mounts=self.hosts_file("127.0.0.1"))
        self.assertEqual(r.steps.get("auth"), "PAM_AUTHINFO_UNAVAIL", r.describe())
        self.assertEqual(sim().requests(), [])
        self.assertTrue(any("createSession: request failed" in m for m in r.messages), r.describe())

    # -- through a proxy on [::1] ------------------------------------------------------
    def test_proxy_on_ipv6_to_ipv6_literal(self):
        with ConnectProxy("::1") as proxy:
            self.assertTrue(proxy.url.startswith("http://[::1]:"))
            self.write_conf(proxy=proxy.url)
            self.run_pam(sim().mint(LOGIN))
            tunnels = list(proxy.tunnels)
        self.assert_logged_in_over_ipv6()
        self.assertTrue(tunnels, "the proxy was not used\n" + self.describe())
        for t in tunnels:
            self.assertEqual((t["client"], t["target"], t["status"], t["upstream"]),
                             ("::1", "[::1]:%d" % sim().https_port, 200, "::1"), tunnels)

    def test_proxy_on_ipv6_resolves_the_name(self):
        with ConnectProxy("::1", hosts={NAME: "::1"}) as proxy:
            self.write_conf(org_url="https://%s:%d" % (NAME, sim().https_port), proxy=proxy.url)
            # the driver's own /etc/hosts does not know NAME
            self.run_pam(sim().mint(LOGIN), mounts=self.hosts_file(None))
            tunnels = list(proxy.tunnels)
        self.assert_logged_in_over_ipv6()
        self.assertTrue(tunnels, "the proxy was not used\n" + self.describe())
        self.assertEqual({t["target"] for t in tunnels}, {"%s:%d" % (NAME, sim().https_port)})
        self.assertEqual({t["client"] for t in tunnels}, {"::1"})

    def test_proxy_down_on_ipv6(self):
        with ConnectProxy("::1") as proxy:
            url = proxy.url
        self.write_conf(proxy=url)   # closed now
        r = self.run_pam(sim().mint(LOGIN), steps="auth")
        self.assertEqual(r.steps.get("auth"), "PAM_AUTHINFO_UNAVAIL", r.describe())
        self.assertEqual(sim().requests(), [])


if __name__ == "__main__":
    taprunner.main()
