#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End to end: the real su (util-linux) with pam_okta_session.so in /etc/pam.d/su.

Inside a private mount namespace (tests/lib/e2elib.py) two test users exist;
bob runs `su - alice` on a pseudo-terminal (su reads the answer from the
terminal) and answers the `Okta session token:` prompt with alice's token.

Run: python3 tests/e2e/test_su.py [name-substring...]   (as root)
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import e2elib  # noqa: E402
import taprunner  # noqa: E402

TARGET, CALLER = "alice", "bob"
LOGIN = "alice@example.com"
SHELL_COMMAND = 'echo "e2e-su user=$(id -un) sid=${OKTA_SESSION_ID-}"'
RESULT_RE = re.compile(r"e2e-su user=(\S*) sid=(\S*)")


def setUpModule():
    e2elib.require_root_and_programs("su", "setpriv")
    # `su -` uses the su-l service on Debian, plain `su` the su service
    e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box = e2elib.start_world(
        [TARGET, CALLER], ["su", "su-l"])


def tearDownModule():
    e2elib.stop_world(e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box)


class TestSu(e2elib.E2ETestCase):
    def su(self, token):
        self.last = self.box.run_pty(["su", "-", TARGET, "-c", SHELL_COMMAND], user=CALLER,
                                     answers=[(e2elib.TOKEN_PROMPT, token.encode())])
        return self.last

    def assert_refused(self, res):
        self.assertNotEqual(res.status, 0, self.describe())
        self.assertIsNone(RESULT_RE.search(res.text), "no shell ran\n" + self.describe())
        self.assertIn("Authentication failure", res.text, self.describe())

    def test_valid_token_switches_user(self):
        res = self.su(self.sim.mint(LOGIN))
        self.assertEqual(res.status, 0, self.describe())
        self.assertEqual(len(res.answered), 1, self.describe())
        m = RESULT_RE.search(res.text)
        self.assertIsNotNone(m, self.describe())
        sid = self.assert_workflow(TARGET, session_in_same_process=True)
        self.assertEqual(m.groups(), (TARGET, sid),
                         "the shell runs as the target with the created session's id")

    def test_bad_token_refused(self):
        self.assert_refused(self.su("20111not-a-real-session-token"))
        self.assert_only_create(401)
        self.assert_logged("su", "createSession", "E0000004")

    def test_other_users_token_refused(self):
        self.assert_refused(self.su(self.sim.mint("bob@example.com")))
        self.assert_logged("Okta login 'bob@example.com' tried to log in as user '%s'" % TARGET)


if __name__ == "__main__":
    taprunner.main()
