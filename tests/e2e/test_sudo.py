#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End to end: the real sudo with pam_okta_session.so in /etc/pam.d/sudo.

Inside a private mount namespace (tests/lib/e2elib.py) the test user exists,
/etc/pam.d/sudo asks for an Okta session token, and /etc/sudoers lets the user
run anything as root.  The user runs `sudo -S` with the token on stdin.

Run: python3 tests/e2e/test_sudo.py [name-substring...]   (as root)
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import e2elib  # noqa: E402
import taprunner  # noqa: E402

USER, LOGIN = "alice", "alice@example.com"
COMMAND = ["sh", "-c", 'echo "e2e-sudo uid=$(id -u)"']
RESULT_RE = re.compile(r"^e2e-sudo uid=(\d+)$", re.M)


def setUpModule():
    e2elib.require_root_and_programs("sudo", "setpriv")
    e2elib.E2ETestCase.sim, box = e2elib.start_world([USER], ["sudo"])
    e2elib.E2ETestCase.box = box
    box.write_sudoers("%s ALL=(ALL:ALL) ALL" % USER)


def tearDownModule():
    e2elib.stop_world(e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box)


class SudoResult:
    def __init__(self, proc):
        self.proc = proc
        self.stdout = proc.stdout.decode("utf-8", "replace")
        self.stderr = proc.stderr.decode("utf-8", "replace")

    def describe(self):
        return "sudo exit %d\n--- stdout\n%s--- stderr\n%s" % (
            self.proc.returncode, self.stdout, self.stderr)


class TestSudo(e2elib.E2ETestCase):
    def sudo(self, token):
        proc = self.box.run(["sudo", "-S", "--"] + COMMAND, user=USER,
                            input=token.encode() + b"\n")
        self.last = SudoResult(proc)
        return self.last

    def test_valid_token_runs_command_as_root(self):
        res = self.sudo(self.sim.mint(LOGIN))
        self.assertEqual(res.proc.returncode, 0, self.describe())
        self.assertEqual(RESULT_RE.findall(res.stdout), ["0"], self.describe())
        self.assertIn("Okta session token:", res.stderr, "sudo showed the module's prompt")
        # auth, then the session hook with PAM_USER=root: one process, one connection
        self.assert_workflow(USER, session_in_same_process=True)

    def test_bad_token_refused(self):
        res = self.sudo("20111not-a-real-session-token")
        self.assertNotEqual(res.proc.returncode, 0, self.describe())
        self.assertEqual(RESULT_RE.findall(res.stdout), [], "the command did not run")
        self.assertIn("incorrect password attempt", res.stderr, self.describe())
        self.assert_only_create(401)
        self.assert_logged("sudo", "createSession", "E0000004")


if __name__ == "__main__":
    taprunner.main()
