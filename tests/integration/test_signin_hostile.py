#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""sign_in = password against a hostile or rate-limiting Okta: the simulator's
hostile modes (tests/sim/README.md) on the three authn requests of a login,
primaryAuthentication (/api/v1/authn), verifyFactor (the push verify) and
pollFactor (the poll of that push), and Okta's 429 on each.

Every hostile or unexpected answer must fail closed with PAM_AUTHINFO_UNAVAIL (issue 10:
"Okta unreachable, 5xx, 429 past the deadline, a 200 that does not parse"),
within the deadline, with one log line saying which request failed, the user's
one short line, no session created, and the transaction cancelled whenever
there is one (the verify and the poll; a failed primary authentication has no
state token to cancel with).

Run: python3 tests/integration/test_signin_hostile.py [name-substring...]   (as root)
Env: as tests/integration/test_module.py.
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import taprunner  # noqa: E402
import test_signin as ts  # noqa: E402  (its SignInTestCase, on test_module's simulator)

setUpModule = ts.setUpModule
tearDownModule = ts.tearDownModule
sim = ts.sim

TIMEOUT = 2          # `timeout` (each HTTP exchange) in these tests
MFA_TIMEOUT = 10
SLACK = 1.5          # as tests/integration/test_hostile.py: harness time on a loaded machine
UNAVAILABLE_MSG = "Okta: no answer from Okta, try again later"
REFUSED_MSG = "Okta: sign-in failed"
CALLS = {"authn": "primaryAuthentication", "authn_verify": "verifyFactor",
         "authn_poll": "pollFactor"}

# (name, fault action, fault parameters, what the log line says)
TRANSPORT = (
    ("slowloris headers", "trickle", {"interval": 0.1}, "timed out"),
    ("slowloris body", "trickle", {"interval": 0.1, "part": "body"}, "timed out"),
    ("oversized body", "oversized", {"size": 2 * 1024 * 1024},
     "Maximum file size exceeded (curl error 63)"),
    ("huge headers", "huge_headers", {"size": 1024 * 1024, "line": 1000},
     "response headers larger than 65536 bytes"),
    ("endless headers", "endless_headers", {"seconds": 30},
     "response headers larger than 65536 bytes"),
    ("cut body", "cut", {}, "curl error 18"),
)


def content(status):
    """(name, fault action, parameters, log needle) that spoil the JSON of an
    answer whose status is `status`; the stateToken/sessionToken values are
    random, so a patch turns `"key": "` into `"key": 7, "x": "`."""
    st = '"status": "%s"' % status
    token = "sessionToken" if status == "SUCCESS" else "stateToken"
    return (
        ("invalid JSON", "malformed", {"body": '{"status": '}, "not valid JSON"),
        ("not an object", "malformed", {"body": '["%s"]' % status}, "HTTP 200 but unusable"),
        ("duplicate status", "patch", {"replace": [[st, '"status": "SUCCESS", ' + st]]},
         "names a key twice"),
        ("escaped duplicate status", "patch",
         {"replace": [[st, '"st\\u0061tus": "SUCCESS", ' + st]]}, "names a key twice"),
        ("number for status", "patch", {"replace": [[st, '"status": 7']]}, "not a string"),
        ("number for " + token, "patch",
         {"replace": [['"%s": "' % token, '"%s": 7, "x": "' % token]]}, "not a string"),
        ("no status", "patch", {"replace": [[st, '"state": "%s"' % status]]}, "not a string"),
    )


