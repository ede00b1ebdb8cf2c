#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Integration tests of sign_in = password (Okta password, then MFA through the
Authentication API): pam_okta_session.so through real libpam against the
simulator's authn state machine.

Run: python3 tests/integration/test_signin.py [name-substring...]   (as root)
Env: as tests/lib/moduletest.py, whose OktaTestCase this reuses.
"""

import json
import os
import secrets
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import pamharness as ph  # noqa: E402
import secretlog  # noqa: E402
import taprunner  # noqa: E402
import moduletest as tm  # noqa: E402  (OktaTestCase and the simulator)
from moduletest import setUpModule, sim, tearDownModule  # noqa: E402,F401
from simlib import closed_port  # noqa: E402

LOGIN, USER, CREATE = tm.LOGIN, tm.USER, tm.CREATE
AUTHN = ("POST", "/api/v1/authn")
ECHO_OFF, ECHO_ON, ERROR_MSG, TEXT_INFO = 1, 2, 3, 4
PASSWORD_PROMPT = (ECHO_OFF, "Okta password: ")
MFA_PROMPT = (ECHO_ON, "Okta Verify push: press Enter, or type a passcode: ")
PUSH_SENT = (TEXT_INFO, "Okta Verify: push sent, waiting for approval")
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"
GOOGLE_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CT"
PUSH = {"type": "push", "auto": "approve"}
TOTP = {"type": "totp", "secret": TOTP_SECRET}



def verify_path(factor_id):
    return ("POST", "/api/v1/authn/factors/%s/verify" % factor_id)


class SignInTestCase(tm.OktaTestCase):
    LOCAL_USERS = (USER,)  # the module asks NSS for the PAM user first

    def setUp(self):
        super().setUp()
        self.password = "Pw-" + secrets.token_urlsafe(18)
        self.write_conf()

    def defaults(self):
        keys = super().defaults()
        keys.update(sign_in="password", mfa_timeout=10)
        return keys

    def user(self, factors=(), **kw):
        """(Re)register alice with a fresh password; returns {factorType: id}."""
        made = sim().add_authn_user(LOGIN, self.password, list(factors), **kw)
        return {f["factorType"]: f["id"] for f in made["factors"]}

    def sign_in(self, *more_answers, **kw):
        answers = [self.password] + list(more_answers)
        return self.run_pam(answers=answers, **kw)

    # -- views and assertions ------------------------------------------------------
    @staticmethod
    def routes():
        return [q.get("route") for q in sim().requests()]

    def authn_bodies(self):
        return [json.loads(q["body"]) for q in sim().requests()
                if q["path"].startswith("/api/v1/authn")]

    @staticmethod
    def primary_answer():
        """Okta's (the simulator's) answer to the password, as sent."""
        return json.loads(next(q["response_body"] for q in sim().requests()
                               if q["route"] == "authn"))

    def assert_signed_in(self, r):
        self.assert_step(r, "auth", "PAM_SUCCESS")
        self.assertIn("OKTA_SESSION_ID", r.env, r.describe())
        self.assertEqual(self.routes()[-2:], ["create", "refresh"], r.describe())
        self.assert_one_connection(r)

    def assert_one_connection(self, r):
        reqs = sim().requests()
        self.assertEqual({q["conn"] for q in reqs}, {reqs[0]["conn"]},
                         "every request of the login on one connection\n" + r.describe())
        self.assertEqual(len(sim().connections()), 1, "exactly one TLS handshake")

    def assert_refused(self, r, code, reason, message):
        """Failed with code, one log line with the reason naming the user,
        and the one short line for the user."""
        self.assert_failed(r, code)
        self.assertNotIn(CREATE, self.api_requests(), r.describe())
        self.assert_logged(r, "password sign-in for '%s'" % USER, reason)
        self.assertEqual([p for p in r.prompts if p[0] == ERROR_MSG], [(ERROR_MSG, message)],
                         r.describe())

    def assert_cancelled(self, r):
        self.assertEqual(self.routes()[-1], "authn_cancel", r.describe())
        self.assertEqual(sim().requests()[-1]["status"], 200, r.describe())
        self.assert_logged(r, "(transaction cancelled)")


class TestPrimaryAuthentication(SignInTestCase):
    def test_password_only_then_the_usual_workflow_on_one_connection(self):
        self.user()
        r = self.sign_in()
        self.assert_signed_in(r)
        self.assertEqual(self.routes(), ["authn", "create", "refresh"])
        self.assertEqual(r.prompts, [PASSWORD_PROMPT], r.describe())
        self.assertEqual(self.authn_bodies()[0], {
            "username": LOGIN, "password": self.password,
            "options": {"warnBeforePasswordExpired": True, "multiOptionalFactorEnroll": False}})
        self.assertEqual(sim().requests()[0]["headers"]["authorization"],
                         "SSWS " + sim().api_token)
        self.assert_logged(r, "password sign-in for 'alice'", "signed in")

    def test_wrong_password(self):
        self.user()
        r = self.run_pam(answers=["not-" + self.password])
        self.assert_refused(r, "PAM_AUTH_ERR", "wrong username or password",
                            "Okta: sign-in failed")
        self.assertEqual(self.routes(), ["authn"])

    def test_password_refusals_of_okta_are_refusals_not_outages(self):
        """Okta's error list has refusals of the password besides E0000004:
        401 E0000064 (expired) and 403 E0000259 (a breached password that
        must be reset). As outages, a fail-open stack let the local password
        alone in, for the holder of a breached Okta password too."""
        for status, code, reason, message in (
                (401, "E0000064", "password expired", "Okta: your password has expired; "
                 "change it in Okta, then log in again"),
                (403, "E0000259", "password must be reset", "Okta: sign-in failed")):
            with self.subTest(code=code):
                sim().reset()
                self.user()
                sim().fault("authn", "status", status=status, errorCode=code)
                r = self.sign_in()
                self.assert_refused(r, "PAM_AUTH_ERR", reason, message)

    def test_empty_password_refused_without_a_request(self):
        """An empty answer (Enter at the prompt, a scanner on ssh) is never an
        Okta password: refused before any request, so it is no failed
        attempt on the Okta account's lockout counter (review finding)."""
        self.user()
        r = self.run_pam(answers=[""])
        self.assert_refused(r, "PAM_AUTH_ERR", "empty password, nothing sent to Okta",
                            "Okta: sign-in failed")
        self.assert_no_requests(r)

    def test_password_warn_is_skipped(self):
        self.user(state="PASSWORD_WARN")
        r = self.sign_in()
        self.assert_signed_in(r)
        self.assertEqual(self.routes(), ["authn", "authn_skip", "create", "refresh"])

    def test_refusal_states(self):
        cases = (
            ("PASSWORD_EXPIRED", "Okta: your password has expired; change it in Okta, then "
                                 "log in again", True),
            ("LOCKED_OUT", "Okta: your Okta account is locked; unlock it in Okta or ask "
                           "your administrator", False),
            ("MFA_ENROLL", "Okta: set up Okta Verify in Okta first, then log in again", True),
            ("MFA_ENROLL_ACTIVATE", "Okta: set up Okta Verify in Okta first, then log in "
                                    "again", True),
        )
        for state, message, has_transaction in cases:
            with self.subTest(state=state):
                sim().reset()
                self.user(state=state)
                r = self.sign_in()
                self.assert_refused(r, "PAM_AUTH_ERR", state, message)
                if has_transaction:
                    self.assert_cancelled(r)
                else:   # LOCKED_OUT has no transaction to cancel
                    self.assertEqual(self.routes(), ["authn"])

    ENROLL_MESSAGE = "Okta: set up Okta Verify in Okta first, then log in again"

    def test_mfa_enroll_as_okta_sends_it_is_a_refusal_not_an_outage(self):
        """Review finding T8: Okta's MFA_ENROLL lists the factor types to set
        up, without ids. Read as unusable, it gave PAM_AUTHINFO_UNAVAIL and
        "no answer from Okta": a fail-open stack let the user in with the
        local password alone."""
        for factors in ((), [PUSH, TOTP], [{"type": "sms"}]):
            with self.subTest(factors=factors):
                sim().reset()
                self.user(factors, state="MFA_ENROLL")
                r = self.sign_in()
                listed = self.primary_answer()["_embedded"]["factors"]
                self.assertTrue(listed and all("id" not in f and f["status"] == "NOT_SETUP"
                                               for f in listed), listed)
                self.assert_refused(r, "PAM_AUTH_ERR", "MFA_ENROLL: no MFA factor is set up yet",
                                    self.ENROLL_MESSAGE)
                self.assert_cancelled(r)

    def test_mfa_enroll_activate_as_okta_sends_it_is_a_refusal(self):
        """Okta Verify set up but never activated: the activation data and
        its poll link are no push challenge to wait for."""
        self.user(state="MFA_ENROLL_ACTIVATE")
        r = self.sign_in()
        answer = self.primary_answer()
        self.assertIn("activation", answer["_embedded"]["factor"]["_embedded"], answer)
        self.assert_refused(r, "PAM_AUTH_ERR", "MFA_ENROLL_ACTIVATE: no MFA factor is set up yet",
                            self.ENROLL_MESSAGE)
        self.assert_cancelled(r)
        self.assertNotIn("authn_poll", self.routes(), r.describe())

    def test_no_usable_factor(self):
        self.user([{"type": "sms"}])
        r = self.sign_in()
        self.assert_refused(r, "PAM_AUTH_ERR", "no usable factor",
                            "Okta: no Okta Verify push or passcode factor is set up; ask your "
                            "administrator")
        self.assert_cancelled(r)

    def test_okta_5xx_and_unparseable_answers_are_unavailable(self):
        self.user()
        for action, params in (("status", {"status": 500}),
                               ("malformed", {"body": '{"status": '}),
                               ("malformed", {"body": '{"status": 7}'})):
            with self.subTest(action=action, params=params):
                sim().reset()
                sim().fault("authn", action, count=1, **params)
                r = self.sign_in()
                # the user reads a refusal (T2: a name with no account cannot
                # tell an outage); the log line and the code say outage
                self.assert_refused(r, "PAM_AUTHINFO_UNAVAIL", "primaryAuthentication",
                                    "Okta: sign-in failed")

    def test_unreachable(self):
        self.user()
        self.write_conf(org_url="https://127.0.0.1:%d" % closed_port())
        r = self.sign_in()
        self.assert_refused(r, "PAM_AUTHINFO_UNAVAIL", "no usable answer", "Okta: sign-in failed")

    def test_first_pass_options_apply_to_the_password(self):
        """The password an earlier module read (pam_unix's "Password: ",
        stored as PAM_AUTHTOK even for an unknown user) is the Okta password
        with use_first_pass / try_first_pass; without them the module asks."""
        self.user()
        for args, answers, okta_prompts in ((["use_first_pass"], [self.password], 0),
                                            (["try_first_pass"], [self.password], 0),
                                            ([], ["unix-password", self.password], 1)):
            with self.subTest(args=args):
                sim().reset()
                ph.write_service(self.confdir, tm.SERVICE,
                                    ["auth optional pam_unix.so"]
                                    + ph.okta_line("auth", self.conf_path, args=args)
                                    + ["account required pam_permit.so",
                                       "session required pam_permit.so"])
                r = self.run_pam(answers=answers)
                self.assert_signed_in(r)
                self.assertEqual(r.prompts.count(PASSWORD_PROMPT), okta_prompts, r.describe())
                self.assertEqual(self.authn_bodies()[0]["password"], self.password)

    def test_use_first_pass_without_an_earlier_password(self):
        """use_first_pass applies to the password: with no earlier module's
        PAM_AUTHTOK it refuses before any request, without a prompt."""
        self.user()
        ph.write_okta_service(self.confdir, tm.SERVICE, self.conf_path,
                                 args=["use_first_pass"])
        r = self.sign_in()
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assert_no_requests(r)
        self.assertNotIn(PASSWORD_PROMPT, r.prompts)


