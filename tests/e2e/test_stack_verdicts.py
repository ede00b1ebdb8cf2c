#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End to end: the check tool's verdict on a stack and real sshd's behaviour agree.

Issue 15, finding 1: `pam_okta_session_check --pam-stack` called stacks
fail closed (or fail open on PAM_AUTHINFO_UNAVAIL with a credential) that
real sshd lets users into in other ways. For each such stack, as the
sandbox's /etc/pam.d/sshd:

    the check tool, on the very file sshd reads, refuses it (exit 1) with a
    line naming the return code and who it lets in with what, and sshd lets
    alice in that way;

and for the shipped stack that replaces it (conf/pam.d), the tool says ok
and sshd refuses the same attempt:

    [success=done auth_err=die authinfo_unavail=die default=ignore] + pam_unix
        sign_in = password and sshd's `password` method (PasswordAuthentication
        yes): the typed password answers the Okta password prompt, sshd fails
        the MFA prompt (echo on) with PAM_CONV_ERR, default=ignore skips the
        module and pam_unix takes the same password: in without MFA.
        A configuration file made 0644 (PAM_SERVICE_ERR): authenticated with
        the local password alone (the session hook, reading the same file,
        then fails the session; without it, in).
    [success=done authinfo_unavail=ignore default=die] + pam_succeed_if uid >= 1000
        Okta unreachable: in with no credential at all.

