#!/usr/bin/env python3
"""End to end: Debian's real sshd + real ssh client + pam_okta_session.so + the simulator.

sshd listens on 127.0.0.1 (two free high ports) inside a private mount
namespace (tests/lib/e2elib.py): its /etc/pam.d/sshd, the test user and
/run/sshd exist only there.  Port A asks for an Okta session token only
(keyboard-interactive); port B requires `publickey,keyboard-interactive`.
The client logs in as the test user through a pseudo-terminal, answering the
`Okta session token:` prompt.

Run: python3 tests/e2e/test_sshd.py [name-substring...]   (as root)
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import e2elib  # noqa: E402
import pamharness as ph  # noqa: E402
import taprunner  # noqa: E402
from simlib import Simulator, closed_port  # noqa: E402

USER, LOGIN, OTHER_LOGIN = "alice", "alice@example.com", "bob@example.com"
TIMEOUT = 2            # the module's `timeout` (seconds)
SSHD_LIFETIME = 600    # sshd is killed after this many seconds whatever happens
CREATE = ("POST", "/api/v1/sessions")
REMOTE = 'echo "e2e-remote user=$(id -un) sid=${OKTA_SESSION_ID-} uid=${OKTA_USER_ID-}"'
REMOTE_RE = re.compile(r"e2e-remote user=(\S*) sid=(\S*) uid=(\S*)")

SIM = BOX = SSHD = None


def refresh(sid):
    return ("POST", "/api/v1/sessions/%s/lifecycle/refresh" % sid)


class Sshd:
    """sshd -D in the sandbox, port_token (token only) and port_key (key, then token)."""

    def __init__(self, box, alice):
        self.box = box
        self.dir = os.path.join(box.dir, "sshd")
        os.makedirs(self.dir)
        self.host_key = os.path.join(self.dir, "ssh_host_ed25519_key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "okta-e2e-host",
                        "-f", self.host_key], check=True)
        self.client_key = os.path.join(alice.home, ".ssh", "id_ed25519")
        box.user_file(alice, ".ssh/.keep", "")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "okta-e2e-client",
                        "-f", self.client_key], check=True)
        for path in (self.client_key, self.client_key + ".pub"):
            os.chown(path, alice.uid, alice.gid)
        with open(self.client_key + ".pub") as f:
            box.user_file(alice, ".ssh/authorized_keys", f.read())
        self.port_token, self.port_key = closed_port(), closed_port()
        while self.port_key == self.port_token:
            self.port_key = closed_port()
        self.config = os.path.join(self.dir, "sshd_config")
        with open(self.config, "w") as f:
            f.write(self.config_text(alice.name))
        self.stderr_path = os.path.join(self.dir, "sshd.stderr")
        self.proc = None

    def config_text(self, user):
        return "\n".join([
            "ListenAddress 127.0.0.1:%d" % self.port_token,
            "ListenAddress 127.0.0.1:%d" % self.port_key,
            "HostKey " + self.host_key,
            "PidFile none",
            "UsePAM yes",
            "KbdInteractiveAuthentication yes",
            "PasswordAuthentication no",
            "PubkeyAuthentication yes",
            "AuthenticationMethods keyboard-interactive",
            "AllowUsers " + user,
            "PermitRootLogin no",
            "UseDNS no",
            "PrintMotd no",
            "PrintLastLog no",
            "LoginGraceTime 60",
            "MaxAuthTries 6",
            "LogLevel VERBOSE",
            "Match LocalPort %d" % self.port_key,
            "    AuthenticationMethods publickey,keyboard-interactive",
            ""])

    def start(self):
        check = self.box.run(["/usr/sbin/sshd", "-t", "-f", self.config])
        if check.returncode != 0:
            raise RuntimeError("sshd -t: %s" % check.stderr.decode(errors="replace"))
        with open(self.stderr_path, "wb") as err:
            self.proc = self.box.start(["timeout", "-k", "5", str(SSHD_LIFETIME),
                                        "/usr/sbin/sshd", "-D", "-e", "-f", self.config],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=err)
        deadline = time.monotonic() + 15
        for port in (self.port_token, self.port_key):
            while not self._listening(port):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("sshd did not start:\n" + self.stderr()[-4000:])
                time.sleep(0.05)

    @staticmethod
    def _listening(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()   # `timeout` passes SIGTERM on to sshd
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def stderr(self, since=0):
        """sshd's own log (it runs with -e) from byte offset `since`."""
        try:
            with open(self.stderr_path, "rb") as f:
                f.seek(since)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stderr_size(self):
        return os.path.getsize(self.stderr_path)

    def client_argv(self, port, methods, key):
        argv = ["ssh", "-F", "/dev/null", "-p", str(port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=10", "-o", "NumberOfPasswordPrompts=1",
                "-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=yes",
                "-o", "PreferredAuthentications=" + methods]
        if key:
            argv += ["-o", "PubkeyAuthentication=yes", "-o", "IdentitiesOnly=yes",
                     "-i", self.client_key]
        else:
            argv += ["-o", "PubkeyAuthentication=no"]
        return argv + ["%s@127.0.0.1" % USER, REMOTE]


def setUpModule():
    global SIM, BOX, SSHD
    e2elib.require_root_and_programs("sshd", "ssh", "ssh-keygen", "setpriv", "timeout")
    SIM = Simulator()
    SIM.start()
    BOX = e2elib.Sandbox()
    alice = BOX.add_user(USER)
    SSHD = Sshd(BOX, alice)
    BOX.write_pam_service("sshd", BOX.okta_stack(conf_path()))
    SSHD.start()


def tearDownModule():
    if SSHD is not None:
        SSHD.stop()
    if BOX is not None:
        BOX.close()
    if SIM is not None:
        SIM.stop()


def conf_path():
    return os.path.join(BOX.dir, "okta.conf")


def write_conf(**overrides):
    keys = {"org_url": SIM.org_url, "api_token": SIM.api_token, "ca_file": SIM.ca_file,
            "login_suffix": "@example.com", "timeout": TIMEOUT}
    keys.update(overrides)
    ph.write_conf(conf_path(), **keys)


class SshdTestCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        SIM.reset()
        write_conf()
        BOX.sink.clear()
        self.sshd_offset = SSHD.stderr_size()

    # -- running the client ----------------------------------------------------------
    def ssh(self, token=None, port=None, methods="keyboard-interactive", key=False):
        """Log in as the test user; answer the token prompt with `token` (None: no answer)."""
        answers = [] if token is None else [(e2elib.TOKEN_PROMPT, token.encode())]
        self.last = BOX.run_pty(SSHD.client_argv(port or SSHD.port_token, methods, key),
                                user=USER, answers=answers, timeout=60)
        return self.last

    def describe(self, res=None):
        res = res or self.last
        return "%s\n--- simulator requests\n%s\n--- syslog\n%s\n--- sshd's log\n%s" % (
            res.describe(), self.api_requests(), "\n".join(BOX.log_lines()), self.sshd_log())

    def sshd_log(self):
        """What sshd logged during this test."""
        return SSHD.stderr(self.sshd_offset)

    # -- simulator views ------------------------------------------------------------------
    @staticmethod
    def api_requests():
        return [(q["method"], q["path"]) for q in SIM.requests()]

    # -- assertions ----------------------------------------------------------------------------
    def assert_logged_in(self, res, minted):
        """The remote command ran as the user with the session the simulator
        created; the simulator saw create and refresh on one connection (the
        auth process) and the session-open refresh on another (the session
        process)."""
        self.assertEqual(res.status, 0, self.describe(res))
        m = REMOTE_RE.search(res.text)
        self.assertIsNotNone(m, self.describe(res))
        user, sid, okta_user_id = m.groups()
        self.assertEqual(user, USER)
        reqs = SIM.requests()
        self.assertEqual(reqs[0]["status"], 200, self.describe(res))
        created = json.loads(reqs[0]["response_body"])
        self.assertEqual(sid, created["id"], "the shell's OKTA_SESSION_ID is the created session")
        self.assertEqual(okta_user_id, minted["userId"])
        self.assertEqual(self.api_requests(), [CREATE, refresh(sid), refresh(sid)],
                         self.describe(res))
        self.assertTrue(all(q["status"] == 200 for q in reqs), self.describe(res))
        self.assertEqual(reqs[0]["conn"], reqs[1]["conn"], "auth: create+refresh, one connection")
        self.assertNotEqual(reqs[1]["conn"], reqs[2]["conn"],
                            "session open ran in another sshd process, so another connection")
        self.assertEqual(SIM.session(sid)["refresh_count"], 2)
        self.assert_logged("Okta session established for '%s'" % USER)
        self.assertEqual(BOX.module_complaints(), [], "the module logged no problem")
        return sid

    def assert_refused(self, res, within=TIMEOUT + 1.0):
        """No remote command ran; the refusal came within `within` seconds of the answer."""
        self.assertNotEqual(res.status, 0, self.describe(res))
        self.assertIsNone(REMOTE_RE.search(res.text), self.describe(res))
        self.assertIn("Permission denied", res.text, self.describe(res))
        if res.answered:
            took = res.since_last_answer()
            sys.stdout.write("# %s: refused %.3fs after the token was sent (timeout %ds)\n"
                             % (self.id().split(".")[-1], took, TIMEOUT))
            self.assertLess(took, within, self.describe(res))
            return took
        return None

    def assert_logged(self, *needles):
        for line in BOX.log_lines():
            if all(n in line for n in needles):
                return line
        self.fail("no syslog line contains all of %r\n%s" % (needles, self.describe()))


class TestTokenLogin(SshdTestCase):
    """Port A: AuthenticationMethods keyboard-interactive (token only)."""

    def test_valid_token_logs_in(self):
        minted = SIM.mint_full(LOGIN)
        res = self.ssh(minted["sessionToken"])
        self.assertEqual(len(res.answered), 1, "exactly one token prompt\n" + self.describe(res))
        self.assert_logged_in(res, minted)

    def test_bad_token_refused(self):
        self.assert_refused(self.ssh("20111not-a-real-session-token"))
        self.assertEqual(self.api_requests(), [CREATE])
        self.assertEqual(SIM.requests()[0]["status"], 401)
        self.assert_logged("createSession", "401", "E0000004")

    def test_used_token_refused(self):
        minted = SIM.mint_full(LOGIN)
        self.assert_logged_in(self.ssh(minted["sessionToken"]), minted)
        SIM.reset()
        self.assert_refused(self.ssh(minted["sessionToken"]))
        self.assertEqual(self.api_requests(), [CREATE])
        self.assertEqual(SIM.requests()[0]["status"], 401)

    def test_other_users_token_refused(self):
        self.assert_refused(self.ssh(SIM.mint(OTHER_LOGIN)))
        reqs = SIM.requests()
        sid = json.loads(reqs[0]["response_body"])["id"]
        self.assertEqual(self.api_requests(), [CREATE, ("DELETE", "/api/v1/sessions/" + sid)],
                         "the other user's session is created, refused and revoked")
        self.assertTrue(SIM.session(sid)["revoked"])
        self.assert_logged("Okta login '%s' tried to log in as user '%s'" % (OTHER_LOGIN, USER))

    def test_okta_unreachable_refused(self):
        write_conf(org_url="https://127.0.0.1:%d" % closed_port())
        self.assert_refused(self.ssh(SIM.mint(LOGIN)))
        self.assertEqual(self.api_requests(), [])
        self.assert_logged("createSession")

    def test_okta_hanging_refused_at_timeout(self):
        SIM.fault("create", "delay", seconds=TIMEOUT + 10)
        took = self.assert_refused(self.ssh(SIM.mint(LOGIN)))
        self.assertGreaterEqual(took, TIMEOUT - 0.1,
                                "refused before the deadline: was the delay in effect?")
        self.assertEqual(self.api_requests(), [CREATE])
        self.assertIsNone(SIM.requests()[0]["status"], "no answer was ever sent")
        self.assert_logged("createSession")

    def test_empty_answer_refused_without_request(self):
        self.assert_refused(self.ssh(""))
        self.assertEqual(self.api_requests(), [])


class TestKeyThenToken(SshdTestCase):
    """Port B: AuthenticationMethods publickey,keyboard-interactive."""

    def test_key_then_token_logs_in(self):
        minted = SIM.mint_full(LOGIN)
        res = self.ssh(minted["sessionToken"], SSHD.port_key,
                       "publickey,keyboard-interactive", key=True)
        self.assertEqual(len(res.answered), 1, self.describe(res))
        self.assert_logged_in(res, minted)
        self.assertIn("Partial publickey for %s" % USER, self.sshd_log())
        self.assertIn("Accepted keyboard-interactive/pam for %s" % USER, self.sshd_log())

    def test_key_then_bad_token_refused(self):
        self.assert_refused(self.ssh("20111not-a-real-session-token", SSHD.port_key,
                                     "publickey,keyboard-interactive", key=True))
        self.assertEqual(self.api_requests(), [CREATE])

    def test_key_alone_is_not_enough(self):
        res = self.ssh(None, SSHD.port_key, "publickey", key=True)
        self.assert_refused(res)
        self.assertNotRegex(res.text, e2elib.TOKEN_PROMPT.decode())
        self.assertIn("Partial publickey for %s" % USER, self.sshd_log(),
                      "the key was accepted, but it is not enough")
        self.assertEqual(self.api_requests(), [])

    def test_token_alone_is_not_enough(self):
        res = self.ssh(SIM.mint(LOGIN), SSHD.port_key, "keyboard-interactive")
        self.assert_refused(res)
        self.assertEqual(res.answered, [], "no token prompt before the key")
        self.assertEqual(self.api_requests(), [])


if __name__ == "__main__":
    taprunner.main()
