#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End to end: the PAM-side trust boundaries (issue 9) on the real sudo, su
and sshd, in the sandbox of tests/lib/e2elib.py.

- `sudo -u svc` and `sudo` to root: the command's environment holds no
  OKTA_* (sudo merges the PAM environment into it), while the session is
  still refreshed at open; with `Defaults !pam_session` too. (`sudo -u alice`
  by alice asks for no authentication at all.)
- su authenticates the target account itself: `su - alice` answered with
  alice's token gives alice's shell alice's own session id.
- sshd with `revoke_on_close = yes` and `pam_env.so user_readenv=1` after the
  module's session line (Debian's stock order): a ~/.pam_environment naming
  another user's live session id does not get that session revoked; the
  user's own is.
- login(1) retries with another user on one PAM handle: alice's token passes
  but her password does not; mallory then logs in with her own password (the
  module is `optional`): mallory's shell gets no trace of alice's session,
  which is revoked.

Run: python3 tests/e2e/test_trust.py [name-substring...]   (as root)
"""

import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import e2elib  # noqa: E402
import pamharness  # noqa: E402
import taprunner  # noqa: E402
import test_sshd  # noqa: E402  (its Sshd class)
import test_sudo  # noqa: E402  (its SudoResult class)

USER, LOGIN = "alice", "alice@example.com"
SERVICE_USER, CALLER, INTRUDER = "svc", "bob", "mallory"
INTRUDER_PASSWORD = "correct-horse-e2e"
OTHER_LOGIN = "bob@example.com"
TIMEOUT = 3
SHOW_ENV = 'echo "e2e-trust uid=$(id -u) okta=[$(env | grep ^OKTA_ | sort | tr "\\n" " ")]"'
SHOW_RE = re.compile(r"e2e-trust uid=(\d+) okta=\[([^\]]*)\]")
SSHD = None


def setUpModule():
    global SSHD
    e2elib.require_root_and_programs("sudo", "su", "login", "sshd", "ssh", "ssh-keygen",
                                     "setpriv", "timeout", "openssl")
    sim, box = e2elib.start_world([USER, SERVICE_USER, CALLER, INTRUDER],
                                  ["sudo", "su", "su-l"], timeout=TIMEOUT)
    set_password(box, INTRUDER, INTRUDER_PASSWORD)
    box.write_pam_service("login", login_stack(box.conf_path))
    e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box = sim, box
    box.write_sudoers("%s ALL=(ALL:ALL) ALL" % USER)
    box.write_pam_service("sshd", sshd_stack(box.conf_path))
    SSHD = test_sshd.Sshd(box, box.users[USER])
    SSHD.start()


def tearDownModule():
    if SSHD is not None:
        SSHD.stop()
    e2elib.stop_world(e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box)


def sshd_stack(conf):
    """Debian's stock /etc/pam.d/sshd order: the session modules
    (common-session), then pam_env reading the user's ~/.pam_environment."""
    return e2elib.Sandbox.okta_stack(conf) + ["session  required  pam_env.so user_readenv=1"]


def login_stack(conf):
    """The module optional in auth, then the Unix password: login(1) retries
    on one handle when the stack as a whole fails."""
    module = "%s conf=%s debug" % (pamharness.MODULE, conf)
    return ["auth     optional  " + module,
            "auth     required  pam_unix.so",
            "account  required  pam_unix.so",
            "password required  pam_deny.so",
            "session  required  " + module,
            "session  required  pam_unix.so"]


def set_password(box, name, password):
    """Give a sandbox user a password (e2elib's users have locked ones)."""
    hashed = subprocess.run(["openssl", "passwd", "-6", password], check=True,
                            capture_output=True, text=True).stdout.strip()
    path = os.path.join(box.etc, "shadow")
    with open(path) as f:
        lines = f.read().split("\n")
    lines = [name + ":" + hashed + line[len(name) + 2:] if line.startswith(name + ":!:")
             else line for line in lines]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def okta_vars(text):
    """{name: value} of the OKTA_* the command printed."""
    return dict(item.split("=", 1) for item in text.split())