class HostileSignIn(ts.SignInTestCase):
    def defaults(self):
        keys = super().defaults()
        keys.update(timeout=TIMEOUT, mfa_timeout=MFA_TIMEOUT)
        return keys

    def hostile_user(self):
        """A push nobody answers: the primary answers MFA_REQUIRED, the
        verify and every poll MFA_CHALLENGE WAITING, and the transaction
        stays open for the cancel."""
        return self.user([dict(ts.PUSH, auto="ignore")])

    def assert_told_unavailable(self, r, answered=True):
        """The one short line for the user. Until Okta has answered the
        password with a transaction, an outage reads as a refusal: a name
        with no local account sends nothing, so it reads the same whether
        Okta is up or down (SECURITY.md T2)."""
        self.assertEqual([p for p in r.prompts if p[0] == ts.ERROR_MSG],
                         [(ts.ERROR_MSG, UNAVAILABLE_MSG if answered else REFUSED_MSG)],
                         r.describe())

    def assert_unavailable(self, r, route, needle, budget):
        """PAM_AUTHINFO_UNAVAIL within `budget` s, a log line naming the
        failed request, the one short line, no session; the transaction
        cancelled when there was one."""
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assertNotIn(ts.CREATE, self.api_requests(), r.describe())
        self.assertLess(r.elapsed, budget + SLACK,
                        "took %.2fs, budget %ss\n%s" % (r.elapsed, budget, r.describe()))
        self.assert_logged(r, CALLS[route], needle)
        self.assert_logged(r, "password sign-in for '%s'" % ts.USER, CALLS[route])
        self.assert_told_unavailable(r, answered=route != "authn")
        if route == "authn":
            self.assertNotIn("authn_cancel", self.routes(), r.describe())
        else:
            self.assert_cancelled(r)

    def run_faults(self, route, cases, budget):
        for name, action, params, needle in cases:
            with self.subTest(route=route, case=name):
                sim().reset()
                self.hostile_user()
                sim().fault(route, action, **params)
                r = self.sign_in()
                self.assertIn(route, self.routes(), r.describe())
                self.assertEqual([q["fault"] for q in sim().requests()
                                  if q.get("route") == route][:1], [action], r.describe())
                self.assert_unavailable(r, route, needle, budget)


class TestHostileTransport(HostileSignIn):
    """Slowloris, oversized and cut answers: each exchange ends at `timeout`
    or at the size cap; the poll, safe to repeat, is tried at most twice."""

    def test_primary_authentication(self):
        self.run_faults("authn", TRANSPORT, TIMEOUT)

    def test_push_verify(self):
        self.run_faults("authn_verify", TRANSPORT, TIMEOUT)

    def test_poll(self):
        self.run_faults("authn_poll", TRANSPORT, 2 * TIMEOUT)

    def test_slowloris_is_cut_at_the_timeout_not_before(self):
        self.hostile_user()
        sim().fault("authn_verify", "trickle", interval=0.1)
        r = self.sign_in()
        self.assert_unavailable(r, "authn_verify", "timed out", TIMEOUT)
        verify = next(q for q in sim().requests() if q.get("route") == "authn_verify")
        cancel = sim().requests()[-1]
        self.assertGreaterEqual(cancel["time"] - verify["time"], TIMEOUT - 0.1,
                                "gave up before the timeout?\n" + r.describe())


