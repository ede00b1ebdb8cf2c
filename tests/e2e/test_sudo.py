#!/usr/bin/env python3
"""End to end: the real sudo with pam_okta_session.so in /etc/pam.d/sudo.

Inside a private mount namespace (tests/lib/e2elib.py) the test user exists,
/etc/pam.d/sudo asks for an Okta session token, and /etc/sudoers lets the user
run anything as root.  The user runs `sudo -S` with the token on stdin.

Run: python3 tests/e2e/test_sudo.py [name-substring...]   (as root)
"""

import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import e2elib  # noqa: E402
import pamharness as ph  # noqa: E402
import taprunner  # noqa: E402
from simlib import Simulator  # noqa: E402

USER, LOGIN = "alice", "alice@example.com"
CREATE = ("POST", "/api/v1/sessions")
COMMAND = ["sh", "-c", 'echo "e2e-sudo uid=$(id -u)"']
RESULT_RE = re.compile(r"^e2e-sudo uid=(\d+)$", re.M)

SIM = BOX = None


def refresh(sid):
    return ("POST", "/api/v1/sessions/%s/lifecycle/refresh" % sid)


def setUpModule():
    global SIM, BOX
    e2elib.require_root_and_programs("sudo", "setpriv")
    SIM = Simulator()
    SIM.start()
    BOX = e2elib.Sandbox()
    BOX.add_user(USER)
    conf = os.path.join(BOX.dir, "okta.conf")
    ph.write_conf(conf, org_url=SIM.org_url, api_token=SIM.api_token, ca_file=SIM.ca_file,
                  login_suffix="@example.com", timeout=3)
    BOX.write_pam_service("sudo", BOX.okta_stack(conf))
    BOX.write_sudoers("%s ALL=(ALL:ALL) ALL" % USER)


def tearDownModule():
    if BOX is not None:
        BOX.close()
    if SIM is not None:
        SIM.stop()


class TestSudo(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        SIM.reset()
        BOX.sink.clear()

    def sudo(self, token):
        self.last = BOX.run(["sudo", "-S", "--"] + COMMAND, user=USER,
                            input=token.encode() + b"\n")
        return self.last

    def describe(self):
        return "sudo exit %d\n--- stdout\n%s--- stderr\n%s--- requests\n%s\n--- syslog\n%s" % (
            self.last.returncode, self.last.stdout.decode(errors="replace"),
            self.last.stderr.decode(errors="replace"),
            [(q["method"], q["path"], q["status"], q["conn"]) for q in SIM.requests()],
            "\n".join(BOX.log_lines()))

    def assert_logged(self, *needles):
        for line in BOX.log_lines():
            if all(n in line for n in needles):
                return line
        self.fail("no syslog line contains all of %r\n%s" % (needles, self.describe()))

    def test_valid_token_runs_command_as_root(self):
        proc = self.sudo(SIM.mint(LOGIN))
        self.assertEqual(proc.returncode, 0, self.describe())
        self.assertEqual(RESULT_RE.findall(proc.stdout.decode()), ["0"], self.describe())
        self.assertIn(b"Okta session token:", proc.stderr, "sudo showed the module's prompt")
        reqs = SIM.requests()
        sid = json.loads(reqs[0]["response_body"])["id"]
        self.assertEqual([(q["method"], q["path"]) for q in reqs],
                         [CREATE, refresh(sid), refresh(sid)], self.describe())
        self.assertTrue(all(q["status"] == 200 for q in reqs), self.describe())
        self.assertEqual({q["conn"] for q in reqs}, {reqs[0]["conn"]},
                         "auth and session ran in one sudo process: one connection\n"
                         + self.describe())
        self.assertEqual(len(SIM.connections()), 1, "one TLS handshake")
        self.assertEqual(SIM.session(sid)["refresh_count"], 2)
        self.assert_logged("sudo", "Okta session established for '%s'" % USER)
        self.assertEqual(BOX.module_complaints(), [], "the module logged no problem")

    def test_bad_token_refused(self):
        proc = self.sudo("20111not-a-real-session-token")
        self.assertNotEqual(proc.returncode, 0, self.describe())
        self.assertEqual(RESULT_RE.findall(proc.stdout.decode()), [], "the command did not run")
        self.assertIn(b"incorrect password attempt", proc.stderr, self.describe())
        self.assertEqual([(q["method"], q["path"], q["status"]) for q in SIM.requests()],
                         [CREATE + (401,)], self.describe())
        self.assert_logged("sudo", "createSession", "E0000004")


if __name__ == "__main__":
    taprunner.main()
