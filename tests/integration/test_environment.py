#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Integration tests: the process environment changes nothing, in a host that
is not setuid (pam_driver here; sshd and login are such hosts), where even
OpenSSL's secure_getenv() returns what the environment says.

The end-to-end counterpart in the setuid su is tests/e2e/test_env.py; the
table of variables is README "Environment variables".

Run: python3 tests/integration/test_environment.py [name-substring...]   (as root)
"""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import pamharness as ph  # noqa: E402
import taprunner  # noqa: E402
from connect_proxy import ConnectProxy  # noqa: E402
from simlib import Simulator  # noqa: E402

SIM = PROXY = None
SERVICE = "okta-test"
USER = "alice"
LOGIN = "alice@example.com"

# What OpenSSL would do with it: offer only RSA signatures, which the
# simulator's ECDSA certificate cannot give, so no handshake could succeed
# (libcurl sets the protocol versions and TLS 1.2 ciphers itself, not these).
BREAKING_OPENSSL_CONF = """openssl_conf = init
[init]
ssl_conf = ssl_section
[ssl_section]
system_default = system_default_section
[system_default_section]
SignatureAlgorithms = RSA+SHA256:RSA-PSS+SHA256
"""


def setUpModule():
    global SIM, PROXY
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root (root-owned configuration files)")
    for what, path in (("module", ph.MODULE), ("driver", ph.DRIVER)):
        if not os.path.exists(path):
            raise RuntimeError("%s not built: %s" % (what, path))
    SIM = Simulator()
    SIM.start()
    PROXY = ConnectProxy().start()


def tearDownModule():
    if PROXY is not None:
        PROXY.stop()
    if SIM is not None:
        SIM.stop()


class TestEnvironment(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        SIM.reset()
        PROXY.reset()
        self.tmp = tempfile.mkdtemp(prefix="okta-env-")
        os.chmod(self.tmp, 0o755)
        self.confdir = os.path.join(self.tmp, "pam.d")
        self.conf = os.path.join(self.tmp, "okta.conf")
        self.write_conf()
        ph.write_okta_service(self.confdir, SERVICE, self.conf)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_conf(self, **overrides):
        keys = {"org_url": SIM.org_url, "api_token": SIM.api_token, "ca_file": SIM.ca_file,
                "login_suffix": "@example.com", "timeout": 3}
        keys.update(overrides)
        ph.write_conf(self.conf, **keys)

    def login(self, env):
        r = ph.run_driver(self.confdir, SERVICE, USER, stdin=SIM.mint(LOGIN), steps="auth",
                          env=env)
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(r.steps.get("auth"), "PAM_SUCCESS", r.describe())
        self.assertEqual(len(SIM.requests()), 2, "create and refresh\n" + r.describe())
        return r

    def test_sslkeylogfile(self):
        keylog = os.path.join(self.tmp, "keylog")
        self.login({"SSLKEYLOGFILE": keylog})
        self.assertFalse(os.path.exists(keylog), "TLS secrets written to " + keylog)

    def test_openssl_conf(self):
        path = os.path.join(self.tmp, "openssl.cnf")
        with open(path, "w") as f:
            f.write(BREAKING_OPENSSL_CONF)
        self.login({"OPENSSL_CONF": path})

    def test_no_proxy_with_configured_proxy(self):
        self.write_conf(proxy=PROXY.url)
        self.login({"no_proxy": "*", "NO_PROXY": "*"})
        self.assertEqual(PROXY.tunnels(), ["127.0.0.1:%d" % SIM.https_port])

    def test_ssl_cert_file_and_dir(self):
        # the simulator's CA, named by the environment only: not trusted
        self.write_conf(ca_file=None)
        r = ph.run_driver(self.confdir, SERVICE, USER, stdin=SIM.mint(LOGIN), steps="auth",
                          env={"SSL_CERT_FILE": SIM.ca_file,
                               "SSL_CERT_DIR": os.path.dirname(SIM.ca_file)})
        self.assertEqual(r.steps.get("auth"), "PAM_AUTHINFO_UNAVAIL", r.describe())
        self.assertEqual(SIM.requests(), [], r.describe())


if __name__ == "__main__":
    taprunner.main()