def create_live_session(sim, login):
    """A live Okta session of `login`, made straight through the simulator's
    Sessions API (as another host would), not through the module."""
    ctx = ssl.create_default_context(cafile=sim.ca_file)
    conn = http.client.HTTPSConnection("127.0.0.1", sim.https_port, context=ctx, timeout=10)
    try:
        conn.request("POST", "/api/v1/sessions",
                     body=json.dumps({"sessionToken": sim.mint(login)}),
                     headers={"Authorization": "SSWS " + sim.api_token,
                              "Content-Type": "application/json"})
        resp = conn.getresponse()
        body = json.loads(resp.read())
    finally:
        conn.close()
    if resp.status != 200:
        raise RuntimeError("createSession for %s: %d %r" % (login, resp.status, body))
    return body["id"]


class TestSudo(e2elib.E2ETestCase):
    timeout = TIMEOUT

    def tearDown(self):
        self.box.write_sudoers("%s ALL=(ALL:ALL) ALL" % USER)

    def sudo(self, target_args):
        proc = self.box.run(["sudo", "-S"] + target_args + ["--", "sh", "-c", SHOW_ENV],
                            user=USER, input=self.sim.mint(LOGIN).encode() + b"\n")
        self.last = test_sudo.SudoResult(proc)
        self.assertEqual(proc.returncode, 0, self.describe())
        found = SHOW_RE.findall(self.last.stdout)
        self.assertEqual(len(found), 1, self.describe())
        return int(found[0][0]), okta_vars(found[0][1])

    def assert_withheld(self, target_args, uid):
        got_uid, okta = self.sudo(target_args)
        self.assertEqual(got_uid, uid, self.describe())
        self.assertEqual(okta, {}, "no OKTA_* reaches another account\n" + self.describe())
        # the session was still refreshed at open, from module data
        sid = self.assert_workflow(USER, session_in_same_process=True)
        self.assertFalse(self.sim.session(sid)["revoked"])

    def test_sudo_to_non_root_user_gets_no_okta_env(self):
        self.assert_withheld(["-u", SERVICE_USER], self.box.users[SERVICE_USER].uid)

    def test_sudo_to_root_gets_no_okta_env(self):
        self.assert_withheld([], 0)

    def test_sudo_without_pam_session_gets_no_okta_env(self):
        """`Defaults !pam_session`: no open_session; setcred withholds."""
        self.box.write_sudoers("Defaults !pam_session\n%s ALL=(ALL:ALL) ALL" % USER)
        got_uid, okta = self.sudo(["-u", SERVICE_USER])
        self.assertEqual(got_uid, self.box.users[SERVICE_USER].uid, self.describe())
        self.assertEqual(okta, {}, self.describe())
        reqs = self.sim.requests()
        sid = json.loads(reqs[0]["response_body"])["id"]
        self.assertEqual(self.api_requests(), [e2elib.CREATE, e2elib.refresh(sid)],
                         "auth only: no session open\n" + self.describe())


class TestSu(e2elib.E2ETestCase):
    """su authenticates the target (PAM_USER is the target from auth to
    open): the token is the target's, so is the session id its shell sees."""

    timeout = TIMEOUT

    def test_su_target_gets_its_own_session(self):
        for service_args in (["su", "-"], ["su"]):
            with self.subTest(service_args=service_args):
                self.sim.reset()
                self.last = self.box.run_pty(service_args + [USER, "-c", SHOW_ENV], user=CALLER,
                                             answers=[(e2elib.TOKEN_PROMPT,
                                                       self.sim.mint(LOGIN).encode())])
                self.assertEqual(self.last.status, 0, self.describe())
                found = SHOW_RE.findall(self.last.text)
                self.assertEqual(len(found), 1, self.describe())
                sid = self.assert_workflow(USER, session_in_same_process=True)
                self.assertEqual(int(found[0][0]), self.box.users[USER].uid)
                self.assertEqual(okta_vars(found[0][1]).get("OKTA_SESSION_ID"), sid,
                                 self.describe())