class TestHostileContent(HostileSignIn):
    """A 200 that does not parse as an authentication transaction."""

    def test_primary_authentication(self):
        self.run_faults("authn", content("MFA_REQUIRED"), 1)

    def test_push_verify(self):
        self.run_faults("authn_verify", content("MFA_CHALLENGE"), 1)

    def test_poll(self):
        self.run_faults("authn_poll", content("MFA_CHALLENGE"), 1)

    def test_number_for_factor_result(self):
        self.hostile_user()
        sim().fault("authn_verify", "patch",
                    replace=[['"factorResult": "WAITING"', '"factorResult": 1']])
        r = self.sign_in()
        self.assert_unavailable(r, "authn_verify", "not a string", 1)

    def test_success_without_session_token(self):
        """SUCCESS without a sessionToken: from the primary authentication
        (a user without MFA) and from the poll."""
        cases = (("authn", [], "primaryAuthentication"),
                 ("authn_poll", [dict(ts.PUSH, after_polls=1)], "pollFactor"))
        for route, factors, call in cases:
            with self.subTest(route=route):
                sim().reset()
                self.user(factors)
                sim().fault(route, "patch", replace=[['"sessionToken": "', '"sessionTokn": "']])
                r = self.sign_in()
                self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
                self.assertNotIn(ts.CREATE, self.api_requests(), r.describe())
                self.assert_logged(r, "password sign-in for '%s'" % ts.USER,
                                   "SUCCESS without a usable sessionToken")
                self.assert_told_unavailable(r)
                if route == "authn":
                    self.assertEqual(self.routes(), ["authn"], r.describe())
                else:
                    # Okta ended the transaction with its SUCCESS; the module
                    # still tries the cancel with the last state token it had.
                    self.assertEqual(self.routes()[-1], "authn_cancel", r.describe())

    def test_5xx_on_verify_and_poll(self):
        for route in ("authn_verify", "authn_poll"):
            for status in (500, 503):
                with self.subTest(route=route, status=status):
                    sim().reset()
                    self.hostile_user()
                    sim().fault(route, "status", status=status)
                    r = self.sign_in()
                    self.assert_unavailable(r, route, "HTTP %d" % status, TIMEOUT)


class TestUnexpectedStates(HostileSignIn):
    """Well-formed answers in a state the flow does not expect: Okta (or
    something posing as it) is not behaving as the API says, so
    PAM_AUTHINFO_UNAVAIL, the transaction cancelled."""

    def check(self, factors, route, replace, reason, **user):
        self.user(factors, **user)
        sim().fault(route, "patch", replace=replace)
        r = self.sign_in()
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assertNotIn(ts.CREATE, self.api_requests(), r.describe())
        self.assert_logged(r, "password sign-in for '%s'" % ts.USER, reason)
        self.assert_told_unavailable(r)
        self.assert_cancelled(r)

    def test_unknown_status(self):
        for route, status in (("authn", "MFA_REQUIRED"), ("authn_verify", "MFA_CHALLENGE"),
                              ("authn_poll", "MFA_CHALLENGE")):
            with self.subTest(route=route):
                sim().reset()
                self.check([dict(ts.PUSH, auto="ignore")], route,
                           [['"status": "%s"' % status, '"status": "RECOVERY"']],
                           "unexpected transaction state RECOVERY")

    def test_unknown_factor_result(self):
        for route in ("authn_verify", "authn_poll"):
            with self.subTest(route=route):
                sim().reset()
                self.check([dict(ts.PUSH, auto="ignore")], route,
                           [['"factorResult": "WAITING"', '"factorResult": "PENDING"']],
                           "challenge without a known factorResult")

    def test_mfa_required_again_after_the_factor(self):
        # the challenged factor moves to "factor": an MFA_REQUIRED lists
        # factors, and a challenge's object there would be unreadable
        self.check([dict(ts.PUSH, auto="ignore")], "authn_poll",
                   [['"status": "MFA_CHALLENGE"', '"status": "MFA_REQUIRED"'],
                    ['"factors": {', '"factor": {']],
                   "MFA_REQUIRED again after a factor was verified")

    def test_passcode_answered_with_a_challenge(self):
        self.user([ts.PUSH, ts.TOTP])
        sim().fault("authn_verify", "patch",
                    replace=[['"status": "SUCCESS"', '"status": "MFA_CHALLENGE"']])
        r = self.sign_in(sim().totp(ts.TOTP_SECRET))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assert_logged(r, "password sign-in", "unexpected transaction state MFA_CHALLENGE")
        self.assertNotIn(ts.CREATE, self.api_requests(), r.describe())

    def test_password_warn_without_skip_link(self):
        self.check([], "authn", [['"skip": {', '"skipped": {']],
                   "PASSWORD_WARN without a skip link", state="PASSWORD_WARN")