class TestLocalAccount(SignInTestCase):
    """SECURITY.md T2: through sshd anyone can run PAM for any name; a name
    with no local account, or sshd's placeholder password, must not reach
    Okta (each 401 counts towards the Okta account's lockout), and the
    refusal must take as long as a wrong password's."""

    LOCAL_USERS = (USER, "ALICE")  # ALICE: a local twin of alice (T4)
    GHOST = "ghost"            # an Okta user with no local account
    # sshd's fake_password(): this pattern repeated or cut to the length
    # of what the client typed (14, 24 and 5 bytes typed)
    PLACEHOLDER = b"\b\n\r\x7fINCORRECT"
    PLACEHOLDERS = (PLACEHOLDER, (PLACEHOLDER * 2)[:24], PLACEHOLDER[:5])
    FLOOR = 1.0                # OKTA_SIGNIN_REFUSAL_FLOOR_MS

    def test_unknown_user_sends_nothing_to_okta(self):
        """The Okta password is right: before the fix the ghost signed in."""
        sim().add_authn_user(self.GHOST + "@example.com", self.password, [])
        r = self.run_pam(answers=[self.password], user=self.GHOST)
        self.assert_failed(r, "PAM_USER_UNKNOWN")
        self.assert_no_requests(r)
        self.assertEqual(r.prompts[0], PASSWORD_PROMPT, "asked like any other user")
        self.assertEqual([p for p in r.prompts if p[0] == ERROR_MSG],
                         [(ERROR_MSG, "Okta: sign-in failed")], r.describe())
        self.assert_logged(r, "password sign-in for '%s'" % self.GHOST,
                           "no local account, nothing sent to Okta")
        self.assertGreaterEqual(r.elapsed, self.FLOOR, r.describe())

    def test_sshd_placeholder_password_sends_nothing(self):
        """sshd answers the prompt with its placeholder for a login it will
        refuse (root with PermitRootLogin prohibit-password): alice exists."""
        self.user()
        for placeholder in self.PLACEHOLDERS:
            with self.subTest(placeholder=placeholder):
                sim().reset()
                r = self.run_pam(placeholder)
                self.assert_failed(r, "PAM_AUTH_ERR")
                self.assert_no_requests(r)
                self.assert_logged(r, "password sign-in for '%s'" % USER,
                                   "sshd's placeholder password")
        # Not a placeholder: the pattern must run over the whole answer.
        sim().reset()
        r = self.run_pam(self.PLACEHOLDER + b"x")
        self.assertEqual(self.routes(), ["authn"], r.describe())

    def test_unknown_user_with_sshd_placeholder(self):
        """What sshd sends for an invalid user: no request either."""
        r = self.run_pam(self.PLACEHOLDER, user=self.GHOST)
        self.assert_failed(r, "PAM_USER_UNKNOWN")
        self.assert_no_requests(r)

    def test_failed_lookup_sends_nothing(self):
        """NSS cannot answer (sssd or the LDAP server down): that is not a
        missing user, and not a reason to ask Okta either (fail closed)."""
        shim = os.path.join(ph.BUILDDIR, "tests", ".libs", "getpwnam_fail.so")
        self.assertTrue(os.path.exists(shim), "make check builds " + shim)
        self.user()
        preload = ":".join(filter(None, [shim, os.environ.get("LD_PRELOAD")]))
        asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"),
                                      "verify_asan_link_order=0"]))
        for errno_value, code in ((5, "PAM_SYSTEM_ERR"), (12, "PAM_BUF_ERR")):  # EIO, ENOMEM
            with self.subTest(errno=errno_value):
                sim().reset()
                r = self.run_pam(answers=[self.password],
                                 env={"LD_PRELOAD": preload, "ASAN_OPTIONS": asan,
                                      "PAM_OKTA_TEST_FAIL_GETPWNAM": str(errno_value)})
                self.assert_failed(r, code)
                self.assert_no_requests(r)
                self.assert_logged(r, "cannot look up user '%s'" % USER)

    def test_upper_case_twin_refused_before_the_prompt(self):
        """SECURITY.md T4: alice's Okta password must not open the local
        account ALICE; refused before any prompt or request."""
        self.user()
        r = self.run_pam(answers=[self.password], user="ALICE")
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assert_no_requests(r)
        self.assertNotIn(PASSWORD_PROMPT, r.prompts, r.describe())

    def test_refusals_take_the_same_time_with_or_without_an_account(self):
        """A wrong password (Okta's 401 after 0.4 s), an empty one, sshd's
        placeholder and an unknown user (no request) all end at the floor.
        The fastest of three runs each (the driver's start-up varies with
        the machine's load); without the floor they differ by 0.4 s."""
        self.user()
        sim().fault("authn", "delay", seconds=0.4)
        times = {}
        for what, user, answer in (("wrong password", USER, {"answers": ["not-" + self.password]}),
                                   ("empty password", USER, {"answers": [""]}),
                                   ("sshd placeholder", USER, {"token": self.PLACEHOLDER}),
                                   ("unknown user", self.GHOST, {"answers": [self.password]})):
            for _ in range(3):
                r = self.run_pam(user=user, **answer)
                self.assertIn(r.steps.get("auth"), ("PAM_AUTH_ERR", "PAM_USER_UNKNOWN"),
                              r.describe())
                times[what] = min(times.get(what, r.elapsed), r.elapsed)
        self.assertEqual(self.routes(), ["authn"] * 3, "only the wrong password was sent")
        self.assertGreaterEqual(min(times.values()), self.FLOOR, times)
        self.assertLess(max(times.values()) - min(times.values()), 0.25, times)

    def test_okta_down_does_not_tell_which_names_have_an_account(self):
        """While Okta is unreachable or rate-limits the primary
        authentication (anyone can spend the org's authn rate limit at
        Okta's public endpoint), a known name must read and take like an
        unknown one: the same line for the user, no sooner than the floor;
        the log line and the PAM code still say what happened. Before the
        fix the known name read "no answer from Okta" at once."""
        self.user()
        for fault in ("unreachable", "rate limited"):
            with self.subTest(fault=fault):
                sim().reset()
                if fault == "unreachable":
                    self.write_conf(org_url="https://127.0.0.1:%d" % closed_port())
                else:
                    self.write_conf()
                    sim().fault("authn", "status", status=429, reset_in=60)
                seen = {}
                for user in (USER, self.GHOST):
                    elapsed = []
                    for _ in range(3):
                        r = self.run_pam(answers=[self.password], user=user)
                        self.assertIn(r.steps.get("auth"),
                                      ("PAM_AUTHINFO_UNAVAIL", "PAM_USER_UNKNOWN"), r.describe())
                        elapsed.append(r.elapsed)
                    seen[user] = ([p for p in r.prompts if p[0] == ERROR_MSG], min(elapsed))
                self.assert_step(r, "auth", "PAM_USER_UNKNOWN")
                self.assertEqual(seen[USER][0], seen[self.GHOST][0], seen)
                self.assertGreaterEqual(seen[USER][1], self.FLOOR, seen)
                self.assertLess(abs(seen[USER][1] - seen[self.GHOST][1]), 0.25, seen)