class TestSshdRevokeOnClose(e2elib.E2ETestCase):
    timeout = TIMEOUT

    def setUp(self):
        super().setUp()
        self.box.write_okta_conf(self.sim, timeout=TIMEOUT, revoke_on_close="yes")
        self.sshd_offset = SSHD.stderr_size()

    def tearDown(self):
        os.unlink(os.path.join(self.box.users[USER].home, ".pam_environment"))

    def describe(self):
        return "%s\n--- sshd's log\n%s" % (super().describe(), SSHD.stderr(self.sshd_offset))

    def wait_for_delete(self, seconds=15):
        """sshd closes the PAM session after the client has gone."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(m == "DELETE" for m, _ in self.api_requests()):
                time.sleep(0.5)   # nothing else may follow
                return
            time.sleep(0.1)

    def test_planted_id_of_another_user_not_revoked(self):
        planted = create_live_session(self.sim, OTHER_LOGIN)
        alice = self.box.users[USER]
        self.box.user_file(alice, ".pam_environment",
                           "OKTA_SESSION_ID DEFAULT=%s OVERRIDE=%s\n" % (planted, planted))
        self.sim.reset()
        minted = self.sim.mint_full(LOGIN)
        self.last = self.box.run_pty(SSHD.client_argv(SSHD.port_token, "keyboard-interactive",
                                                      False),
                                     user=USER, answers=[(e2elib.TOKEN_PROMPT,
                                                          minted["sessionToken"].encode())])
        self.assertEqual(self.last.status, 0, self.describe())
        m = test_sshd.REMOTE_RE.search(self.last.text)
        self.assertIsNotNone(m, self.describe())
        self.assertEqual(m.group(2), planted,
                         "pam_env planted the id after the module's session line\n"
                         + self.describe())
        self.wait_for_delete()
        reqs = self.sim.requests()
        own = json.loads(reqs[0]["response_body"])["id"]
        self.assertEqual(self.api_requests(),
                         [e2elib.CREATE, e2elib.refresh(own),
                          # open in sshd's monitor holds nothing yet: the id
                          # is checked to be the user's before it is extended
                          ("GET", "/api/v1/sessions/" + own), e2elib.refresh(own),
                          ("DELETE", "/api/v1/sessions/" + own)], self.describe())
        self.assertTrue(self.sim.session(own)["revoked"], "the user's own session is revoked")
        self.assertFalse(self.sim.session(planted)["revoked"],
                         "the other user's session stays alive\n" + self.describe())
        self.assert_logged("not the session this module opened")


class TestLoginRetry(e2elib.E2ETestCase):
    timeout = TIMEOUT

    def test_retry_with_another_user_gets_nothing_of_the_first(self):
        alice_token = self.sim.mint(LOGIN)
        show = 'echo "e2e-login user=$(id -un) sid=${OKTA_SESSION_ID-} uid=${OKTA_USER_ID-}"; exit'
        self.last = self.box.run_pty(["login"], answers=[
            (rb"login: ", USER.encode()),
            (e2elib.TOKEN_PROMPT, alice_token.encode()),
            (rb"[Pp]assword: ", b"not-alices-password"),
            (rb"login: ", INTRUDER.encode()),
            (e2elib.TOKEN_PROMPT, b""),
            (rb"[Pp]assword: ", INTRUDER_PASSWORD.encode()),
            (rb"\$ ", show.encode())], timeout=90)
        self.assertEqual(len(self.last.answered), 7, self.describe())
        m = re.search(r"e2e-login user=(\S*) sid=(\S*) uid=(\S*)", self.last.text)
        self.assertIsNotNone(m, self.describe())
        self.assertEqual(m.groups(), (INTRUDER, "", ""),
                         "mallory's shell holds nothing of alice's session\n" + self.describe())
        reqs = self.sim.requests()
        self.assertTrue(reqs and reqs[0]["status"] == 200, self.describe())
        sid = json.loads(reqs[0]["response_body"])["id"]
        self.assertNotIn(e2elib.refresh(sid), self.api_requests()[2:],
                         "no session open refreshed alice's session\n" + self.describe())
        self.assertTrue(self.sim.session(sid)["revoked"],
                        "alice's session, never handed out, is revoked\n" + self.describe())


if __name__ == "__main__":
    taprunner.main()
