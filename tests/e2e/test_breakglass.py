#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End to end: the three documented /etc/pam.d/sshd stacks, with real sshd,
while Okta is unreachable (a simulator that has been stopped) and while it is up.

    fail closed     conf/pam.d/sshd              everybody refused when Okta is down
    break-glass     conf/pam.d/sshd-break-glass  members of the local group
                                                 okta-breakglass log in with their
                                                 local password; everybody else refused
    fail open       conf/pam.d/sshd-fail-open    PAM_AUTHINFO_UNAVAIL: the local
                                                 password decides; PAM_AUTH_ERR: refused

Each stack is the file from conf/pam.d itself, with `pam_okta_session.so`
replaced by the built module and its arguments, pam_faillock given a tally
directory of the sandbox's (emptied before each test), and the tests' own
common-account and common-session beside it (sshd runs in the private
mount namespace of tests/lib/e2elib.py). The check tool
(`pam_okta_session_check --pam-stack /etc/pam.d/sshd`, in the same
namespace) must name each stack what it is.

Run: python3 tests/e2e/test_breakglass.py [name-substring...]   (as root)
"""

import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import e2elib  # noqa: E402
import pamharness  # noqa: E402
import taprunner  # noqa: E402
import test_sshd  # noqa: E402  (its sshd and base class; none of its tests run here)
from simlib import Simulator  # noqa: E402

USER, LOGIN, OTHER_LOGIN = "alice", "alice@example.com", "bob@example.com"
RESCUE = "rescue"
GROUP = "okta-breakglass"
PASSWORDS = {USER: "alice-local-Pa55", RESCUE: "rescue-local-Pa55"}
TIMEOUT = test_sshd.TIMEOUT   # the module's `timeout` (seconds)
PASSWORD_PROMPT = rb"Password: ?"
CONF_DIR = os.path.join(pamharness.SRCDIR, "conf", "pam.d")
CHECK = os.environ.get("PAM_OKTA_CHECK") or os.path.join(pamharness.BUILDDIR,
                                                          "pam_okta_session_check")
DOWN = {}   # org_url and ca_file of the stopped simulator


class Sshd(test_sshd.Sshd):
    """test_sshd's sshd (keyboard-interactive on port_token), for two users."""

    def config_text(self, user, extra=()):
        return super().config_text(user, extra).replace(
            "AllowUsers " + user, "AllowUsers %s %s" % (USER, RESCUE))

    def argv_for(self, user):
        argv = self.client_argv(self.port_token, "keyboard-interactive", key=False)
        argv[-2] = "%s@127.0.0.1" % user
        return argv


def faillock_dir(box):
    """pam_faillock's tally directory for the sandbox (/run/faillock would
    outlive a test in sshd's namespace)."""
    return os.path.join(box.dir, "faillock")


def reset_faillock(box):
    """No failures counted: each test starts unlocked."""
    shutil.rmtree(faillock_dir(box), ignore_errors=True)
    os.mkdir(faillock_dir(box), 0o755)


def sandbox_lines(text, box, name="stack"):
    """A PAM service file's text with the module's name replaced by the
    built module and its arguments, and pam_faillock given the sandbox's
    tally directory (comment lines left alone)."""
    module = "%s conf=%s debug" % (pamharness.MODULE, box.conf_path)
    faillock = "pam_faillock.so dir=%s" % faillock_dir(box)
    lines = [l if l.lstrip().startswith("#") else
             re.sub(r"\bpam_faillock\.so\b", faillock,
                    re.sub(r"\bpam_okta_session\.so\b", module, l))
             for l in text.splitlines()]
    if module not in "\n".join(lines):
        raise RuntimeError("%s names no pam_okta_session.so" % name)
    return lines


def stack_file_lines(name, box):
    """conf/pam.d/NAME for the sandbox (sandbox_lines)."""
    with open(os.path.join(CONF_DIR, name)) as f:
        return sandbox_lines(f.read(), box, name)


def stop_a_simulator(box):
    """org_url of a simulator that ran and was stopped (its port is closed
    now), and a copy of its CA file (the simulator's own goes with it)."""
    sim = Simulator()
    sim.start()
    ca_copy = os.path.join(box.dir, "stopped-sim-ca.pem")
    shutil.copy(sim.ca_file, ca_copy)
    os.chmod(ca_copy, 0o644)
    url = sim.org_url
    sim.stop()
    return {"org_url": url, "ca_file": ca_copy}


def setUpModule():
    e2elib.require_root_and_programs("sshd", "ssh", "ssh-keygen", "setpriv", "timeout", "openssl")
    if not os.path.exists(CHECK):
        raise RuntimeError("check tool not built: %s (set PAM_OKTA_CHECK)" % CHECK)
    sim, box = e2elib.start_world([USER, RESCUE], [], timeout=TIMEOUT)
    e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box = sim, box
    for name, password in PASSWORDS.items():
        box.set_password(name, password)
    box.add_group(GROUP, [RESCUE])
    box.write_pam_service("common-account", ["account required pam_unix.so"])
    box.write_pam_service("common-session", ["session required pam_unix.so"])
    DOWN.update(stop_a_simulator(box))
    reset_faillock(box)
    box.write_pam_service("sshd", stack_file_lines("sshd", box))
    test_sshd.SSHD = Sshd(box, box.users[USER])   # what SshdTestCase and tearDownModule use
    test_sshd.SSHD.start()


