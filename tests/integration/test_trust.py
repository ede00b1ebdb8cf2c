#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Integration tests of the PAM-side trust boundaries (issue 9): through real
libpam against the simulator.

- the session id reaches only the Okta user's own account (OKTA_* withheld
  when PAM_USER at open/setcred is not the user who authenticated);
- close revokes only the session this module holds, and checks an id it does
  not hold (getSession: the user's, ACTIVE) before any DELETE;
- every pam_authenticate starts clean, and a failed one leaves nothing;
- a session created and not handed out is revoked, even after the deadline
  or when the glue cannot export it (tests/putenv_fail.c, LD_PRELOAD);
- PAM_CONV_AGAIN ends in PAM_INCOMPLETE.

The real sudo, su and sshd versions are in tests/e2e/test_trust.py.

Run: python3 tests/integration/test_trust.py [name-substring...]   (as root)
Env: as tests/lib/moduletest.py, whose OktaTestCase this reuses.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import pamharness as ph  # noqa: E402
import taprunner  # noqa: E402
import moduletest as tm  # noqa: E402  (OktaTestCase and the simulator)
from moduletest import setUpModule, sim, tearDownModule  # noqa: E402,F401

LOGIN, USER, CREATE = tm.LOGIN, tm.USER, tm.CREATE
refresh, delete, get = tm.refresh, tm.delete, tm.get
OTHER, OTHER_LOGIN = "bob", "bob@example.com"
OKTA_VARS = ("OKTA_SESSION_ID", "OKTA_USER_ID", "OKTA_SESSION_EXPIRES_AT")



class TrustTestCase(tm.OktaTestCase):
    def run_lines(self, answers, steps, **kw):
        """One handle, every step run; prompt i answered with answers[i]."""
        return self.run_pam(steps=steps, answers=answers, keep_going=True, **kw)

    def live_session_of(self, login, user):
        """A live Okta session of `login`, made through the module as `user`
        in another process; the simulator's request log is cleared."""
        token = sim().mint(login)
        r = self.run_pam(token, user=user)
        self.assert_step(r, "auth", "PAM_SUCCESS")
        sid = self.created_session_id()
        sim().reset()
        return sid

    def assert_no_okta_env(self, r):
        self.assertEqual(r.okta_env(), {}, r.describe())

    def assert_refreshed_count(self, sid, n):
        self.assertEqual(sim().session(sid)["refresh_count"], n)


class TestForeignAccount(TrustTestCase):
    """sudo's order on one handle: auth as the invoking user, PAM_USER set to
    the target, setcred(REINITIALIZE), open_session."""

    def test_open_for_another_account_withholds_env(self):
        for target in ("svc", "root"):
            with self.subTest(target=target):
                sim().reset()
                r = self.run_lines([sim().mint(LOGIN)], "auth,user=%s,open" % target)
                self.assert_step(r, "auth", "PAM_SUCCESS")
                self.assert_step(r, "open", "PAM_SUCCESS")
                sid = self.created_session_id()
                # refreshed from module data at open, bound to alice
                self.assert_requests([CREATE, refresh(sid), refresh(sid)], r)
                self.assert_refreshed_count(sid, 2)
                self.assert_no_okta_env(r)

    def test_setcred_for_another_account_withholds_env(self):
        """sudo with `Defaults !pam_session`: no open_session, but setcred."""
        r = self.run_lines([sim().mint(LOGIN)], "auth,user=svc,setcred")
        self.assert_step(r, "auth", "PAM_SUCCESS")
        self.assert_step(r, "setcred", "PAM_SUCCESS")
        self.assert_no_okta_env(r)

    def test_open_for_the_same_account_keeps_env(self):
        r = self.run_lines([sim().mint(LOGIN)], "auth,user=%s,setcred,open" % USER)
        self.assert_step(r, "open", "PAM_SUCCESS")
        sid = self.created_session_id()
        self.assertEqual(r.env.get("OKTA_SESSION_ID"), sid, r.describe())
        self.assertEqual(r.env.get("OKTA_SESSION_EXPIRES_AT"),
                         self.response_json(2)["expiresAt"], r.describe())

    def test_open_uses_module_data_not_env(self):
        """A different id in the PAM environment at open (planted between
        auth and open) is not what open refreshes or exports."""
        planted = self.live_session_of(OTHER_LOGIN, OTHER)
        token = sim().mint(LOGIN)
        ph.write_service(self.confdir, tm.SERVICE, [
            "auth required %s conf=%s debug" % (ph.MODULE, self.conf_path),
            "account required pam_permit.so",
            "session required pam_env.so readenv=1 user_readenv=0 envfile=%s"
            % self.envfile(planted),
            "session required %s conf=%s debug" % (ph.MODULE, self.conf_path)])
        r = self.run_lines([token], "auth,open")
        self.assert_step(r, "open", "PAM_SUCCESS")
        sid = self.created_session_id()
        self.assert_requests([CREATE, refresh(sid), refresh(sid)], r)
        self.assertEqual(r.env.get("OKTA_SESSION_ID"), sid, r.describe())
        self.assert_refreshed_count(planted, 1)

    def test_unheld_id_of_another_user_not_refreshed_on_open(self):
        """Nothing held (sshd's session process): an id in the PAM
        environment may be anyone's (pam_env before the module, another
        module). getSession shows bob's login, not alice's: open refuses
        before the admin token extends bob's session (review finding: it
        used to refresh first and check the login of the answer)."""
        planted = self.live_session_of(OTHER_LOGIN, OTHER)
        self.assert_refreshed_count(planted, 1)
        r = self.run_open(planted)
        self.assert_step(r, "open", "PAM_SESSION_ERR")
        self.assert_requests([get(planted)], r)
        self.assert_refreshed_count(planted, 1)
        self.assertFalse(sim().session(planted)["revoked"], "open never revokes")
        self.assert_no_okta_env(r)
        self.assert_logged(r, "getSession", "Okta login '%s' tried to log in as user '%s'"
                           % (OTHER_LOGIN, USER))

    def envfile(self, sid):
        path = os.path.join(self.tmp, "planted.env")
        with open(path, "w") as f:
            f.write("OKTA_SESSION_ID=%s\n" % sid)
        return path


class TestCloseRevokesOnlyOwnSession(TrustTestCase):
    def service_with_env_after(self, planted):
        """The module's session line, then pam_env setting OKTA_SESSION_ID
        (as Debian's sshd stack reads ~/.pam_environment after
        common-session)."""
        envfile = os.path.join(self.tmp, "planted.env")
        with open(envfile, "w") as f:
            f.write("OKTA_SESSION_ID=%s\n" % planted)
        ph.write_service(self.confdir, tm.SERVICE, [
            "auth required %s conf=%s debug" % (ph.MODULE, self.conf_path),
            "account required pam_permit.so",
            "session required %s conf=%s debug" % (ph.MODULE, self.conf_path),
            "session required pam_env.so readenv=1 user_readenv=0 envfile=%s" % envfile])

    def test_planted_id_after_open_not_revoked(self):
        self.write_conf(revoke_on_close="yes")
        planted = self.live_session_of(OTHER_LOGIN, OTHER)
        self.service_with_env_after(planted)
        r = self.run_lines([sim().mint(LOGIN)], "auth,open,close")
        self.assert_step(r, "close", "PAM_SUCCESS")
        sid = self.created_session_id()
        self.assertNotEqual(sid, planted)
        self.assert_requests([CREATE, refresh(sid), refresh(sid), delete(sid)], r)
        self.assertTrue(sim().session(sid)["revoked"], "the user's own session is revoked")
        self.assertFalse(sim().session(planted)["revoked"], "the planted one stays alive")
        self.assert_logged(r, "not the session this module opened")

    def test_sshd_like_open_then_close_with_planted_id(self):
        """Auth in another process (sshd): open binds the id from the
        environment to PAM_USER and holds it; close revokes that one."""
        self.write_conf(revoke_on_close="yes")
        planted = self.live_session_of(OTHER_LOGIN, OTHER)
        own = self.live_session_of(LOGIN, USER)
        self.service_with_env_after(planted)
        r = self.run_open(own, steps="open,close")
        self.assert_step(r, "close", "PAM_SUCCESS")
        self.assert_requests([get(own), refresh(own), delete(own)], r)
        self.assertTrue(sim().session(own)["revoked"])
        self.assertFalse(sim().session(planted)["revoked"])

    def test_unheld_id_of_another_user_not_revoked(self):
        """Nothing held (close in a process that did not open): getSession,
        login is bob's, not alice's: no DELETE."""
        self.write_conf(revoke_on_close="yes")
        planted = self.live_session_of(OTHER_LOGIN, OTHER)
        r = self.run_open(planted, steps="close")
        self.assert_step(r, "close", "PAM_SESSION_ERR")
        self.assert_requests([get(planted)], r)
        self.assertFalse(sim().session(planted)["revoked"])
        self.assert_logged(r, "getSession", "Okta login '%s' tried to log in as user '%s'"
                           % (OTHER_LOGIN, USER))
        self.assert_logged(r, "is not a session of '%s'; not revoked" % USER)

    def test_unheld_id_not_active_not_revoked(self):
        self.write_conf(revoke_on_close="yes")
        own = self.live_session_of(LOGIN, USER)
        sim().fault("get", "patch", replace=[['"ACTIVE"', '"MFA_REQUIRED"']])
        r = self.run_open(own, steps="close")
        self.assert_step(r, "close", "PAM_SESSION_ERR")
        self.assert_requests([get(own)], r)
        self.assertFalse(sim().session(own)["revoked"])


class TestCleanStart(TrustTestCase):
    """login(1) retries with another user on one handle."""

    def test_failed_second_attempt_leaves_first_session_unusable(self):
        first = sim().mint(LOGIN)
        for name, second in (("empty answer", ""), ("alice's token for bob", sim().mint(LOGIN)),
                             ("unknown token", "20111not-a-real-session-token")):
            with self.subTest(name):
                sim().reset()
                first = sim().mint(LOGIN)
                r = self.run_lines([first, second], "auth,user=%s,auth,open" % OTHER)
                self.assertEqual([s[:2] for s in r.step_list],
                                 [("auth", "PAM_SUCCESS"), ("user=%s" % OTHER, "PAM_SUCCESS"),
                                  ("auth", "PAM_AUTH_ERR"), ("open", "PAM_IGNORE")],
                                 r.describe())
                sid = self.created_session_id()
                self.assertNotIn(refresh(sid), self.api_requests()[2:],
                                 "open must not refresh the first attempt's session\n"
                                 + r.describe())
                self.assert_no_okta_env(r)
                self.assertTrue(sim().session(sid)["revoked"],
                                "the first attempt's session, never handed out, is revoked")
                self.assertEqual(sim().session(sid)["refresh_count"], 1)

    def test_failed_attempt_leaves_nothing(self):
        """Okta failing after create (refresh 500): no module data, no OKTA_*."""
        sim().fault("refresh", "status", status=500)
        r = self.run_lines([sim().mint(LOGIN)], "auth,open,close")
        self.assert_step(r, "auth", "PAM_AUTHINFO_UNAVAIL")
        self.assert_step(r, "open", "PAM_IGNORE")
        self.assert_step(r, "close", "PAM_IGNORE")
        self.assert_no_okta_env(r)
        sid = self.created_session_id()
        self.assertTrue(sim().session(sid)["revoked"])

    def test_env_from_before_auth_is_removed(self):
        """OKTA_* an application (or an earlier module) put in the PAM
        environment are gone once auth starts, even when auth fails."""
        planted = self.live_session_of(OTHER_LOGIN, OTHER)
        r = self.run_pam(b"", steps="auth,open",
                         setenv=["%s=%s" % (v, planted) for v in OKTA_VARS],
                         keep_going=True)
        self.assert_step(r, "auth", "PAM_AUTH_ERR")
        self.assert_step(r, "open", "PAM_IGNORE")
        self.assert_no_okta_env(r)
        self.assert_no_requests(r)


class TestRevokeBudget(TrustTestCase):
    GROUP = "bastion-admins"

    def test_session_revoked_after_deadline_spent(self):
        """A group listing slower than the timeout: the session is refused
        and still revoked, within the revoke budget (2 s)."""
        self.write_conf(require_group=self.GROUP, timeout=2)
        sim().add_user(LOGIN, [self.GROUP])
        sim().fault("groups", "delay", seconds=10)
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        sid = self.created_session_id()
        self.assertEqual(self.api_requests()[-1], delete(sid), r.describe())
        self.assertTrue(sim().session(sid)["revoked"], r.describe())
        self.assertLess(r.elapsed, 2 + 2 + 1.0, "revoke budget overrun")

    def test_failed_revoke_logged(self):
        self.write_conf(require_group=self.GROUP, timeout=1)
        sim().add_user(LOGIN, [self.GROUP])
        sim().fault("groups", "delay", seconds=10)
        sim().fault("delete", "delay", seconds=10)
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        sid = self.created_session_id()
        self.assertEqual(self.api_requests()[-1], delete(sid), r.describe())
        self.assert_logged(r, "could not revoke the Okta session that was refused")
        self.assertGreater(r.elapsed, 1 + 2 - 0.3, "the revoke had its own budget")
        self.assertLess(r.elapsed, 1 + 2 + 1.0, "revoke budget overrun")


class TestExportFails(TrustTestCase):
    SHIM = os.path.join(ph.BUILDDIR, "tests", ".libs", "putenv_fail.so")

    def test_session_revoked_when_export_fails(self):
        """pam_putenv fails for OKTA_USER_ID (after OKTA_SESSION_ID was set):
        auth fails, the created session is revoked, nothing is left."""
        self.assertTrue(os.path.exists(self.SHIM), "make check builds " + self.SHIM)
        preload = ":".join(filter(None, [self.SHIM, os.environ.get("LD_PRELOAD")]))
        # a sanitizer build wants its runtime first; the shim comes first here
        asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"),
                                      "verify_asan_link_order=0"]))
        r = self.run_lines([sim().mint(LOGIN)], "auth,open",
                           env={"LD_PRELOAD": preload, "ASAN_OPTIONS": asan,
                                "PAM_OKTA_TEST_FAIL_PUTENV": "OKTA_USER_ID"})
        self.assert_step(r, "auth", "PAM_BUF_ERR")
        self.assert_step(r, "open", "PAM_IGNORE")
        sid = self.created_session_id()
        self.assert_requests([CREATE, refresh(sid), delete(sid)], r)
        self.assertTrue(sim().session(sid)["revoked"])
        self.assert_no_okta_env(r)
        self.assert_logged(r, "cannot hand out the Okta session of '%s'" % USER)