class TestPush(SignInTestCase):
    def test_push_with_number_matching(self):
        ids = self.user([dict(PUSH, number_matching=True)])
        r = self.sign_in("")
        self.assert_signed_in(r)
        push = sim().pushes()[-1]
        number_prompt = (ECHO_ON, "Okta Verify: tap %d on your phone, then press Enter: "
                         % push["correctAnswer"])
        self.assertEqual(r.prompts, [PASSWORD_PROMPT, number_prompt], r.describe())
        self.assertEqual(self.routes(), ["authn", "authn_verify", "authn_poll", "create",
                                         "refresh"])
        self.assertEqual(self.api_requests()[1], verify_path(ids["push"]))

    def test_push_without_number_matching_says_so_and_polls_every_2_s(self):
        self.user([dict(PUSH, after_polls=3)])
        r = self.sign_in()
        self.assert_signed_in(r)
        self.assertEqual(r.prompts, [PASSWORD_PROMPT, PUSH_SENT], r.describe())
        polls = [q["time"] for q in sim().requests() if q.get("route") == "authn_poll"]
        self.assertEqual(len(polls), 3)
        for a, b in zip(polls, polls[1:]):
            self.assertGreaterEqual(b - a, 1.9, "polls 2 s apart")
            self.assertLess(b - a, 3.0, "polls 2 s apart")

    def test_push_approved_through_the_control_interface(self):
        """ignore: only an approval through the simulator ends the wait."""
        import threading
        self.user([{"type": "push", "auto": "ignore", "number_matching": True}])
        approved = {}

        def approve():
            push = sim().wait_for_push(LOGIN)
            approved.update(sim().answer_push(LOGIN, "approve", push["correctAnswer"]))

        t = threading.Thread(target=approve)
        t.start()
        r = self.sign_in("")
        t.join(10)
        self.assert_signed_in(r)
        self.assertEqual(approved["state"], "approved")

    def test_push_rejected(self):
        self.user([dict(PUSH, auto="reject")])
        r = self.sign_in()
        self.assert_refused(r, "PAM_AUTH_ERR", "push rejected", "Okta: push rejected")
        self.assert_cancelled(r)

    def test_push_timed_out_at_okta(self):
        self.user([dict(PUSH, auto="timeout")])
        r = self.sign_in()
        self.assert_refused(r, "PAM_AUTH_ERR", "push timed out at Okta",
                            "Okta: push not approved in time")

    def test_push_cancelled_by_the_user_is_a_refusal(self):
        """factorResult CANCELLED, "canceled by the user" (the reference's
        Factor result table), ended as an unknown factorResult:
        PAM_AUTHINFO_UNAVAIL, which a fail-open stack turns into a
        local-password login."""
        self.user([dict(PUSH, auto="reject")])
        sim().fault("authn_poll", "patch",
                    replace=[['"factorResult": "REJECTED"', '"factorResult": "CANCELLED"']])
        r = self.sign_in()
        self.assert_refused(r, "PAM_AUTH_ERR", "push cancelled", "Okta: push rejected")
        self.assert_cancelled(r)

    def test_mfa_timeout_is_honoured_within_a_second(self):
        self.user([dict(PUSH, auto="ignore")])
        r = self.sign_in()
        self.assert_refused(r, "PAM_AUTH_ERR", "push not approved within mfa_timeout (10 s)",
                            "Okta: push not approved in time")
        self.assert_cancelled(r)
        reqs = sim().requests()
        # mfa_timeout runs from Okta's answer to the verify (the push is out),
        # which leaves the simulator just after this time
        sent = next(q["time"] for q in reqs if q.get("route") == "authn_verify")
        cancelled = reqs[-1]["time"]
        self.assertGreaterEqual(cancelled - sent, 10.0, r.describe())
        self.assertLess(cancelled - sent, 11.0, r.describe())

    def test_rate_limited_poll_waits_for_the_reset(self):
        self.user([dict(PUSH, after_polls=2)])
        sim().fault("authn_poll", "status", status=429, count=2, reset_in=2)
        r = self.sign_in()
        self.assert_signed_in(r)
        statuses = [q["status"] for q in sim().requests() if q.get("route") == "authn_poll"]
        self.assertEqual(statuses, [429, 429, 200, 200], r.describe())

    def test_rate_limited_past_the_deadline_is_unavailable(self):
        self.user([dict(PUSH, auto="ignore")])
        sim().fault("authn_poll", "status", status=429, reset_in=60)
        r = self.sign_in()
        self.assert_refused(r, "PAM_AUTHINFO_UNAVAIL", "rate limited",
                            "Okta: no answer from Okta, try again later")
        self.assertLess(r.elapsed, 8, "did not wait for a reset past the deadline")

    def test_mfa_push_sends_the_push_without_asking(self):
        self.write_conf(mfa="push")
        self.user([PUSH, TOTP])
        r = self.sign_in()
        self.assert_signed_in(r)
        self.assertEqual(r.prompts, [PASSWORD_PROMPT, PUSH_SENT], r.describe())

    def test_enter_at_the_mfa_prompt_sends_a_push(self):
        self.user([PUSH, TOTP])
        r = self.sign_in("")
        self.assert_signed_in(r)
        self.assertEqual(r.prompts, [PASSWORD_PROMPT, MFA_PROMPT, PUSH_SENT], r.describe())

    def test_conversation_failure_cancels(self):
        self.user([PUSH, TOTP])
        r = self.sign_in()   # no answer for the MFA prompt
        self.assert_failed(r, "PAM_CONV_ERR")
        self.assert_cancelled(r)