tearDownModule = test_sshd.tearDownModule


class StackTestCase(test_sshd.SshdTestCase):
    """One documented stack as /etc/pam.d/sshd; Okta up unless okta_down()."""

    stack = None

    def setUp(self):
        super().setUp()
        reset_faillock(self.box)
        self.box.write_pam_service("sshd", self.service_lines())

    def service_lines(self):
        return stack_file_lines(self.stack, self.box)

    def okta_down(self):
        """The configuration now names the stopped simulator."""
        self.box.write_okta_conf(self.sim, timeout=TIMEOUT, **DOWN)

    def login(self, user, *answers):
        """ssh in as `user`, answering the prompts in order: ("token", x) or
        ("password", x)."""
        regex = {"token": e2elib.TOKEN_PROMPT, "password": PASSWORD_PROMPT}
        self.last = self.box.run_pty(test_sshd.SSHD.argv_for(user),
                                     answers=[(regex[kind], text.encode()) for kind, text in answers],
                                     user=user, timeout=60)
        return self.last

    def prompts_seen(self):
        text = self.last.text
        return [kind for kind, regex in (("token", "Okta session token"), ("password", "Password:"))
                if regex in text]

    def assert_logged_in(self, user, sid=""):
        res = self.last
        self.assertEqual(res.status, 0, self.describe())
        m = test_sshd.REMOTE_RE.search(res.text)
        self.assertIsNotNone(m, self.describe())
        self.assertEqual(m.group(1), user, self.describe())
        self.assertEqual(m.group(2), sid, "OKTA_SESSION_ID in the shell\n" + self.describe())

    def assert_login_refused(self):
        """Refused (no timing bound: pam_unix delays a wrong password)."""
        res = self.last
        self.assertNotEqual(res.status, 0, self.describe())
        self.assertIsNone(test_sshd.REMOTE_RE.search(res.text), self.describe())
        self.assertIn("Permission denied", res.text, self.describe())

    def assert_okta_unreachable_logged(self):
        # CURLE_COULDNT_CONNECT: libcurl's wording differs between releases
        # (7.74 "Failed to connect", 7.88 "Couldn't connect"), its number not.
        self.assert_logged("createSession: request failed", "(curl error 7)")

    def assert_module_silent(self):
        """pam_okta_session never ran (not for auth, not for the session)."""
        lines = [l for l in self.box.log_lines() if "pam_okta_session(" in l]
        self.assertEqual(lines, [], self.describe())

    def check_tool_says(self, expected_rc, *needles):
        """pam_okta_session_check --pam-stack on the /etc/pam.d/sshd sshd reads."""
        proc = self.box.run([CHECK, "--pam-stack", "/etc/pam.d/sshd"])
        out = proc.stdout.decode(errors="replace")
        self.assertEqual(proc.returncode, expected_rc, out + proc.stderr.decode(errors="replace"))
        for needle in needles:
            self.assertIn(needle, out)
        return out


class TestFailClosed(StackTestCase):
    """conf/pam.d/sshd: today's default."""

    stack = "sshd"

    def test_okta_down_user_refused(self):
        self.okta_down()
        self.login(USER, ("token", self.sim.mint(LOGIN)))
        self.assert_login_refused()
        self.assertEqual(self.prompts_seen(), ["token"], self.describe())
        self.assert_okta_unreachable_logged()

    def test_okta_down_emergency_account_refused_too(self):
        self.okta_down()
        self.login(RESCUE, ("token", PASSWORDS[RESCUE]), ("password", PASSWORDS[RESCUE]))
        self.assert_login_refused()
        self.assertEqual(self.prompts_seen(), ["token"], "no password prompt\n" + self.describe())
        self.assert_okta_unreachable_logged()

    def test_okta_up_token_logs_in(self):
        minted = self.sim.mint_full(LOGIN)
        self.login(USER, ("token", minted["sessionToken"]))
        sid = self.assert_workflow(USER, session_in_same_process=False)
        self.assert_logged_in(USER, sid)

    def test_check_tool(self):
        self.check_tool_says(0, "ok pam-stack: /etc/pam.d/sshd: fail closed")

    def test_faillock_stops_requests_to_okta(self):
        """Issue 15, finding 2 (the stack's half): three refused tokens lock
        the account locally, and then not even a good token reaches Okta,
        so nobody can run up the user's Okta lockout counter through sshd."""
        for _ in range(3):
            self.login(USER, ("token", "20111not-a-real-session-token"))
            self.assert_login_refused()
        self.assertEqual(self.api_requests(), [e2elib.CREATE] * 3, self.describe())
        self.assert_logged("Consecutive login failures for user %s account temporarily locked"
                           % USER)
        self.login(USER, ("token", self.sim.mint(LOGIN)))
        self.assert_login_refused()
        self.assertEqual(self.api_requests(), [e2elib.CREATE] * 3,
                         "nothing sent while locked\n" + self.describe())


