#!/usr/bin/env python3
"""End to end: the real su (util-linux) with pam_okta_session.so in /etc/pam.d/su.

Inside a private mount namespace (tests/lib/e2elib.py) two test users exist;
bob runs `su - alice` on a pseudo-terminal (su reads the answer from the
terminal) and answers the `Okta session token:` prompt with alice's token.

Run: python3 tests/e2e/test_su.py [name-substring...]   (as root)
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

TARGET, CALLER = "alice", "bob"
LOGIN = "alice@example.com"
CREATE = ("POST", "/api/v1/sessions")
REMOTE = 'echo "e2e-su user=$(id -un) sid=${OKTA_SESSION_ID-}"'
RESULT_RE = re.compile(r"e2e-su user=(\S*) sid=(\S*)")

SIM = BOX = None


def refresh(sid):
    return ("POST", "/api/v1/sessions/%s/lifecycle/refresh" % sid)


def setUpModule():
    global SIM, BOX
    e2elib.require_root_and_programs("su", "setpriv")
    SIM = Simulator()
    SIM.start()
    BOX = e2elib.Sandbox()
    BOX.add_user(TARGET)
    BOX.add_user(CALLER)
    conf = os.path.join(BOX.dir, "okta.conf")
    ph.write_conf(conf, org_url=SIM.org_url, api_token=SIM.api_token, ca_file=SIM.ca_file,
                  login_suffix="@example.com", timeout=3)
    # `su -` uses the su-l service on Debian, plain `su` the su service
    for service in ("su", "su-l"):
        BOX.write_pam_service(service, BOX.okta_stack(conf))


def tearDownModule():
    if BOX is not None:
        BOX.close()
    if SIM is not None:
        SIM.stop()


class TestSu(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        SIM.reset()
        BOX.sink.clear()

    def su(self, token):
        self.last = BOX.run_pty(["su", "-", TARGET, "-c", REMOTE], user=CALLER,
                                answers=[(e2elib.TOKEN_PROMPT, token.encode())])
        return self.last

    def describe(self):
        return "%s\n--- requests\n%s\n--- syslog\n%s" % (
            self.last.describe(),
            [(q["method"], q["path"], q["status"], q["conn"]) for q in SIM.requests()],
            "\n".join(BOX.log_lines()))

    def assert_logged(self, *needles):
        for line in BOX.log_lines():
            if all(n in line for n in needles):
                return line
        self.fail("no syslog line contains all of %r\n%s" % (needles, self.describe()))

    def test_valid_token_switches_user(self):
        res = self.su(SIM.mint(LOGIN))
        self.assertEqual(res.status, 0, self.describe())
        self.assertEqual(len(res.answered), 1, self.describe())
        m = RESULT_RE.search(res.text)
        self.assertIsNotNone(m, self.describe())
        reqs = SIM.requests()
        sid = json.loads(reqs[0]["response_body"])["id"]
        self.assertEqual(m.groups(), (TARGET, sid),
                         "the shell runs as the target with the created session's id")
        self.assertEqual([(q["method"], q["path"]) for q in reqs],
                         [CREATE, refresh(sid), refresh(sid)], self.describe())
        self.assertTrue(all(q["status"] == 200 for q in reqs), self.describe())
        self.assertEqual({q["conn"] for q in reqs}, {reqs[0]["conn"]},
                         "auth and session in one su process: one connection")
        self.assert_logged("su", "Okta session established for '%s'" % TARGET)
        self.assertEqual(BOX.module_complaints(), [], "the module logged no problem")

    def test_bad_token_refused(self):
        res = self.su("20111not-a-real-session-token")
        self.assertNotEqual(res.status, 0, self.describe())
        self.assertIsNone(RESULT_RE.search(res.text), "no shell ran\n" + self.describe())
        self.assertIn("Authentication failure", res.text, self.describe())
        self.assertEqual([(q["method"], q["path"], q["status"]) for q in SIM.requests()],
                         [CREATE + (401,)], self.describe())
        self.assert_logged("su", "createSession", "E0000004")

    def test_other_users_token_refused(self):
        res = self.su(SIM.mint("bob@example.com"))
        self.assertNotEqual(res.status, 0, self.describe())
        self.assertIsNone(RESULT_RE.search(res.text), "no shell ran\n" + self.describe())
        self.assert_logged("Okta login 'bob@example.com' tried to log in as user '%s'" % TARGET)


if __name__ == "__main__":
    taprunner.main()