class TestPasscode(SignInTestCase):
    def test_totp_passcode(self):
        ids = self.user([PUSH, TOTP])
        code = sim().totp(TOTP_SECRET)
        secretlog.record_secrets("passcode", [code])
        r = self.sign_in(code)
        self.assert_signed_in(r)
        self.assertEqual(r.prompts, [PASSWORD_PROMPT, MFA_PROMPT], r.describe())
        self.assertEqual(self.api_requests()[1], verify_path(ids["token:software:totp"]))
        self.assertEqual(set(self.authn_bodies()[1]), {"stateToken", "passCode"})
        self.assertEqual(self.authn_bodies()[1]["passCode"], code)

    def test_okta_totp_before_google(self):
        made = sim().add_authn_user(LOGIN, self.password, [
            {"type": "totp", "provider": "GOOGLE", "secret": GOOGLE_SECRET}, TOTP])
        okta_id = [f["id"] for f in made["factors"]][1]
        r = self.sign_in(sim().totp(TOTP_SECRET))
        self.assert_signed_in(r)
        self.assertEqual(self.api_requests()[1], verify_path(okta_id))
        # Google's alone is used too, with the passcode prompt
        sim().reset()
        sim().add_authn_user(LOGIN, self.password, [
            {"type": "totp", "provider": "GOOGLE", "secret": GOOGLE_SECRET}])
        r = self.sign_in(sim().totp(GOOGLE_SECRET))
        self.assert_signed_in(r)
        self.assertEqual(r.prompts, [PASSWORD_PROMPT, (ECHO_ON, "Okta passcode: ")])

    def test_wrong_passcode_is_verified_once(self):
        self.user([PUSH, TOTP])
        wrong = "%06d" % ((int(sim().totp(TOTP_SECRET)) + 500000) % 1000000)
        r = self.sign_in(wrong)
        self.assert_refused(r, "PAM_AUTH_ERR", "wrong passcode", "Okta: sign-in failed")
        self.assertEqual(self.routes(), ["authn", "authn_verify", "authn_cancel"])
        self.assert_cancelled(r)

    EXPIRED_MESSAGE = "Okta: your password has expired; change it in Okta, then log in again"

    def mfa_answers(self, factor):
        """What the user answers at the MFA prompt for that factor."""
        return [sim().totp(TOTP_SECRET)] if factor is TOTP else []

    def test_password_expired_after_mfa_is_a_refusal_not_an_outage(self):
        """Okta challenges a user with an active factor for MFA before
        PASSWORD_EXPIRED (the reference's note on the expired-password
        example). After a passcode, that state read as "unexpected":
        PAM_AUTHINFO_UNAVAIL and "no answer from Okta", so a fail-open stack
        let the user in with the local password alone (review of T8)."""
        for factor in (TOTP, PUSH):
            with self.subTest(factor=factor["type"]):
                sim().reset()
                self.user([factor], state="PASSWORD_EXPIRED")
                r = self.sign_in(*self.mfa_answers(factor))
                self.assertEqual(self.primary_answer()["status"], "MFA_REQUIRED")
                self.assert_refused(r, "PAM_AUTH_ERR", "PASSWORD_EXPIRED", self.EXPIRED_MESSAGE)
                self.assert_cancelled(r)

    def test_password_warn_after_mfa_is_skipped(self):
        """PASSWORD_WARN comes "before SUCCESS" (the reference's options
        object), after a verified factor too: skipped, not an outage."""
        for factor in (TOTP, PUSH):
            with self.subTest(factor=factor["type"]):
                sim().reset()
                self.user([factor], state="PASSWORD_WARN")
                r = self.sign_in(*self.mfa_answers(factor))
                self.assert_signed_in(r)
                self.assertEqual(self.routes()[-4:-2], ["authn_verify" if factor is TOTP
                                                        else "authn_poll", "authn_skip"])

    def test_passcode_refusals_of_okta_are_refusals_not_outages(self):
        """Okta's documented refusals of a factor (its error list: E0000082 a
        code used before, E0000083 outside its time window, E0000069 MFA
        locked after failed attempts) gave PAM_AUTHINFO_UNAVAIL: whoever
        knows the Okta password could type a used code, or wrong ones until
        the lock, and a fail-open stack let them in with the local password
        alone."""
        self.user([PUSH, TOTP])
        code = sim().totp(TOTP_SECRET)
        self.assert_signed_in(self.sign_in(code))
        sim().reset()
        r = self.sign_in(code)
        self.assert_refused(r, "PAM_AUTH_ERR", "passcode used before (verifyFactor: HTTP 403 "
                            "E0000082", "Okta: sign-in failed")
        self.assert_cancelled(r)
        for code, reason, message in (
                ("E0000083", "passcode outside its time window", "Okta: sign-in failed"),
                ("E0000069", "MFA locked after failed attempts",
                 "Okta: your Okta account is locked; unlock it in Okta or ask your "
                 "administrator")):
            with self.subTest(code=code):
                sim().reset()
                sim().fault("authn_verify", "status", status=403, errorCode=code)
                r = self.sign_in("123456")
                self.assert_refused(r, "PAM_AUTH_ERR", reason, message)
                self.assert_cancelled(r)

    def test_passcode_refused_in_a_challenge_is_a_refusal(self):
        """The reference's Factor result table has PASSCODE_REPLAYED and
        TIME_WINDOW_EXCEEDED for the last verification of an MFA_CHALLENGE:
        the user's passcode was refused, no outage."""
        for result in ("PASSCODE_REPLAYED", "TIME_WINDOW_EXCEEDED"):
            with self.subTest(result=result):
                sim().reset()
                ids = self.user([TOTP])
                body = {"stateToken": "00" + "s" * 40, "status": "MFA_CHALLENGE",
                        "factorResult": result, "_embedded": {"factor": {
                            "id": ids["token:software:totp"],
                            "factorType": "token:software:totp", "provider": "OKTA"}},
                        "_links": {"next": {"name": "verify", "href": sim().org_url +
                                            verify_path(ids["token:software:totp"])[1]}}}
                sim().fault("authn_verify", "malformed", status=200, body=json.dumps(body))
                r = self.sign_in("123456")
                self.assert_refused(r, "PAM_AUTH_ERR", "factorResult " + result,
                                    "Okta: sign-in failed")

    EXPIRED_TX_MESSAGE = "Okta: the sign-in took too long; log in again"

    def test_transaction_expired_at_the_prompt_is_a_refusal(self):
        """su and sudo wait for their user as long as it takes: after five
        minutes at the MFA prompt Okta's transaction has expired, and the
        verify (or the poll after a number-matching prompt) gets the
        reference's 401 E0000011 for an expired state token. Read as an
        outage, whoever knows the Okta password only had to wait to pass a
        fail-open stack with the local password."""
        for factor, route, answers in ((TOTP, "authn_verify", ["123456"]),
                                       (dict(PUSH, auto="ignore"), "authn_poll", [])):
            with self.subTest(route=route):
                sim().reset()
                self.user([factor])
                sim().fault(route, "status", status=401, errorCode="E0000011")
                r = self.sign_in(*answers)
                self.assert_refused(r, "PAM_AUTH_ERR", "transaction expired (",
                                    self.EXPIRED_TX_MESSAGE)

    def test_answer_neither_empty_nor_digits(self):
        self.user([PUSH, TOTP])
        r = self.sign_in("12ab")
        self.assert_refused(r, "PAM_AUTH_ERR", "neither empty", "Okta: sign-in failed")
        self.assertEqual(self.routes(), ["authn", "authn_cancel"])