class TestBreakGlass(StackTestCase):
    """conf/pam.d/sshd-break-glass: the local group okta-breakglass skips the module."""

    stack = "sshd-break-glass"

    def test_okta_down_member_logs_in_with_local_password(self):
        self.okta_down()
        self.login(RESCUE, ("password", PASSWORDS[RESCUE]))
        self.assert_logged_in(RESCUE)
        self.assertEqual(self.prompts_seen(), ["password"], "no token prompt\n" + self.describe())
        self.assert_module_silent()
        # quiet_fail: each use of the group is logged (README: what to watch for)
        self.assert_logged('requirement "user ingroup %s" was met by user "%s"' % (GROUP, RESCUE))
        self.assertIn("Accepted keyboard-interactive/pam for %s" % RESCUE,
                      self.sshd_log())

    def test_okta_down_member_needs_the_password(self):
        self.okta_down()
        self.login(RESCUE, ("password", "not-" + PASSWORDS[RESCUE]))
        self.assert_login_refused()
        self.login(RESCUE, ("password", ""))
        self.assert_login_refused()

    def test_okta_down_other_user_refused(self):
        self.okta_down()
        self.login(USER, ("token", self.sim.mint(LOGIN)), ("password", PASSWORDS[USER]))
        self.assert_login_refused()
        self.assertEqual(self.prompts_seen(), ["token"], "no password prompt\n" + self.describe())
        self.assert_okta_unreachable_logged()

    def test_okta_down_other_user_local_password_as_token_refused(self):
        self.okta_down()
        self.login(USER, ("token", PASSWORDS[USER]))
        self.assert_login_refused()

    def test_okta_up_other_user_still_uses_okta(self):
        minted = self.sim.mint_full(LOGIN)
        self.login(USER, ("token", minted["sessionToken"]))
        sid = self.assert_workflow(USER, session_in_same_process=False)
        self.assert_logged_in(USER, sid)

    def test_member_in_with_broken_module_configuration(self):
        """The session line skips the hook for members too: a configuration
        file the module refuses (mode 0644) keeps nobody else in, and does
        not keep the emergency account out."""
        self.box.write_okta_conf(self.sim, timeout=TIMEOUT)
        os.chmod(self.box.conf_path, 0o644)
        self.login(RESCUE, ("password", PASSWORDS[RESCUE]))
        self.assert_logged_in(RESCUE)
        self.login(USER, ("token", self.sim.mint(LOGIN)))
        self.assert_login_refused()

    def test_check_tool(self):
        self.check_tool_says(0, "ok pam-stack: /etc/pam.d/sshd: break-glass group okta-breakglass")


class TestFailOpen(StackTestCase):
    """conf/pam.d/sshd-fail-open: PAM_AUTHINFO_UNAVAIL lets the local password decide."""

    stack = "sshd-fail-open"

    def test_okta_down_local_password_logs_in(self):
        self.okta_down()
        self.login(USER, ("token", self.sim.mint(LOGIN)), ("password", PASSWORDS[USER]))
        self.assert_logged_in(USER)   # no Okta session: the session hook ignored the login
        self.assertEqual(self.prompts_seen(), ["token", "password"], self.describe())
        self.assert_okta_unreachable_logged()

    def test_okta_down_wrong_password_refused(self):
        self.okta_down()
        self.login(USER, ("token", self.sim.mint(LOGIN)), ("password", "not-" + PASSWORDS[USER]))
        self.assert_login_refused()

    def test_okta_up_other_users_token_refused_without_password_prompt(self):
        """PAM_AUTH_ERR is never turned into a password login."""
        self.login(USER, ("token", self.sim.mint(OTHER_LOGIN)), ("password", PASSWORDS[USER]))
        self.assert_login_refused()
        self.assertEqual(self.prompts_seen(), ["token"], "no password prompt\n" + self.describe())
        self.assert_logged("Okta login '%s' tried to log in as user '%s'" % (OTHER_LOGIN, USER))

    def test_okta_up_bad_token_refused_without_password_prompt(self):
        self.login(USER, ("token", "20111not-a-real-session-token"), ("password", PASSWORDS[USER]))
        self.assert_login_refused()
        self.assertEqual(self.prompts_seen(), ["token"], "no password prompt\n" + self.describe())
        self.assert_only_create(401)

    def test_okta_up_token_logs_in_without_password(self):
        minted = self.sim.mint_full(LOGIN)
        self.login(USER, ("token", minted["sessionToken"]))
        sid = self.assert_workflow(USER, session_in_same_process=False)
        self.assert_logged_in(USER, sid)
        self.assertEqual(self.prompts_seen(), ["token"], self.describe())

    def test_check_tool(self):
        self.check_tool_says(0, "ok pam-stack: /etc/pam.d/sshd: fail open on authinfo_unavail")


if __name__ == "__main__":
    taprunner.main()
