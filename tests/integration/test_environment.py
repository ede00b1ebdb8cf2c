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
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import taprunner  # noqa: E402
from connectproxy import ConnectProxy  # noqa: E402
import moduletest as mt  # noqa: E402
from moduletest import LOGIN, sim  # noqa: E402

PROXY = None

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
    global PROXY
    mt.setUpModule()
    PROXY = ConnectProxy()


def tearDownModule():
    if PROXY is not None:
        PROXY.close()
    mt.tearDownModule()


class TestEnvironment(mt.OktaTestCase):
    def setUp(self):
        super().setUp()
        PROXY.reset()

    def login_with_env(self, env):
        r = self.run_pam(sim().mint(LOGIN), env=env)
        self.assert_step(r, "auth", "PAM_SUCCESS")
        self.assertEqual(len(sim().requests()), 2, "create and refresh\n" + r.describe())
        return r

    def test_sslkeylogfile(self):
        keylog = os.path.join(self.tmp, "keylog")
        self.login_with_env({"SSLKEYLOGFILE": keylog})
        self.assertFalse(os.path.exists(keylog), "TLS secrets written to " + keylog)

    def test_openssl_conf(self):
        path = os.path.join(self.tmp, "openssl.cnf")
        with open(path, "w") as f:
            f.write(BREAKING_OPENSSL_CONF)
        self.login_with_env({"OPENSSL_CONF": path})

    def test_no_proxy_with_configured_proxy(self):
        self.write_conf(proxy=PROXY.url)
        self.login_with_env({"no_proxy": "*", "NO_PROXY": "*"})
        self.assertEqual(PROXY.targets(), ["127.0.0.1:%d" % sim().https_port])

    def test_ssl_cert_file_and_dir(self):
        # the simulator's CA, named by the environment only: not trusted
        self.write_conf(ca_file=None)
        r = self.run_pam(sim().mint(LOGIN), env={"SSL_CERT_FILE": sim().ca_file,
                                                 "SSL_CERT_DIR": os.path.dirname(sim().ca_file)})
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assert_no_requests(r)


if __name__ == "__main__":
    taprunner.main()