class TestRateLimits(HostileSignIn):
    """429: waited out when X-Rate-Limit-Reset falls within the deadline
    (`timeout` for one request; mfa_timeout for the polls), otherwise
    PAM_AUTHINFO_UNAVAIL at once."""

    def defaults(self):
        keys = super().defaults()
        keys.update(timeout=5)
        return keys

    @staticmethod
    def push_to_cancel():
        """Seconds from the push verify to the last request (the cancel)."""
        reqs = sim().requests()
        sent = next(q["time"] for q in reqs if q.get("route") == "authn_verify")
        return reqs[-1]["time"] - sent

    @staticmethod
    def poll_statuses():
        return [q["status"] for q in sim().requests() if q.get("route") == "authn_poll"]

    def test_429_on_the_password_request_waits_for_the_reset(self):
        self.user()
        reset = int(time.time()) + 2
        sim().fault("authn", "status", status=429, count=1,
                    headers={"X-Rate-Limit-Reset": str(reset)})
        r = self.sign_in()
        self.assert_signed_in(r)
        self.assertEqual(self.routes(), ["authn", "authn", "create", "refresh"])
        retried = sim().requests()[1]["time"]
        self.assertGreaterEqual(retried, reset - 0.05, "sent again before the reset")
        self.assertLess(retried, reset + 1.0, "waited too long after the reset")
        self.assert_logged(r, "primaryAuthentication", "HTTP 429", "retrying once")

    def test_429_on_the_password_request_past_the_timeout(self):
        self.user()
        sim().fault("authn", "status", status=429,
                    headers={"X-Rate-Limit-Reset": str(int(time.time()) + 30)})
        r = self.sign_in()
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assertEqual(self.routes(), ["authn"], "one attempt, no wait, nothing to cancel")
        self.assertLess(r.elapsed, 1 + SLACK, "must not wait for a reset past the timeout")
        self.assert_logged(r, "password sign-in for '%s'" % ts.USER, "primaryAuthentication",
                           "HTTP 429 (rate limited)")
        self.assert_told_unavailable(r, answered=False)

    def test_429_twice_on_the_password_request(self):
        self.user()
        sim().fault("authn", "status", status=429, reset_in=1)
        r = self.sign_in()
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assertEqual(self.routes(), ["authn", "authn"], "retried once only")
        self.assert_logged(r, "password sign-in", "primaryAuthentication", "HTTP 429")

    def test_429_on_the_verify(self):
        self.hostile_user()
        sim().fault("authn_verify", "status", status=429,
                    headers={"X-Rate-Limit-Reset": str(int(time.time()) + 30)})
        r = self.sign_in()
        self.assert_unavailable(r, "authn_verify", "HTTP 429", 1)
        self.assertEqual(self.routes(), ["authn", "authn_verify", "authn_cancel"])

    def test_429_on_every_poll_until_mfa_timeout(self):
        """Okta rate-limits every poll, each time with a reset in about a
        second: the module waits each out, and when mfa_timeout runs out
        it is Okta that could not be asked (PAM_AUTHINFO_UNAVAIL), not a
        push the user left unanswered; cancelled, within a second."""
        self.hostile_user()
        sim().fault("authn_poll", "status", status=429, reset_in=1)
        r = self.sign_in()
        self.assert_unavailable(r, "authn_poll", "rate limited", MFA_TIMEOUT + 1)
        self.assertLess(self.push_to_cancel(), MFA_TIMEOUT + 1.0, r.describe())
        self.assertGreater(len(self.poll_statuses()), 2, r.describe())
        self.assertEqual(set(self.poll_statuses()), {429}, r.describe())

    def test_429_whose_reset_leaves_no_poll_before_mfa_timeout(self):
        """The first poll is rate-limited until about 8-9 s after the push:
        the module waits that out, and its next poll would come after
        mfa_timeout. Okta was never asked whether the push was approved,
        so this is Okta unavailable, not "push not approved in time"."""
        self.hostile_user()
        sim().fault("authn_poll", "status", status=429,
                    headers={"X-Rate-Limit-Reset": str(int(time.time()) + 9)})
        r = self.sign_in()
        self.assert_unavailable(r, "authn_poll", "rate limited (HTTP 429) past the push deadline",
                                MFA_TIMEOUT + 1)
        self.assertGreaterEqual(self.push_to_cancel(), MFA_TIMEOUT, r.describe())
        self.assertLess(self.push_to_cancel(), MFA_TIMEOUT + 1.0, r.describe())
        self.assertEqual(self.poll_statuses(), [429], r.describe())

    def test_poll_that_runs_into_mfa_timeout(self):
        """Four polls answer WAITING, the fifth (about 8 s after the push)
        gets no answer before mfa_timeout: cut at the deadline, and it is
        Okta that did not answer (PAM_AUTHINFO_UNAVAIL)."""
        self.write_conf(timeout=3)
        self.hostile_user()
        sim().fault("authn_poll", "delay", seconds=30, skip=4)
        r = self.sign_in()
        self.assert_unavailable(r, "authn_poll", "no answer from Okta before the push deadline",
                                MFA_TIMEOUT + 1)
        self.assertGreaterEqual(self.push_to_cancel(), MFA_TIMEOUT, r.describe())
        self.assertLess(self.push_to_cancel(), MFA_TIMEOUT + 1.0, r.describe())
        self.assertEqual(len(self.poll_statuses()), 5, r.describe())


