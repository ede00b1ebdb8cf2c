#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End to end: the invoking user's environment must not change what the module
or its libraries do, in the real (setuid) su.

bob runs `su alice` (or `sudo`) with variables of his choice in su's own
environment (libcurl reads them with plain getenv(), even in a setuid
program) and answers the token. See README "Environment variables".

Run: python3 tests/e2e/test_env.py [name-substring...]   (as root)
"""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import e2elib  # noqa: E402
import taprunner  # noqa: E402
from connectproxy import ConnectProxy  # noqa: E402

TARGET, CALLER = "alice", "bob"
LOGIN = "alice@example.com"
SHELL_COMMAND = 'echo "e2e-env user=$(id -un) keylog=${SSLKEYLOGFILE-unset}"'
RESULT_RE = re.compile(r"e2e-env user=(\S*) keylog=(\S*)")
PROXY = None


def setUpModule():
    global PROXY
    e2elib.require_root_and_programs("su", "sudo", "setpriv", "openssl")
    e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box = e2elib.start_world(
        [TARGET, CALLER], ["su", "sudo"])
    # sudo runs PAM in the environment it builds for the command: env_keep
    # (administrators often keep the proxy variables) lets these through
    e2elib.E2ETestCase.box.write_sudoers('Defaults env_keep += "SSLKEYLOGFILE no_proxy"\n'
                                         "%s ALL=(ALL:ALL) ALL" % CALLER)
    PROXY = ConnectProxy()


def tearDownModule():
    if PROXY is not None:
        PROXY.close()
    e2elib.stop_world(e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box)


def hashed_ca_dir(path, ca_pem):
    """A directory in OpenSSL's hashed format (what SSL_CERT_DIR and
    /etc/ssl/certs are) holding ca_pem, also as ca-certificates.crt."""
    os.makedirs(path)
    os.chmod(path, 0o755)
    subject_hash = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", ca_pem],
                                  check=True, capture_output=True, text=True).stdout.strip()
    for name in (subject_hash + ".0", "ca-certificates.crt"):
        shutil.copyfile(ca_pem, os.path.join(path, name))
        os.chmod(os.path.join(path, name), 0o644)
    return path


class TestEnvironment(e2elib.E2ETestCase):
    def setUp(self):
        super().setUp()
        PROXY.reset()
        self.box.extra_mounts = []

    def tearDown(self):
        self.box.extra_mounts = []

    def su(self, env, token=None):
        """bob: `umask 000; env VARS... su alice -c SHELL_COMMAND`, answering
        alice's token."""
        argv = ["sh", "-c", 'umask 000; exec env "$@"', "sh"]
        argv += ["%s=%s" % kv for kv in env.items()]
        argv += ["su", TARGET, "-c", SHELL_COMMAND]
        token = token if token is not None else self.sim.mint(LOGIN)
        self.last = self.box.run_pty(argv, user=CALLER,
                                     answers=[(e2elib.TOKEN_PROMPT, token.encode())])
        return self.last

    def assert_logged_in(self, res):
        self.assertEqual(res.status, 0, self.describe())
        m = RESULT_RE.search(res.text)
        self.assertIsNotNone(m, "the shell ran\n" + self.describe())
        self.assertEqual(m.group(1), TARGET, self.describe())
        return m

    def assert_refused_before_any_request(self, res):
        self.assertNotEqual(res.status, 0, self.describe())
        self.assertIsNone(RESULT_RE.search(res.text), "no shell ran\n" + self.describe())
        # the certificate is refused: Okta is unusable (PAM_AUTHINFO_UNAVAIL)
        self.assertIn("Authentication service cannot retrieve authentication info", res.text,
                      self.describe())
        self.assertEqual(self.sim.requests(), [],
                         "no request may pass the TLS handshake\n" + self.describe())
        self.assert_logged("createSession", "curl error 60")

    # -- SSLKEYLOGFILE ------------------------------------------------------------------
    def test_sslkeylogfile_not_created(self):
        # su runs as root: libcurl would create this file (mode 0666 under
        # umask 000) in a directory bob cannot write, and fill it with the
        # TLS secrets of the connection that carries the API token.
        keylog = os.path.join(self.box.dir, "keylog")
        res = self.su({"SSLKEYLOGFILE": keylog})
        m = self.assert_logged_in(res)
        self.assert_workflow(TARGET, session_in_same_process=True)
        self.assertFalse(os.path.exists(keylog),
                         "%s was created by su\n%s" % (keylog, self.describe()))
        # hidden from libcurl only: su's environment, which the shell
        # inherits, still holds it
        self.assertEqual(m.group(2), keylog, "the variable was put back\n" + self.describe())

    def test_sudo_with_sslkeylogfile_and_no_proxy(self):
        # sudo is setuid too: the same variables, kept by env_keep
        keylog = os.path.join(self.box.dir, "keylog-sudo")
        self.box.write_okta_conf(self.sim, timeout=self.timeout, proxy=PROXY.url)
        argv = ["sh", "-c", 'umask 000; exec env "$@"', "sh", "SSLKEYLOGFILE=" + keylog,
                "no_proxy=*", "sudo", "-S", "--", "sh", "-c",
                'echo "e2e-env-sudo uid=$(id -u) keylog=${SSLKEYLOGFILE-unset}"']
        proc = self.box.run(argv, user=CALLER,
                            input=self.sim.mint("%s@example.com" % CALLER).encode() + b"\n")
        self.last = "sudo exit %d\n--- stdout\n%s--- stderr\n%s" % (
            proc.returncode, proc.stdout.decode(errors="replace"),
            proc.stderr.decode(errors="replace"))
        self.assertEqual(proc.returncode, 0, self.describe())
        # env_keep still hands the variable to the command: hidden from libcurl only
        self.assertIn(("e2e-env-sudo uid=0 keylog=%s" % keylog).encode(), proc.stdout,
                      self.describe())
        self.assert_workflow(CALLER, session_in_same_process=True)
        self.assertFalse(os.path.exists(keylog),
                         "%s was created by sudo\n%s" % (keylog, self.describe()))
        self.assertEqual(PROXY.targets(), ["127.0.0.1:%d" % self.sim.https_port],
                         "the configured proxy carried the one connection\n" + self.describe())

    # -- proxies --------------------------------------------------------------------------
    def test_no_proxy_does_not_bypass_configured_proxy(self):
        target = "127.0.0.1:%d" % self.sim.https_port
        for name, value in (("no_proxy", "*"), ("NO_PROXY", "*"), ("no_proxy", "127.0.0.1")):
            with self.subTest(variable=name, value=value):
                self.sim.reset()
                PROXY.reset()
                self.box.write_okta_conf(self.sim, timeout=self.timeout, proxy=PROXY.url)
                res = self.su({name: value})
                self.assert_logged_in(res)
                self.assert_workflow(TARGET, session_in_same_process=True)
                self.assertEqual(PROXY.targets(), [target],
                                 "the configured proxy carried the one connection\n"
                                 + self.describe())

    def test_proxy_variables_do_not_add_a_proxy(self):
        env = {name: PROXY.url for name in ("https_proxy", "HTTPS_PROXY", "all_proxy",
                                            "ALL_PROXY", "http_proxy")}
        res = self.su(env)
        self.assert_logged_in(res)
        self.assert_workflow(TARGET, session_in_same_process=True)
        self.assertEqual(PROXY.targets(), [], "no proxy is configured\n" + self.describe())

    # -- which CAs are trusted ---------------------------------------------------------
    # The simulator's certificate chains to sim.ca_file: here that CA is the
    # attacker's, and the environment points OpenSSL at it.
    def attacker_ca_env(self):
        cert_dir = os.path.join(self.box.dir, "attacker-certs")
        if not os.path.isdir(cert_dir):
            hashed_ca_dir(cert_dir, self.sim.ca_file)
        return {"SSL_CERT_FILE": self.sim.ca_file, "SSL_CERT_DIR": cert_dir}

    def test_ssl_cert_env_does_not_trust_attacker_ca_system_store(self):
        # no ca_file: the system store (which lacks the attacker's CA) decides
        self.box.write_okta_conf(self.sim, timeout=self.timeout, ca_file=None)
        env = self.attacker_ca_env()
        for names in (("SSL_CERT_FILE",), ("SSL_CERT_DIR",), ("SSL_CERT_FILE", "SSL_CERT_DIR")):
            with self.subTest(variables=names):
                self.sim.reset()
                self.box.sink.clear()
                self.assert_refused_before_any_request(self.su({n: env[n] for n in names}))

    def test_ssl_cert_env_does_not_trust_attacker_ca_with_ca_file(self):
        # ca_file names the genuine CA, which did not sign the simulator's certificate
        self.box.write_okta_conf(self.sim, timeout=self.timeout, ca_file=self.sim.other_ca_file)
        self.assert_refused_before_any_request(self.su(self.attacker_ca_env()))

    def system_store_with(self, ca_pem):
        """/etc/ssl/certs in the sandbox holds only ca_pem (bundle and hashed)."""
        fake = os.path.join(self.box.dir, "system-certs-%d" % len(os.listdir(self.box.dir)))
        hashed_ca_dir(fake, ca_pem)
        self.box.extra_mounts = [("bind", fake, "/etc/ssl/certs")]

    def test_system_store_used_by_explicit_path(self):
        # no ca_file and a system store that holds the simulator's CA: trusted,
        # whatever SSL_CERT_FILE and SSL_CERT_DIR say
        self.system_store_with(self.sim.ca_file)
        self.box.write_okta_conf(self.sim, timeout=self.timeout, ca_file=None)
        empty = os.path.join(self.box.dir, "empty-certs")
        os.makedirs(empty, exist_ok=True)
        res = self.su({"SSL_CERT_FILE": self.sim.other_ca_file, "SSL_CERT_DIR": empty})
        self.assert_logged_in(res)
        self.assert_workflow(TARGET, session_in_same_process=True)

    def test_ca_file_replaces_system_store(self):
        # ca_file is the only CA: a system store that would accept the
        # simulator's certificate must not be consulted too
        self.system_store_with(self.sim.ca_file)
        self.box.write_okta_conf(self.sim, timeout=self.timeout, ca_file=self.sim.other_ca_file)
        self.assert_refused_before_any_request(self.su({}))


if __name__ == "__main__":
    taprunner.main()