class TestConversation(TrustTestCase):
    def test_conv_again_is_incomplete(self):
        r = self.run_pam(b"", steps="auth", conv_again=True)
        self.assert_step(r, "auth", "PAM_INCOMPLETE")
        self.assert_no_okta_env(r)
        self.assert_logged(r, "no session token for '%s'" % USER)
        self.assert_no_requests(r)

    def test_a_failed_conversation_is_conv_err(self):
        """The application's conversation may fail with any code; the
        module answers PAM_CONV_ERR, one of the codes pam_okta_session_check
        --pam-stack tries, never the application's code (PAM_ABORT,
        PAM_MAXTRIES... would pass a line that dies on every code the tool
        knows; PAM_AUTHINFO_UNAVAIL would read as Okta unreachable)."""
        for code in ("PAM_ABORT", "PAM_MAXTRIES", "PAM_PERM_DENIED", "PAM_AUTHINFO_UNAVAIL",
                     "PAM_SYSTEM_ERR", "PAM_CONV_ERR"):
            with self.subTest(code=code):
                r = self.run_pam(b"", steps="auth", conv_rc=code)
                self.assert_step(r, "auth", "PAM_CONV_ERR")
                self.assert_no_okta_env(r)
                self.assert_no_requests(r)


if __name__ == "__main__":
    taprunner.main()