class TestLinks(SignInTestCase):
    def test_foreign_links_are_not_followed(self):
        cases = (
            ("next", "https://evil.example/api/v1/authn/factors/x/verify", [PUSH]),
            ("next", "%s/api/v1/sessions" % sim().org_url, [PUSH]),
            ("next", "%s/api/v1/authn/../sessions" % sim().org_url, [PUSH]),
            ("verify", "https://127.0.0.1:1/api/v1/authn/factors/x/verify", [PUSH]),
        )
        for name, url, factors in cases:
            with self.subTest(link=name, url=url):
                sim().reset()
                self.user(factors, links={name: url})
                r = self.sign_in()
                self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
                self.assert_logged(r, "not followed")
                for q in sim().requests():
                    self.assertTrue(q["path"].startswith("/api/v1/authn"), q["path"])
                self.assertNotIn("authn_poll", self.routes())

    def test_foreign_cancel_link_not_followed(self):
        self.user([dict(PUSH, auto="reject")],
                  links={"cancel": "https://evil.example/api/v1/authn/cancel"})
        r = self.sign_in()
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assertNotIn("authn_cancel", self.routes())
        self.assert_logged(r, "cancelTransaction", "not followed")


class TestForwardedFor(SignInTestCase):
    def forwarded(self):
        return [(q.get("route"), q["headers"].get("x-forwarded-for"))
                for q in sim().requests()]

    def test_sent_only_with_an_address(self):
        self.user([dict(PUSH, after_polls=1)])
        for rhost, conf, want in (("192.0.2.7", "yes", "192.0.2.7"),
                                  ("2001:db8::17", "yes", "2001:db8::17"),
                                  ("client.example.com", "yes", None),
                                  ("192.0.2.7\r\nX-Evil: 1", "yes", None),
                                  (None, "yes", None),
                                  ("192.0.2.7", "no", None)):
            with self.subTest(rhost=rhost, forward_client_ip=conf):
                sim().reset()
                self.write_conf(forward_client_ip=conf)
                r = self.sign_in(rhost=rhost)
                self.assert_signed_in(r)
                self.assertEqual(self.forwarded(), [
                    ("authn", want), ("authn_verify", want), ("authn_poll", want),
                    ("create", None), ("refresh", None)])


