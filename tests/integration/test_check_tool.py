#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""pam_okta_session_check (the administrator's check tool) against the simulator.

Run: python3 tests/integration/test_check_tool.py [name-substring...]   (as root)
Env: PAM_OKTA_CHECK (the tool), PAM_OKTA_SRCDIR, PAM_OKTA_BUILDDIR.
"""

import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import e2elib  # noqa: E402  (run_on_pty)
import pamharness as ph  # noqa: E402
import taprunner  # noqa: E402
from simlib import Simulator, closed_port  # noqa: E402

TOOL = os.environ.get("PAM_OKTA_CHECK") or os.path.join(ph.BUILDDIR, "pam_okta_session_check")
SIM = None
USER = "alice"
LOGIN = "alice@example.com"
CREATE = ("POST", "/api/v1/sessions")
PROBE_PREFIX = "/api/v1/sessions/pam_okta_session_check-probe-"
EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3


def setUpModule():
    global SIM
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root (the tool insists on root-owned 0600 config files)")
    if not os.path.exists(TOOL):
        raise RuntimeError("check tool not built: %s (set PAM_OKTA_CHECK)" % TOOL)
    SIM = Simulator()
    SIM.start()


def tearDownModule():
    if SIM is not None:
        SIM.stop()



def libpam_version():
    """The Linux-PAM the tests run against, as a tuple: pam.pc's version,
    or else the Debian package's."""
    out = subprocess.run(["pkg-config", "--modversion", "pam"], capture_output=True,
                         text=True).stdout.strip()
    if not out:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libpam0g"],
                             capture_output=True, text=True, check=True).stdout.strip()
    return tuple(int(x) for x in re.findall(r"\d+", out)[:2])

class CheckResult:
    def __init__(self, proc, elapsed):
        self.rc = proc.returncode
        self.stdout = proc.stdout.decode("utf-8", "backslashreplace")
        self.stderr = proc.stderr.decode("utf-8", "backslashreplace")
        self.elapsed = elapsed
        self.lines = self.stdout.splitlines()

    def line(self, status, check):
        """The report line for `check` with `status` (ok / FAIL), or None."""
        prefix = "%s %s: " % (status, check)
        return next((l for l in self.lines if l.startswith(prefix)), None)

    def describe(self):
        return "rc=%s elapsed=%.2fs\n--- stdout\n%s--- stderr\n%s" % (
            self.rc, self.elapsed, self.stdout, self.stderr)


class CheckToolTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        SIM.reset()
        self.tmp = tempfile.mkdtemp(prefix="okta-check-")
        os.chmod(self.tmp, 0o755)
        self.conf_path = os.path.join(self.tmp, "okta.conf")
        self.secrets = [SIM.api_token]
        self.write_conf()

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_conf(self, _mode=0o600, _uid=0, **overrides):
        keys = {"org_url": SIM.org_url, "api_token": SIM.api_token, "ca_file": SIM.ca_file,
                "login_suffix": "@example.com", "timeout": 3}
        keys.update(overrides)
        ph.write_conf(self.conf_path, _mode=_mode, _uid=_uid, **keys)

    def run_tool(self, *args, stdin=b"", conf=True):
        """Run the tool; every run must keep the secrets out of its output."""
        cmd = [TOOL] + (["--conf", self.conf_path] if conf else []) + list(args)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               # must be ignored: only the configuration file may set a proxy
               "https_proxy": "http://127.0.0.1:%d" % closed_port(),
               "all_proxy": "http://127.0.0.1:%d" % closed_port()}
        start = time.monotonic()
        proc = subprocess.run(cmd, input=stdin, capture_output=True, env=env, timeout=60)
        result = CheckResult(proc, time.monotonic() - start)
        for secret in self.secrets:
            self.assertNotIn(secret, result.stdout + result.stderr, "secret printed")
        return result

    def assert_exit(self, r, code):
        self.assertEqual(r.rc, code, r.describe())

    def assert_line(self, r, status, check, *fragments):
        line = r.line(status, check)
        self.assertIsNotNone(line, "no '%s %s:' line\n%s" % (status, check, r.describe()))
        for fragment in fragments:
            self.assertIn(fragment, line, r.describe())
        return line

    @staticmethod
    def api_requests():
        return [(q["method"], q["path"]) for q in SIM.requests()]

    def assert_only_probe_sent(self, r):
        got = self.api_requests()
        self.assertEqual(len(got), 1, r.describe())
        self.assertEqual(got[0][0], "GET")
        self.assertTrue(got[0][1].startswith(PROBE_PREFIX), got)

    # -- configuration and probe ------------------------------------------------
    def test_good_config(self):
        r = self.run_tool()
        self.assert_exit(r, EXIT_OK)
        self.assert_line(r, "ok", "config", self.conf_path, "owner uid 0", "mode 0600")
        self.assert_line(r, "ok", "api_token", "inline")
        self.assert_line(r, "ok", "org_url", SIM.org_url)
        self.assert_line(r, "ok", "ca_file", SIM.ca_file, "1 certificate")
        self.assert_line(r, "ok", "proxy", "none")
        self.assert_line(r, "ok", "login_suffix", "<user>@example.com")
        self.assert_line(r, "ok", "timeout", "3 s")
        self.assert_line(r, "ok", "policy", "none")
        self.assert_line(r, "ok", "probe", "HTTP 404 E0000007")
        self.assertFalse([l for l in r.lines if l.startswith("FAIL")], r.describe())
        self.assertEqual(r.stderr, "", "an expected 404 is not an error")
        self.assert_only_probe_sent(r)
        self.assertEqual(SIM.requests()[0]["headers"]["authorization"], "SSWS " + SIM.api_token)

    def test_policy_reported(self):
        self.write_conf(require_group='bastion-admins, "Ops, EU"', require_mfa="yes",
                        max_auth_age=900)
        r = self.run_tool()
        self.assert_exit(r, EXIT_OK)
        self.assert_line(r, "ok", "policy", 'require_group = OKTA_GROUP:bastion-admins, '
                         '"OKTA_GROUP:Ops, EU"; '
                         "require_mfa = yes; max_auth_age = 900")

    def test_api_token_file(self):
        token_file = ph.write_secure_file(os.path.join(self.tmp, "token"), SIM.api_token + "\n")
        self.write_conf(api_token=None, api_token_file=token_file)
        r = self.run_tool()
        self.assert_exit(r, EXIT_OK)
        self.assert_line(r, "ok", "api_token", token_file, "mode 0600")
        self.assert_line(r, "ok", "probe", "HTTP 404 E0000007")

    def test_bad_api_token(self):
        self.write_conf(api_token="00wrongwrongwrongwrongwrongwrongwrongwrong1")
        self.secrets.append("00wrongwrongwrongwrongwrongwrongwrongwrong1")
        r = self.run_tool()
        self.assert_exit(r, EXIT_UNAVAILABLE)
        self.assert_line(r, "FAIL", "probe", "401 E0000011", "API token")
        self.assert_only_probe_sent(r)

    def test_api_token_without_rights(self):
        SIM.fault("get", "status", status=403, count=1)
        r = self.run_tool()
        self.assert_exit(r, EXIT_UNAVAILABLE)
        self.assert_line(r, "FAIL", "probe", "403 E0000006")

    def test_okta_5xx(self):
        # every time: the probe, like the module, retries a single 503 once
        SIM.fault("get", "status", status=503)
        r = self.run_tool()
        self.assert_exit(r, EXIT_UNAVAILABLE)
        self.assert_line(r, "FAIL", "probe", "HTTP 503", "unavailable")
        self.assertEqual(len(SIM.requests()), 2, "one retry of the 503")

    def test_okta_down(self):
        self.write_conf(org_url="https://127.0.0.1:%d" % closed_port())
        r = self.run_tool()
        self.assert_exit(r, EXIT_UNAVAILABLE)
        self.assert_line(r, "FAIL", "probe", "Okta unreachable", "curl error 7")

    def test_slow_okta_times_out(self):
        self.write_conf(timeout=1)
        SIM.fault("get", "delay", seconds=5, count=1)
        r = self.run_tool()
        self.assert_exit(r, EXIT_UNAVAILABLE)
        self.assert_line(r, "FAIL", "probe", "Okta unreachable", "curl error 28")
        self.assertLess(r.elapsed, 1 + 1.5, r.describe())

    def test_unexpected_answer(self):
        SIM.fault("get", "status", status=404, errorCode="E0000022", count=1)
        r = self.run_tool()
        self.assert_exit(r, EXIT_CHECK_FAILED)
        self.assert_line(r, "FAIL", "probe", "unexpected answer HTTP 404 E0000022")

    def test_session_that_cannot_exist_found(self):
        SIM.fault("get", "malformed", status=200,
                  body=json.dumps({"id": "x", "status": "ACTIVE"}), count=1)
        r = self.run_tool()
        self.assert_exit(r, EXIT_CHECK_FAILED)
        self.assert_line(r, "FAIL", "probe", "unexpected answer HTTP 200")

    def test_insecure_config_file(self):
        for mode, uid, expected in ((0o640, 0, "mode 0640"), (0o604, 0, "mode 0604"),
                                    (0o600, 1, "owned by uid 1")):
            with self.subTest(mode=oct(mode), uid=uid):
                SIM.reset()
                self.write_conf(_mode=mode, _uid=uid)
                r = self.run_tool()
                self.assert_exit(r, EXIT_USAGE)
                self.assert_line(r, "FAIL", "config", self.conf_path, expected)
                self.assertEqual(self.api_requests(), [], "nothing may be sent")

    def test_invalid_config(self):
        self.write_conf(org_url="http://example.okta.com")
        r = self.run_tool()
        self.assert_exit(r, EXIT_USAGE)
        self.assert_line(r, "FAIL", "config", "org_url must be an https:// origin")

    def test_missing_config(self):
        r = self.run_tool("--conf", os.path.join(self.tmp, "nope.conf"), conf=False)
        self.assert_exit(r, EXIT_USAGE)
        self.assert_line(r, "FAIL", "config", "cannot open")

    def test_untrusted_ca(self):
        self.write_conf(ca_file=SIM.other_ca_file)
        r = self.run_tool()
        self.assert_exit(r, EXIT_UNAVAILABLE)
        self.assert_line(r, "ok", "ca_file", SIM.other_ca_file)
        self.assert_line(r, "FAIL", "probe", "Okta unreachable", "certificate")
        self.assertEqual(SIM.requests(), [], "no request may pass an untrusted TLS handshake")

    def test_ca_file_without_certificates(self):
        empty = os.path.join(self.tmp, "empty.pem")
        with open(empty, "w") as f:
            f.write("not a certificate\n")
        self.write_conf(ca_file=empty)
        r = self.run_tool()
        self.assert_exit(r, EXIT_CHECK_FAILED)
        self.assert_line(r, "FAIL", "ca_file", "no PEM certificate")
        self.assertEqual(self.api_requests(), [])

    def test_ca_file_writable_by_others(self):
        # the module's own loader refuses it (one implementation of the
        # file rules, tests/integration/test_files.py), so the tool reports
        # a configuration the module would not load
        bundle = os.path.join(self.tmp, "ca.pem")
        shutil.copy(SIM.ca_file, bundle)
        os.chmod(bundle, 0o666)
        self.write_conf(ca_file=bundle)
        r = self.run_tool()
        self.assert_exit(r, EXIT_USAGE)
        self.assert_line(r, "FAIL", "config", "ca_file", bundle, "mode 0666",
                         "must not be group- or world-writable")
        self.assertEqual(self.api_requests(), [], "nothing may be sent")

    # -- ca_dir: the hashed CA directory (the system store without ca_file) ---------
    def ca_dir(self, ca_pem=None, mode=0o755):
        path = os.path.join(self.tmp, "certs")
        os.mkdir(path)
        if ca_pem is not None:
            subject_hash = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", ca_pem],
                                          check=True, capture_output=True,
                                          text=True).stdout.strip()
            shutil.copy(ca_pem, os.path.join(path, subject_hash + ".0"))
        else:
            shutil.copy(SIM.ca_file, os.path.join(path, "ca-certificates.crt"))
        os.chmod(path, mode)
        return path

    def test_ca_dir(self):
        path = self.ca_dir(SIM.ca_file)
        self.write_conf(ca_file=None, ca_dir=path)
        r = self.run_tool()
        self.assert_exit(r, EXIT_OK)
        self.assert_line(r, "ok", "ca_dir", path, "1 hashed CA entries")
        self.assert_line(r, "ok", "probe", "HTTP 404")
        self.assert_only_probe_sent(r)

    def test_ca_dir_without_hash_entries(self):
        # a bundle in the directory is not what OpenSSL looks up there
        path = self.ca_dir()
        self.write_conf(ca_file=None, ca_dir=path)
        r = self.run_tool()
        self.assert_exit(r, EXIT_CHECK_FAILED)
        self.assert_line(r, "FAIL", "ca_dir", path, "no hash-named")
        self.assertEqual(self.api_requests(), [])

    def test_ca_dir_writable_by_others(self):
        path = self.ca_dir(SIM.ca_file, mode=0o1777)
        self.write_conf(ca_file=None, ca_dir=path)
        r = self.run_tool()
        self.assert_exit(r, EXIT_USAGE)
        self.assert_line(r, "FAIL", "config", "ca_dir", path, "mode 1777")
        self.assertEqual(self.api_requests(), [], "nothing may be sent")

    def test_ca_dir_entry_others_could_replace(self):
        # review finding C1: OpenSSL follows a hash link wherever it points;
        # the loader checks the directory only (per login, for speed), the
        # tool checks what every entry resolves to. A link into a group-
        # writable directory (Debian's /usr/local/share/ca-certificates is
        # 2775 root:staff where /usr/local is), and a CA file a user owns.
        path = self.ca_dir(SIM.ca_file)
        local = os.path.join(self.tmp, "local-cas")
        os.mkdir(local)
        os.chmod(local, 0o2775)
        shutil.copy(SIM.ca_file, os.path.join(local, "corp.crt"))
        os.symlink(os.path.join(local, "corp.crt"), os.path.join(path, "0badc0de.0"))
        # a link that hops through a directory a user owns: they could
        # repoint it after any check
        userdir = os.path.join(self.tmp, "userdir")
        os.mkdir(userdir)
        os.chown(userdir, 65534, 0)
        os.symlink(SIM.ca_file, os.path.join(userdir, "hop"))
        os.symlink(os.path.join(userdir, "hop"), os.path.join(path, "0badc0de.2"))
        # Debian's chain passes: <hash> -> name.pem (same directory) ->
        # a root-owned file in root-only directories
        share = os.path.join(self.tmp, "share")
        os.mkdir(share)
        shutil.copy(SIM.ca_file, os.path.join(share, "good.crt"))
        os.symlink(os.path.join(share, "good.crt"), os.path.join(path, "good.pem"))
        os.symlink("good.pem", os.path.join(path, "600dc0de.0"))
        owned = os.path.join(path, "0badc0de.1")
        shutil.copy(SIM.ca_file, owned)
        os.chown(owned, 65534, 0)
        self.write_conf(ca_file=None, ca_dir=path)
        r = self.run_tool()
        self.assert_exit(r, EXIT_CHECK_FAILED)
        entries = [l for l in r.lines if l.startswith("FAIL ca_dir entry: ")]
        self.assertEqual(len(entries), 3, r.describe())
        self.assertTrue(any("0badc0de.0" in l and local in l and "group- or world-writable" in l
                            for l in entries), r.describe())
        self.assertTrue(any("0badc0de.1" in l and "owned by uid 65534" in l for l in entries),
                        r.describe())
        self.assertTrue(any("0badc0de.2" in l and userdir in l and "must be owned by root" in l
                            for l in entries), r.describe())
        self.assert_line(r, "FAIL", "ca_dir", path, "3 of 5 hashed CA entries")

    def test_proxy_credentials_hidden(self):
        self.write_conf(proxy="http://proxyuser:Pr0xyS3cret@127.0.0.1:%d" % closed_port())
        self.secrets.append("Pr0xyS3cret")
        r = self.run_tool()
        self.assert_line(r, "ok", "proxy", "http://***@127.0.0.1:")
        self.assert_exit(r, EXIT_UNAVAILABLE)
        self.assert_line(r, "FAIL", "probe", "Okta unreachable")

    # -- the whole workflow ---------------------------------------------------------
    def test_workflow_valid_token(self):
        minted = SIM.mint_full(LOGIN)
        self.secrets.append(minted["sessionToken"])
        r = self.run_tool("--session-token-stdin", "--user", USER,
                          stdin=(minted["sessionToken"] + "\n").encode())
        self.assert_exit(r, EXIT_OK)
        got = self.api_requests()
        self.assertEqual(len(got), 3, r.describe())
        self.assertTrue(got[0][1].startswith(PROBE_PREFIX))
        self.assertEqual(got[1], CREATE)
        sid = json.loads(SIM.requests()[1]["response_body"])["id"]
        self.secrets.append(sid)
        self.assertEqual(got[2], ("POST", "/api/v1/sessions/%s/lifecycle/refresh" % sid))
        self.assertNotIn(sid, r.stdout + r.stderr, "the full session id was printed")
        self.assert_line(r, "ok", "workflow", "'%s'" % USER, LOGIN)
        self.assertIn("OKTA_SESSION_ID=%s%s" % (sid[:4], "*" * (len(sid) - 4)), r.lines)
        self.assertIn("OKTA_USER_ID=%s" % minted["userId"], r.lines)
        self.assertIn("OKTA_SESSION_EXPIRES_AT=%s" % SIM.session(sid)["expiresAt"], r.lines)
        self.assertEqual(SIM.session(sid)["refresh_count"], 1)
        self.assertFalse(SIM.session(sid)["revoked"], "revoked without --revoke")
        self.assertEqual(len({q["conn"] for q in SIM.requests()}), 1, "one connection")

    def test_workflow_revoke(self):
        token = SIM.mint(LOGIN)
        self.secrets.append(token)
        r = self.run_tool("--session-token-stdin", "--user", USER, "--revoke",
                          stdin=token.encode())
        self.assert_exit(r, EXIT_OK)
        sid = json.loads(SIM.requests()[1]["response_body"])["id"]
        self.assertEqual(self.api_requests()[-1], ("DELETE", "/api/v1/sessions/%s" % sid))
        self.assertTrue(SIM.session(sid)["revoked"])
        self.assert_line(r, "ok", "revoke", "revoked")

    def test_workflow_reports_policy_verdicts(self):
        """For a token, the tool says which rule of the policy passes or refuses."""
        SIM.add_user(LOGIN, groups=["bastion-admins"])
        self.write_conf(require_group="bastion-admins", require_mfa="yes", max_auth_age=900)
        token = SIM.mint(LOGIN, amr=["pwd", "mfa"])
        self.secrets.append(token)
        r = self.run_tool("--session-token-stdin", "--user", USER, stdin=token.encode())
        self.assert_exit(r, EXIT_OK)
        for rule in ("require_group", "require_mfa", "max_auth_age"):
            self.assert_line(r, "ok", "policy " + rule, "pass")

        SIM.reset()
        token = SIM.mint(LOGIN, amr=["pwd"])
        self.secrets.append(token)
        r = self.run_tool("--session-token-stdin", "--user", USER, stdin=token.encode())
        self.assert_exit(r, EXIT_CHECK_FAILED)
        self.assert_line(r, "FAIL", "policy require_mfa", "refuse")
        self.assert_line(r, "ok", "policy max_auth_age", "pass")
        # The workflow stops at the first refusal: no group request is made.
        self.assert_line(r, "FAIL", "policy require_group", "not checked")
        self.assertNotIn("GET", [m for m, p in self.api_requests()[1:]], r.describe())

    def test_workflow_bad_token(self):
        r = self.run_tool("--session-token-stdin", "--user", USER, stdin=b"not-a-real-token\n")
        self.assert_exit(r, EXIT_CHECK_FAILED)
        self.assert_line(r, "FAIL", "workflow", "refused", "PAM_AUTH_ERR")
        self.assertIn("createSession: HTTP 401, errorCode=E0000004", r.stderr)
        self.assertEqual(self.api_requests()[1:], [CREATE])
        self.assertNotIn("OKTA_SESSION_ID", r.stdout)

    def test_workflow_other_users_token(self):
        token = SIM.mint("mallory@example.com")
        self.secrets.append(token)
        r = self.run_tool("--session-token-stdin", "--user", USER, stdin=token.encode())
        self.assert_exit(r, EXIT_CHECK_FAILED)
        self.assertIn("Okta login 'mallory@example.com' tried to log in as user 'alice'", r.stderr)
        sid = json.loads(SIM.requests()[1]["response_body"])["id"]
        self.assertTrue(SIM.session(sid)["revoked"], "refused session must be revoked")
        self.assertNotIn("OKTA_SESSION_ID", r.stdout)

    def test_workflow_skipped_when_probe_fails(self):
        SIM.fault("get", "status", status=500, count=1)
        token = SIM.mint(LOGIN)
        self.secrets.append(token)
        r = self.run_tool("--session-token-stdin", "--user", USER, stdin=token.encode())
        self.assert_exit(r, EXIT_UNAVAILABLE)
        self.assertEqual(len(self.api_requests()), 1, "token must not be spent")

    # -- usage -----------------------------------------------------------------------
    # -- --sign-in (sign_in = password) ------------------------------------------------
    def sign_in_user(self, factors):
        password = "chk-" + os.urandom(8).hex()
        self.secrets.append(password)
        SIM.add_authn_user(LOGIN, password, factors)
        self.write_conf(sign_in="password", mfa_timeout=10)
        return password

    def test_sign_in_with_passcode_per_step_verdicts(self):
        secret = "JBSWY3DPEHPK3PXPJBSWY3DP"
        password = self.sign_in_user([{"type": "push", "auto": "approve"},
                                      {"type": "totp", "secret": secret}])
        code = SIM.totp(secret)
        r = self.run_tool("--sign-in", "--user", USER,
                          stdin=("%s\n%s\n" % (password, code)).encode())
        self.assert_exit(r, EXIT_OK)
        self.assert_line(r, "ok", "primaryAuthentication", "MFA_REQUIRED")
        self.assert_line(r, "ok", "verifyFactor", "SUCCESS")
        self.assert_line(r, "ok", "sign-in", LOGIN)
        self.assert_line(r, "ok", "workflow", "'%s'" % USER, LOGIN)
        self.assertEqual([q.get("route") for q in SIM.requests()][1:],
                         ["authn", "authn_verify", "create", "refresh"])
        self.assertEqual(len({q["conn"] for q in SIM.requests()}), 1, "one connection")

    def test_sign_in_push_and_refusal(self):
        password = self.sign_in_user([{"type": "push", "auto": "approve", "after_polls": 1}])
        r = self.run_tool("--sign-in", "--user", USER, stdin=(password + "\n").encode())
        self.assert_exit(r, EXIT_OK)
        self.assert_line(r, "ok", "verifyFactor", "MFA_CHALLENGE WAITING")
        self.assert_line(r, "ok", "pollFactor", "SUCCESS")
        self.assertIn("Okta Verify: push sent, waiting for approval", r.stderr)
        SIM.reset()
        r = self.run_tool("--sign-in", "--user", USER, stdin=b"wrong-password\n")
        self.assert_exit(r, EXIT_CHECK_FAILED)
        self.assert_line(r, "FAIL", "sign-in", "wrong username or password", "PAM_AUTH_ERR",
                         "Okta: sign-in failed")
        self.assertNotIn(CREATE, self.api_requests())

    def test_sign_in_and_workflow_share_one_timeout(self):
        """SECURITY.md T9, as the module does it: the sign-in's requests and
        the workflow after them share one `timeout`. Answers of 1.4 s each
        (password, push verify, createSession: 4.2 s against 3 s) fail in
        the module; the tool must not call the same login ok (it gave the
        workflow a new `timeout` of its own, and said ok)."""
        password = self.sign_in_user([{"type": "push", "auto": "approve"}])
        for route in ("authn", "authn_verify", "create", "refresh"):
            SIM.fault(route, "delay", seconds=1.4)
        r = self.run_tool("--sign-in", "--user", USER, stdin=(password + "\n").encode())
        self.assert_exit(r, EXIT_UNAVAILABLE)
        self.assert_line(r, "ok", "sign-in", LOGIN)
        self.assert_line(r, "FAIL", "workflow", "PAM_AUTHINFO_UNAVAIL")
        self.assertIn("createSession", r.stderr, r.describe())

    # -- --sign-in from a real terminal (a pseudo-terminal, as an administrator runs it) --
    def run_on_terminal(self, answers, *args):
        """The tool with a new pty as its controlling terminal and stdin;
        returns (result, text with the verdict lines, \\r dropped)."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        res = e2elib.run_on_pty([TOOL, "--conf", self.conf_path, "--sign-in", "--user", USER]
                                + list(args), answers, env, 20)
        text = res.text.replace("\r", "")
        for secret in self.secrets:
            self.assertNotIn(secret, text, "secret shown on the terminal")
        return res, text

    def assert_verdict(self, text, status, check, *fragments):
        line = next((l for l in text.splitlines() if l.startswith("%s %s: " % (status, check))),
                    None)
        self.assertIsNotNone(line, "no '%s %s:' line on the terminal\n%s" % (status, check, text))
        for fragment in fragments:
            self.assertIn(fragment, line, text)

    def test_sign_in_on_a_terminal_password_then_passcode(self):
        """The password is asked with echo off (it never shows on the
        terminal, the answer's newline does), the MFA answer with echo on
        (the passcode shows, so echo was restored after the password)."""
        secret = "JBSWY3DPEHPK3PXPJBSWY3DP"
        password = self.sign_in_user([{"type": "push", "auto": "approve"},
                                      {"type": "totp", "secret": secret}])
        code = SIM.totp(secret)
        res, text = self.run_on_terminal(
            [(rb"Okta password: ", password.encode()),
             (rb"Okta Verify push: press Enter, or type a passcode: ", code.encode())])
        self.assertEqual(res.status, EXIT_OK, text)
        self.assertEqual(len(res.answered), 2, text)
        self.assertIn("Okta password: \n", text, "the password's newline, and nothing else")
        self.assertIn("Okta Verify push: press Enter, or type a passcode: %s\n" % code, text,
                      "the passcode echoed")
        self.assert_verdict(text, "ok", "primaryAuthentication", "MFA_REQUIRED")
        self.assert_verdict(text, "ok", "verifyFactor", "SUCCESS")
        self.assert_verdict(text, "ok", "sign-in", LOGIN)
        self.assert_verdict(text, "ok", "workflow", "'%s'" % USER, LOGIN)
        self.assertEqual([q.get("route") for q in SIM.requests()][-4:],
                         ["authn", "authn_verify", "create", "refresh"])

    def test_sign_in_on_a_terminal_push_with_number_matching(self):
        """The number shows on the terminal as a prompt; the administrator
        taps it on the phone (the simulator) and presses Enter."""
        password = self.sign_in_user([{"type": "push", "auto": "ignore",
                                       "number_matching": True}])
        approved = {}

        def tap(match):
            approved.update(SIM.answer_push(LOGIN, "approve", int(match.group(1))))
            return b""

        res, text = self.run_on_terminal(
            [(rb"Okta password: ", password.encode()),
             (rb"Okta Verify: tap (\d+) on your phone, then press Enter: ", tap)])
        self.assertEqual(res.status, EXIT_OK, text)
        self.assertEqual(approved.get("state"), "approved", text)
        self.assert_verdict(text, "ok", "verifyFactor", "MFA_CHALLENGE WAITING")
        self.assert_verdict(text, "ok", "pollFactor", "SUCCESS")
        self.assert_verdict(text, "ok", "sign-in", LOGIN)
        self.assert_verdict(text, "ok", "workflow", LOGIN)

    def test_sign_in_on_a_terminal_push_rejected(self):
        password = self.sign_in_user([{"type": "push", "auto": "reject", "after_polls": 1}])
        res, text = self.run_on_terminal([(rb"Okta password: ", password.encode())])
        self.assertEqual(res.status, EXIT_CHECK_FAILED, text)
        self.assertIn("Okta Verify: push sent, waiting for approval\n", text)
        self.assert_verdict(text, "ok", "verifyFactor", "MFA_CHALLENGE WAITING")
        self.assert_verdict(text, "ok", "pollFactor", "MFA_CHALLENGE REJECTED")
        self.assert_verdict(text, "FAIL", "sign-in", "push rejected", "(transaction cancelled)",
                            "PAM_AUTH_ERR", "Okta: push rejected")
        self.assertNotIn(CREATE, self.api_requests())

    def test_usage_errors(self):
        cases = ((["--session-token-stdin"], b"tok"),
                 (["--user", USER], b""),
                 (["--revoke"], b""),
                 (["--session-token-stdin", "--user", "bob@evil"], b"tok"),
                 (["--session-token-stdin", "--user", USER], b""),
                 (["--session-token-stdin", "--user", USER], b"x" * 5000),
                 (["--session-token-stdin", "--user", USER], b"tab\there"),
                 (["--session-token", "tok"], b""),
                 (["extra"], b""))
        for args, stdin in cases:
            with self.subTest(args=args, stdin=stdin[:10]):
                r = self.run_tool(*args, stdin=stdin)
                self.assert_exit(r, EXIT_USAGE)
                self.assertEqual(r.stdout, "", "no checks may run")
        self.assertEqual(self.api_requests(), [], "nothing may be sent")

    def test_help(self):
        r = self.run_tool("--help", conf=False)
        self.assert_exit(r, EXIT_OK)
        self.assertIn("--session-token-stdin", r.stdout)
        self.assertIn("Exit status", r.stdout)


def documented_stacks():
    """(source, text) of every auth stack naming pam_okta_session.so in the
    Markdown files' code blocks, the man pages' .EX blocks and conf/pam.d."""
    auth_line = re.compile(r"^-?auth\s.*\bpam_okta_session\.so", re.M)
    blocks = []
    for md in ("README.md", "SECURITY.md"):
        with open(os.path.join(ph.SRCDIR, md)) as f:
            blocks += [(md, b) for b in re.findall(r"^```[a-z]*\n(.*?)^```", f.read(),
                                                      re.M | re.S)]
    for page in ("man/pam_okta_session.8", "man/pam_okta_session_check.8"):
        with open(os.path.join(ph.SRCDIR, page)) as f:
            for b in re.findall(r"^\.EX\n(.*?)^\.EE", f.read(), re.M | re.S):
                blocks.append((page, b.replace("\\-", "-").replace("\\e", "\\")))
    for path in sorted(glob.glob(os.path.join(ph.SRCDIR, "conf", "pam.d", "*"))):
        with open(path) as f:
            blocks.append(("conf/pam.d", f.read()))
    return [(source, text) for source, text in blocks if auth_line.search(text)]


class PamStackTest(unittest.TestCase):
    """--pam-stack FILE on the documented stacks (the files tests/e2e/
    test_breakglass.py proves with sshd) and on misuses. Each file sits in
    a directory beside copies of this host's /etc/pam.d/common-* files,
    which its @include lines name."""

    CONF_DIR = os.path.join(ph.SRCDIR, "conf", "pam.d")
    # CheckToolTest's helpers, without inheriting (and rerunning) its tests
    run_tool, assert_exit, assert_line = (CheckToolTest.run_tool, CheckToolTest.assert_exit,
                                          CheckToolTest.assert_line)
    api_requests = staticmethod(CheckToolTest.api_requests)

    def setUp(self):
        SIM.reset()
        self.tmp = tempfile.mkdtemp(prefix="okta-check-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.conf_path = os.path.join(self.tmp, "okta.conf")
        self.secrets = []
        self.pam_dir = os.path.join(self.tmp, "pam.d")
        os.mkdir(self.pam_dir)
        for name in ("common-account", "common-session", "common-session-noninteractive",
                     "common-auth"):
            src = os.path.join("/etc/pam.d", name)
            if os.path.exists(src):
                shutil.copy(src, self.pam_dir)
            else:   # not Debian: the include still has to resolve
                ph.write_service(self.pam_dir, name, ["account required pam_unix.so"])

    def stack(self, name, text=None):
        """Path of stack `name`: conf/pam.d/NAME copied, or `text`."""
        path = os.path.join(self.pam_dir, name)
        if text is None:
            shutil.copy(os.path.join(self.CONF_DIR, name), path)
        else:
            with open(path, "w") as f:
                f.write(text)
        return path

    def assert_verdict(self, path, code, status, verdict, ways=()):
        """The verdict line, then exactly `ways`: (status, text) per line
        (ways=None: any)."""
        r = self.run_tool("--pam-stack", path, conf=False)
        self.assert_exit(r, code)
        self.assert_line(r, status, "pam-stack", "%s: %s" % (path, verdict))
        if ways is None:
            return r
        self.assertEqual(len(r.lines), 1 + len(ways), r.describe())
        for line, (way_status, text) in zip(r.lines[1:], ways):
            self.assertTrue(line.startswith("%s pam-stack: %s: " % (way_status, path)),
                            r.describe())
            self.assertIn(text, line, r.describe())
        return r

    def test_documented_stacks(self):
        glass = ("ok", "the stack lets members of okta-breakglass in without running "
                       "pam_okta_session.so, with pam_unix.so's password")
        unavail = ("ok", "PAM_AUTHINFO_UNAVAIL from pam_okta_session.so lets the user in with "
                         "pam_unix.so's password")
        for name, verdict, ways in (
                ("sshd", "fail closed", ()), ("sudo", "fail closed", ()),
                ("sshd-break-glass", "break-glass group okta-breakglass:", (glass,)),
                ("sshd-fail-open", "fail open on authinfo_unavail:", (unavail,))):
            with self.subTest(name=name):
                self.assert_verdict(self.stack(name), EXIT_OK, "ok", verdict, ways)
        self.assertEqual(self.api_requests(), [], "--pam-stack sends nothing")

    def test_every_stack_in_the_documentation_passes(self):
        """Every auth stack with the module in README.md, SECURITY.md, the man
        pages and conf/pam.d, as written there, is judged ok."""
        found = {}
        for source, text in documented_stacks():
            found[source] = found.get(source, 0) + 1
            name = "doc-%d" % sum(found.values())
            with self.subTest(source=source, stack=text):
                r = self.run_tool("--pam-stack", self.stack(name, text), conf=False)
                self.assert_exit(r, EXIT_OK)
                self.assertTrue(all(l.startswith("ok pam-stack: ") for l in r.lines),
                                r.describe())
        for source in ("README.md", "SECURITY.md", "man/pam_okta_session.8", "conf/pam.d"):
            self.assertGreaterEqual(found.get(source, 0), 2 if source != "SECURITY.md" else 1,
                                    "stacks found: %r" % found)

    def test_issue_15_fail_open_stacks_refused(self):
        """Issue 15, finding 1: each stack was judged ok, `fail closed` or
        `fail open on authinfo_unavail`, while it lets a user in on another
        return code, or with no credential at all."""
        password = "from pam_okta_session.so let the user in with pam_unix.so's password"
        cases = (
            ("conv-err",
             "auth [success=done auth_err=die authinfo_unavail=die default=ignore] "
             "pam_okta_session.so\nauth required pam_unix.so\n",
             "fail open on PAM_SERVICE_ERR, PAM_SYSTEM_ERR, PAM_BUF_ERR, PAM_USER_UNKNOWN, "
             "PAM_CONV_ERR, PAM_IGNORE, PAM_MODULE_UNKNOWN (DANGEROUS)",
             [("FAIL", "PAM_SERVICE_ERR, PAM_SYSTEM_ERR, PAM_BUF_ERR, PAM_USER_UNKNOWN, "
                       "PAM_CONV_ERR, PAM_IGNORE, PAM_MODULE_UNKNOWN " + password)]),
            ("succeed-if",
             "auth [success=done authinfo_unavail=ignore default=die] pam_okta_session.so\n"
             "auth required pam_succeed_if.so uid >= 1000\n",
             "fail open on authinfo_unavail",
             [("FAIL", "PAM_AUTHINFO_UNAVAIL from pam_okta_session.so lets the user in with "
                       "no credential at all (said yes: pam_succeed_if.so uid >= 1000)")]),
            ("service-err",
             "auth [success=done authinfo_unavail=ignore service_err=ignore default=die] "
             "pam_okta_session.so\nauth required pam_unix.so\n",
             "fail open on PAM_SERVICE_ERR (DANGEROUS)",
             [("FAIL", "PAM_SERVICE_ERR from pam_okta_session.so lets the user in with "
                       "pam_unix.so's password"),
              ("ok", "PAM_AUTHINFO_UNAVAIL from pam_okta_session.so lets the user in with "
                     "pam_unix.so's password")]),
        )
        for name, text, verdict, ways in cases:
            with self.subTest(name=name):
                r = self.assert_verdict(self.stack(name, text), EXIT_CHECK_FAILED, "FAIL",
                                        verdict, ways)
                if name == "succeed-if":
                    self.assertIn("DANGEROUS", r.lines[0])

    def test_stacks_read_as_libpam_reads_them(self):
        """Review of T1 (SECURITY.md T1b): each stack was judged ok while
        libpam, reading the same file, lets a user in without Okta; from the
        file, through the tool, with its exit status."""
        refused = (
            # a typo'd type is a failing auth line that counts for the jump
            ("typo", "auth [success=ok default=1] pam_okta_session.so\n"
                     "acount required pam_access.so\nauth sufficient pam_permit.so\n"
                     "auth requisite pam_deny.so\n",
             EXIT_USAGE, "cannot analyse: service file line 2: type 'acount' not understood"),
            # libpam does not continue a line holding '#': pam_permit is read
            ("comment", "auth [success=done default=ignore] pam_okta_session.so # x \\\n"
                        "auth sufficient pam_permit.so\nauth requisite pam_deny.so\n",
             EXIT_CHECK_FAILED, "fail open on everything (DANGEROUS)"),
            # nullok: PAM_IGNORE, which required ignores, after preauth's yes
            ("nullok", "auth requisite pam_faillock.so preauth\n"
                       "auth [success=done authinfo_unavail=ignore default=die] "
                       "pam_okta_session.so\nauth required pam_google_authenticator.so nullok\n",
             EXIT_CHECK_FAILED, "fail open on authinfo_unavail"),
            # two calls of the module: a refused token, then Okta down
            ("twice", "auth [success=done auth_err=ignore default=die] pam_okta_session.so\n"
                      "auth [success=done authinfo_unavail=ignore default=die] "
                      "pam_okta_session.so\nauth required pam_unix.so\n",
             EXIT_CHECK_FAILED, "fail open on everything (DANGEROUS)"),
        )
        for name, text, code, verdict in refused:
            with self.subTest(name=name):
                r = self.assert_verdict(self.stack(name, text), code, "FAIL", verdict,
                                        ways=None)
                self.assertFalse(any(l.startswith("ok ") for l in r.lines[:1]), r.describe())

    def test_stacks_libpam_reads_otherwise_refused(self):
        """Stacks this host's libpam reads otherwise than they look: with
        pam_deny.so in the place of pam_okta_session.so (a refused token),
        libpam lets the user in, so the same stack with pam_okta_session.so
        must not be ok. A long comment whose rest is a line and a continued
        line that goes on past a blank or comment line (libpam before 1.6);
        a typo'd type that counts for a jump; the first default= of a
        control; a name in the wrong case; a path that names no file."""
        okta = "auth [success=done default=ignore] pam_okta_session.so\n"
        cases = (
            ("long-comment", okta + "# %s" % ("x" * 1021) + "auth sufficient pam_permit.so\n"
                             "auth requisite pam_deny.so\n"),
            ("blank-in-continued", okta + "auth optional pam_warn.so \\\n\n"
                                   "auth requisite pam_deny.so\nauth sufficient pam_permit.so\n"),
            ("comment-in-continued", okta + "auth optional pam_warn.so \\\n# note\n"
                                     "auth requisite pam_deny.so\n"
                                     "auth sufficient pam_permit.so\n"),
            ("typo", "auth [success=ok default=1] pam_okta_session.so\n"
                     "acount required pam_access.so\nauth sufficient pam_permit.so\n"
                     "auth requisite pam_deny.so\n"),
            ("first-default", "auth [success=ok default=ignore default=die] pam_okta_session.so\n"
                              "auth required pam_permit.so\n"),
            ("case", "auth [SUCCESS=1 default=die] pam_okta_session.so\n"
                     "auth [default=reset] pam_permit.so\nauth required pam_permit.so\n"),
            ("no-file", okta + "auth [auth_err=die default=ignore] /nonexistent/security/pam_deny.so\n"
                        "auth required pam_permit.so\n"),
        )
        # Linux-PAM 1.6 reads lines of any length and ends a continued line
        # at a blank or comment line: there the first three stacks read as
        # they look (the tool still refuses them: the same file may be read
        # by an older libpam, RHEL 8 and 9, Debian 12).
        read_as_they_look = ("long-comment", "blank-in-continued", "comment-in-continued")
        new_libpam = libpam_version() >= (1, 6)
        for name, text in cases:
            with self.subTest(name=name):
                self.stack(name + "-libpam", text.replace("pam_okta_session.so", "pam_deny.so"))
                run = subprocess.run([ph.DRIVER, "--confdir", self.pam_dir, "--service",
                                      name + "-libpam", "--user", "root", "--steps", "auth"],
                                     input=b"", capture_output=True, timeout=60)
                expected = (b"step auth PAM_AUTH_ERR" if new_libpam and name in read_as_they_look
                            else b"step auth PAM_SUCCESS")
                self.assertIn(expected, run.stdout,
                              "libpam %s does not read it so: %r" % (libpam_version(), run.stdout))
                r = self.run_tool("--pam-stack", self.stack(name, text), conf=False)
                self.assertNotEqual(r.rc, EXIT_OK, r.describe())
                self.assertTrue(r.lines and r.lines[0].startswith("FAIL pam-stack: "),
                                r.describe())

    def test_random_stacks_agree_with_libpam(self):
        """Differential against this host's libpam: 400 random stacks
        (simple and [value=action] controls, jumps, reset, a substack, an
        include) of pam_permit, pam_deny and pam_faildelay around
        pam_okta_session.so, whose other lines are thus all known. With
        pam_deny.so, pam_faildelay.so or a missing module in the module's
        place (PAM_AUTH_ERR, PAM_IGNORE, PAM_MODULE_UNKNOWN), libpam lets
        the user in exactly when the tool names that code as a way in (or a
        way that skips the module); with pam_permit.so, not at all when the
        tool says no login succeeds. (Includes are absolute: libpam before
        1.6 does not look for them in --confdir.)"""
        rnd = random.Random(15)
        mods = ("pam_permit.so", "pam_deny.so", "pam_faildelay.so")
        stand_ins = (("PAM_AUTH_ERR", "pam_deny.so"), ("PAM_IGNORE", "pam_faildelay.so"),
                     ("PAM_MODULE_UNKNOWN", "pam_nonexistent.so"))
        values = ("success", "auth_err", "ignore", "module_unknown", "default")
        actions = ("ok", "done", "bad", "die", "ignore", "reset", "1", "2", "3")

        def control():
            if rnd.random() < 0.4:
                return rnd.choice(("required", "requisite", "sufficient", "optional"))
            return "[%s]" % " ".join("%s=%s" % (v, rnd.choice(actions))
                                     for v in rnd.sample(values, rnd.randint(1, 4)))

        def lines(count, nested):
            out = ["auth %s %s" % (control(), rnd.choice(mods)) for _ in range(count)]
            if nested:
                out.insert(rnd.randint(0, len(out)), "auth substack %s/sub" % self.pam_dir)
                if rnd.random() < 0.3:
                    out.insert(rnd.randint(0, len(out)), "auth include %s/inc" % self.pam_dir)
            return out

        def logs_in(text, module):
            self.stack("real", text.replace("pam_okta_session.so", module))
            run = subprocess.run([ph.DRIVER, "--confdir", self.pam_dir, "--service", "real",
                                  "--user", "root", "--steps", "auth"],
                                 input=b"", capture_output=True, timeout=60)
            return b"step auth PAM_SUCCESS" in run.stdout

        for n in range(400):
            main = lines(rnd.randint(0, 4), True)
            main.insert(rnd.randint(0, len(main)), "auth %s pam_okta_session.so" % control())
            self.stack("sub", "\n".join(lines(rnd.randint(1, 3), False)) + "\n")
            self.stack("inc", "\n".join(lines(rnd.randint(1, 2), False)) + "\n")
            text = "\n".join(main) + "\n"
            r = self.run_tool("--pam-stack", self.stack("svc", text), conf=False)
            self.assertIn(r.rc, (EXIT_OK, EXIT_CHECK_FAILED), r.describe())
            ways = r.lines[1:]
            skipped = any("without running pam_okta_session.so" in w for w in ways)
            for code, module in stand_ins:
                named = skipped or any(re.search(r"\b%s\b.* from pam_okta_session" % code, w)
                                       for w in ways)
                self.assertEqual(logs_in(text, module), named,
                                 "stack %d, %s in the module's place (%s): libpam and the "
                                 "tool disagree\n%s%s" % (n, module, code, text, r.describe()))
            if "no login succeeds" in r.lines[0]:
                self.assertFalse(logs_in(text, "pam_permit.so"), "stack %d\n%s%s"
                                 % (n, text, r.describe()))

    def test_text_of_the_file_cannot_forge_a_line(self):
        """A word of the file reaches the report (a module's arguments, a
        type not understood): a CR or an escape sequence in it must not
        print over the FAIL, nor make a reader that splits at CR (Python's
        splitlines) see an ok line the tool did not write."""
        forged = "\rok pam-stack: %s/x: fail closed\x1b]0;title\x07" % self.pam_dir
        for name, text in (
                ("args", "auth [success=done default=ignore] pam_okta_session.so\n"
                         "auth sufficient pam_permit.so %s\n" % forged),
                ("type", "auth required pam_okta_session.so\nauth%s required pam_deny.so\n"
                         % forged)):
            with self.subTest(name=name):
                r = self.run_tool("--pam-stack", self.stack(name, text), conf=False)
                self.assertNotEqual(r.rc, EXIT_OK, r.describe())
                self.assertNotIn("\r", r.stdout)
                self.assertNotIn("\x1b", r.stdout)
                self.assertFalse(any(l.startswith("ok ") for l in r.stdout.splitlines()),
                                 r.describe())

    def test_dangerous_stacks(self):
        cases = {
            "optional": "auth optional pam_okta_session.so\n@include common-auth\n",
            "sufficient": "auth sufficient pam_okta_session.so\nauth required pam_unix.so\n",
            "default-ignore": "auth [success=done default=ignore] pam_okta_session.so\n"
                              "auth required pam_unix.so\n",
            "auth_err-ignored": "auth [success=done auth_err=ignore default=die] "
                                "pam_okta_session.so\nauth required pam_unix.so\n",
        }
        for name, text in cases.items():
            with self.subTest(name=name):
                r = self.assert_verdict(self.stack(name, text), EXIT_CHECK_FAILED, "FAIL",
                                        "fail open on everything (DANGEROUS)", ways=None)
                self.assertTrue(any(l.startswith("FAIL pam-stack: ") and "PAM_AUTH_ERR" in l
                                    and "the user in with pam_unix.so's password" in l
                                    for l in r.lines[1:]), r.describe())

    def test_bypass_without_credential_fails(self):
        path = self.stack("glass-no-password",
                          "auth sufficient pam_succeed_if.so user ingroup wheel\n"
                          "auth required pam_okta_session.so\n")
        r = self.assert_verdict(path, EXIT_CHECK_FAILED, "FAIL", "break-glass group wheel",
                                [("FAIL", "the stack lets members of wheel in without running "
                                          "pam_okta_session.so, with no credential at all")])
        self.assertIn("DANGEROUS", r.lines[0])

    def test_module_not_in_auth_stack(self):
        # Debian's own common-auth: pam_unix only
        path = self.stack("plain", "@include common-auth\n"
                                   "session required pam_okta_session.so\n")
        self.assert_verdict(path, EXIT_CHECK_FAILED, "FAIL", "module not in auth stack")

    def test_unreadable_or_unparsable(self):
        r = self.run_tool("--pam-stack", os.path.join(self.pam_dir, "missing"), conf=False)
        self.assert_exit(r, EXIT_USAGE)
        self.assert_line(r, "FAIL", "pam-stack", "cannot read")
        for name, text, why in (("loop", "@include loop\n", "deeper than 8"),
                                ("noinclude", "@include nowhere\n", "cannot include 'nowhere'"),
                                ("badcontrol", "auth [succes=ok] pam_okta_session.so\n",
                                 "line 1: control '[succes=ok]' not understood")):
            with self.subTest(name=name):
                self.assert_verdict(self.stack(name, text), EXIT_USAGE, "FAIL", "cannot analyse")
                r = self.run_tool("--pam-stack", os.path.join(self.pam_dir, name), conf=False)
                self.assertIn(why, r.stdout)

    def test_pam_stack_goes_alone(self):
        r = self.run_tool("--pam-stack", self.stack("sshd"), "--session-token-stdin", "--user",
                          USER, stdin=b"tok")
        self.assert_exit(r, EXIT_USAGE)
        self.assertEqual(r.stdout, "")


if __name__ == "__main__":
    taprunner.main()