sshd is test_breakglass's (keyboard-interactive on port_token), with the
`password` method allowed too. alice's local password is also her Okta
password here (the simulator's sign-in user), as it is for many users of a
directory synchronised to both.

Run: python3 tests/e2e/test_stack_verdicts.py [name-substring...]   (as root)
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import e2elib  # noqa: E402
import taprunner  # noqa: E402
import test_breakglass as bg  # noqa: E402  (its sshd, stacks and base class)
import test_sshd  # noqa: E402

USER, LOGIN = bg.USER, bg.LOGIN
PASSWORD = "e2e-same-pw-" + os.urandom(6).hex()   # local and Okta
SSH_PASSWORD_PROMPT = rb"password: ?"
TAIL = ["@include common-account",
        "session    required     pam_okta_session.so",
        "@include common-session"]
CONV_ERR_STACK = [
    "auth [success=done auth_err=die authinfo_unavail=die default=ignore] pam_okta_session.so",
    "auth required pam_unix.so"] + TAIL
NO_CREDENTIAL_STACK = [
    "auth [success=done authinfo_unavail=ignore default=die] pam_okta_session.so",
    "auth required pam_succeed_if.so uid >= 1000"] + TAIL
REFUSED = 1   # the check tool's exit status for a FAIL verdict
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


class Sshd(bg.Sshd):
    """test_breakglass's sshd, with the `password` method allowed as well."""

    def config_text(self, user, extra=()):
        text = super().config_text(user, extra)
        return text.replace("PasswordAuthentication no", "PasswordAuthentication yes").replace(
            "AuthenticationMethods keyboard-interactive\n",
            "AuthenticationMethods keyboard-interactive password\n")

    def password_argv(self, user):
        argv = self.client_argv(self.port_token, "password", key=False)
        argv[argv.index("PasswordAuthentication=no")] = "PasswordAuthentication=yes"
        argv[-2] = "%s@127.0.0.1" % user
        return argv


def setUpModule():
    e2elib.require_root_and_programs("sshd", "ssh", "ssh-keygen", "setpriv", "timeout", "openssl")
    if not os.path.exists(bg.CHECK):
        raise RuntimeError("check tool not built: %s (set PAM_OKTA_CHECK)" % bg.CHECK)
    sim, box = e2elib.start_world([USER], [], timeout=bg.TIMEOUT)
    e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box = sim, box
    box.set_password(USER, PASSWORD)
    box.write_pam_service("common-account", ["account required pam_unix.so"])
    box.write_pam_service("common-session", ["session required pam_unix.so"])
    bg.DOWN.update(bg.stop_a_simulator(box))
    bg.reset_faillock(box)
    box.write_pam_service("sshd", bg.stack_file_lines("sshd", box))
    test_sshd.SSHD = Sshd(box, box.users[USER])
    test_sshd.SSHD.start()


tearDownModule = test_sshd.tearDownModule


class VerdictTestCase(bg.StackTestCase):
    """`lines` (the module's name as written) as /etc/pam.d/sshd, or the
    shipped conf/pam.d/`stack` when lines is None."""

    lines = None

    def service_lines(self):
        if self.lines is None:
            return super().service_lines()
        return bg.sandbox_lines("\n".join(self.lines), self.box)

    def sign_in_with_password(self):
        """sign_in = password; alice's Okta password is her local one, with a
        TOTP factor: its passcode prompt is echoed, which sshd's password
        method fails (PAM_CONV_ERR)."""
        self.box.write_okta_conf(self.sim, timeout=bg.TIMEOUT, sign_in="password",
                                 mfa_timeout=20)
        self.sim.add_authn_user(LOGIN, PASSWORD, [{"type": "totp", "secret": TOTP_SECRET}])

    def login_with_password_method(self, user, password):
        """ssh with the `password` method only: sshd answers every echo-off
        prompt of the stack with `password` and fails any other."""
        self.last = self.box.run_pty(test_sshd.SSHD.password_argv(user),
                                     answers=[(SSH_PASSWORD_PROMPT, password.encode())],
                                     user=user, timeout=60)
        return self.last

    def assert_tool_refuses(self, verdict, *way):
        """Exit 1, the verdict line, and a FAIL line holding all of `way`."""
        out = self.check_tool_says(REFUSED, "FAIL pam-stack: /etc/pam.d/sshd: " + verdict)
        lines = [l for l in out.splitlines()
                 if l.startswith("FAIL pam-stack: /etc/pam.d/sshd: ") and all(w in l for w in way)]
        self.assertEqual(len(lines), 1, "a line with %r in:\n%s" % (way, out))

    def assert_password_sign_in_conversation_failed(self):
        """Okta checked the password; the MFA prompt failed in sshd's conversation."""
        self.assertIn("/api/v1/authn", [q["path"] for q in self.sim.requests()], self.describe())
        self.assert_logged("audit: event=auth", "reason=conversation_failed")


class TestDefaultIgnoreBeforePassword(VerdictTestCase):
    """[success=done auth_err=die authinfo_unavail=die default=ignore] + pam_unix:
    fail open on every code but the two it names."""

    lines = CONV_ERR_STACK

    def test_password_method_skips_mfa(self):
        self.assert_tool_refuses("fail open on PAM_SERVICE_ERR", "PAM_CONV_ERR",
                                 "from pam_okta_session.so let the user in with pam_unix.so's "
                                 "password")
        self.sign_in_with_password()
        self.login_with_password_method(USER, PASSWORD)
        self.assert_logged_in(USER)   # no Okta session: the session hook ignored the login
        self.assertIn("Accepted password for %s" % USER, self.sshd_log(), self.describe())
        self.assert_password_sign_in_conversation_failed()

    def test_config_0644_lets_the_local_password_in(self):
        self.assert_tool_refuses("fail open on PAM_SERVICE_ERR", "PAM_SERVICE_ERR",
                                 "pam_unix.so's password")
        os.chmod(self.box.conf_path, 0o644)
        self.login(USER, ("password", PASSWORD))
        self.assertIn("Accepted keyboard-interactive/pam for %s" % USER, self.sshd_log(),
                      self.describe())
        self.assertEqual(self.prompts_seen(), ["password"], "no token prompt\n" + self.describe())
        self.assertEqual(self.sim.requests(), [], self.describe())
        # Here only the session hook, which reads the same file, stops the
        # login (PAM_SESSION_ERR); without it, the password alone logs in.
        self.assertIn("pam_open_session(): Error in service module", self.sshd_log())
        self.box.write_pam_service("sshd", bg.sandbox_lines(
            "\n".join(CONV_ERR_STACK[:2] + ["@include common-account",
                                             "@include common-session"]), self.box))
        self.login(USER, ("password", PASSWORD))
        self.assert_logged_in(USER)


class ShippedInstead:
    """Tests for a shipped stack (a VerdictTestCase with `stack` and the
    tool's `verdict`): the tool says ok, and sshd refuses what the issue's
    stack let in."""

    verdict = None

    def test_tool_accepts(self):
        self.check_tool_says(0, "ok pam-stack: /etc/pam.d/sshd: " + self.verdict)

    def test_password_method_refused(self):
        self.sign_in_with_password()
        self.login_with_password_method(USER, PASSWORD)
        self.assert_login_refused()
        self.assertNotIn("Accepted password", self.sshd_log(), self.describe())
        self.assert_password_sign_in_conversation_failed()

    def test_config_0644_refused(self):
        os.chmod(self.box.conf_path, 0o644)
        self.login(USER, ("password", PASSWORD))
        self.assert_login_refused()
        self.assertEqual(self.prompts_seen(), [], "no password prompt\n" + self.describe())


class TestShippedFailOpenInstead(ShippedInstead, VerdictTestCase):
    """conf/pam.d/sshd-fail-open: only PAM_AUTHINFO_UNAVAIL reaches pam_unix."""

    stack = "sshd-fail-open"
    verdict = ("fail open on authinfo_unavail: while Okta is unreachable (or answers 5xx/429, "
               "or refuses the API token) the rest of the stack decides; a refused token "
               "(PAM_AUTH_ERR) is still refused\nok pam-stack: /etc/pam.d/sshd: "
               "PAM_AUTHINFO_UNAVAIL from pam_okta_session.so lets the user in with "
               "pam_unix.so's password\n")


class TestShippedFailClosedInstead(ShippedInstead, VerdictTestCase):
    """conf/pam.d/sshd: nothing but PAM_SUCCESS gets past the module."""

    stack = "sshd"
    verdict = "fail closed"


class TestNoCredentialAfterUnavail(VerdictTestCase):
    """[success=done authinfo_unavail=ignore default=die] + pam_succeed_if uid >= 1000:
    fail open on PAM_AUTHINFO_UNAVAIL to no credential at all."""

    lines = NO_CREDENTIAL_STACK

    def test_okta_down_anyone_in_without_credential(self):
        self.assert_tool_refuses("fail open on authinfo_unavail",
                                 "PAM_AUTHINFO_UNAVAIL from pam_okta_session.so lets the user in "
                                 "with no credential at all (said yes: pam_succeed_if.so uid >= "
                                 "1000)")
        self.okta_down()
        self.login(USER, ("token", "not-a-token"))
        self.assert_logged_in(USER)
        self.assertEqual(self.prompts_seen(), ["token"], self.describe())
        self.assert_okta_unreachable_logged()


class TestShippedFailOpenAfterUnavail(VerdictTestCase):
    """conf/pam.d/sshd-fail-open: pam_unix, a credential, after PAM_AUTHINFO_UNAVAIL."""

    stack = "sshd-fail-open"

    def test_okta_down_no_credential_refused(self):
        self.okta_down()
        self.login(USER, ("token", "not-a-token"), ("password", "not-" + PASSWORD))
        self.assert_login_refused()
        self.assertEqual(self.prompts_seen(), ["token", "password"], self.describe())
        self.assert_okta_unreachable_logged()


if __name__ == "__main__":
    taprunner.main()