class TestSecrets(SignInTestCase):
    def test_no_secret_in_any_log_line(self):
        self.user([PUSH, TOTP])
        runs = [self.sign_in(sim().totp(TOTP_SECRET)),
                self.sign_in("000000" if sim().totp(TOTP_SECRET) != "000000" else "111111"),
                self.sign_in(""),
                self.run_pam(answers=["wrong-" + self.password])]
        secrets_ = [self.password] + sim()._call("GET", "/secrets")[1]
        for q in sim().requests():
            body = json.loads(q["response_body"] or "{}") if q["response_body"].startswith("{") \
                else {}
            secrets_ += [body[k] for k in ("stateToken", "sessionToken") if k in body]
        self.assertGreater(len(secrets_), 5)
        for r in runs:
            for line in r.logs + [r.stderr]:
                for secret in secrets_:
                    self.assertNotIn(secret, line)


class TestUserMessages(SignInTestCase):
    def test_session_token_mode_ends_a_refusal_with_one_short_line(self):
        self.write_conf(sign_in=None)
        r = self.run_pam(b"20111not-a-token-the-simulator-knows")
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assertEqual([p for p in r.prompts if p[0] == ERROR_MSG],
                         [(ERROR_MSG, "Okta: sign-in failed")], r.describe())

    def test_pam_silent_keeps_info_and_error_lines_back(self):
        """PAM_SILENT: the prompts still come (they are questions), the
        push-sent info and the refusal line do not."""
        self.user([dict(PUSH, auto="reject")])
        r = self.sign_in(silent=True)
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assertEqual(r.prompts, [PASSWORD_PROMPT], r.describe())
        self.write_conf(sign_in=None)
        r = self.run_pam(b"20111not-a-token-the-simulator-knows", silent=True)
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assertEqual([p for p in r.prompts if p[0] in (ERROR_MSG, TEXT_INFO)], [],
                         r.describe())


if __name__ == "__main__":
    taprunner.main()