class TestOneTimeoutPerCall(HostileSignIn):
    """`timeout` bounds all of one pam_authenticate's HTTP work, the sign-in's
    requests and the workflow's together (T9); only the push wait (and the
    user's typing) is outside it, under mfa_timeout."""

    BUDGET = 3

    def defaults(self):
        keys = super().defaults()
        keys.update(timeout=self.BUDGET)
        return keys

    def slow(self, seconds, routes=("authn", "authn_verify", "create", "refresh")):
        for route in routes:
            sim().fault(route, "delay", seconds=seconds)

    def test_slow_answers_together_past_the_timeout(self):
        """Each answer well within `timeout`, together past it: the password
        request, the push verify and createSession take 1.4 s each (4.2 s of
        HTTP work against a budget of 3 s). Refused when the budget runs out,
        not after every request had a `timeout` of its own (
        PAM_SUCCESS, 5.8 s, before)."""
        self.user([dict(ts.PUSH, auto="approve")])
        self.slow(1.4)
        r = self.sign_in()
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assertLess(r.elapsed, self.BUDGET + SLACK, r.describe())
        self.assertEqual(self.routes()[:3], ["authn", "authn_verify", "authn_poll"],
                         r.describe())
        self.assert_logged(r, "createSession", "timed out")
        self.assertNotIn("OKTA_SESSION_ID", r.env, r.describe())

    def test_slow_answers_within_the_timeout(self):
        """The same login with answers of 0.5 s (2 s of HTTP work, the poll
        aside): within the budget, signed in."""
        self.user([dict(ts.PUSH, auto="approve")])
        self.slow(0.5)
        r = self.sign_in()
        self.assert_step(r, "auth", "PAM_SUCCESS")
        self.assertGreaterEqual(r.elapsed, 2.0, r.describe())

    def test_the_push_wait_is_not_charged(self):
        """The push is approved at the third poll, about 4 s after it was
        sent: longer than `timeout`, but that is the push wait (mfa_timeout);
        the requests around it, 0.4 s each, fit the budget: signed in."""
        self.user([dict(ts.PUSH, auto="approve", after_polls=3)])
        self.slow(0.4)
        r = self.sign_in()
        self.assert_step(r, "auth", "PAM_SUCCESS")
        self.assertGreater(r.elapsed, self.BUDGET + 1, r.describe())
        self.assertEqual(self.routes().count("authn_poll"), 3, r.describe())


if __name__ == "__main__":
    taprunner.main()
