#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Integration tests: pam_okta_session.so through real libpam against the simulator.

Run: python3 tests/integration/test_module.py [name-substring...]   (as root)
Env: PAM_OKTA_MODULE, PAM_OKTA_DRIVER, PAM_OKTA_SRCDIR, PAM_OKTA_BUILDDIR.
The frame (simulator, OktaTestCase) is tests/lib/moduletest.py.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import pamharness as ph  # noqa: E402
import taprunner  # noqa: E402
from moduletest import (CREATE, LOGIN, PAM_PROMPT_ECHO_OFF, SERVICE,  # noqa: E402
                        BadCertificateServers, OktaTestCase, delete, get, refresh, sim)
from moduletest import setUpModule, tearDownModule  # noqa: E402,F401  (one simulator)
from simlib import closed_port  # noqa: E402


class TestAuthenticate(OktaTestCase):
    def test_success(self):
        r, sid, minted = self.login()
        reqs = sim().requests()
        self.assert_requests([CREATE, refresh(sid)], r)
        self.assertEqual(reqs[0]["conn"], reqs[1]["conn"], "create and refresh on one connection")
        self.assertEqual(len(sim().connections()), 1, "exactly one TLS handshake")
        created, refreshed = self.response_json(0), self.response_json(1)
        self.assertNotEqual(created["expiresAt"], refreshed["expiresAt"])
        self.assertEqual(r.okta_env(), {
            "OKTA_SESSION_ID": sid,
            "OKTA_USER_ID": minted["userId"],
            "OKTA_SESSION_EXPIRES_AT": refreshed["expiresAt"],
        })
        self.assertEqual([style for style, _ in r.prompts if style in (1, 2)],
                         [PAM_PROMPT_ECHO_OFF], "exactly one token prompt, echo off")

    def test_request_format(self):
        token = self.login()[2]["sessionToken"]
        create, ref = sim().requests()
        for q in (create, ref):
            h = q["headers"]
            self.assertEqual(h.get("authorization"), "SSWS " + sim().api_token)
            self.assertEqual(h.get("accept"), "application/json")
            self.assertTrue(h.get("user-agent", "").startswith("pam_okta_session/"), h)
        self.assertEqual(create["headers"].get("content-type", "").split(";")[0].strip(),
                         "application/json")
        self.assertEqual(json.loads(create["body"]), {"sessionToken": token})

    def test_login_case_insensitive(self):
        self.login("ALICE@Example.com")

    def test_setcred(self):
        r = self.login(steps="auth,setcred")[0]
        self.assert_step(r, "setcred", "PAM_SUCCESS")

    def test_token_with_quote_and_backslash(self):
        token = '20111ab"cd\\ef"\\'
        self.assertEqual(sim().mint(LOGIN, token=token), token)
        r = self.run_pam(token)
        self.assert_step(r, "auth", "PAM_SUCCESS")
        self.assertEqual(json.loads(sim().requests()[0]["body"]), {"sessionToken": token})

    def test_token_of_4096_bytes_is_sent(self):
        token = "20111" + "a" * 4091
        self.assert_auth_fails_after_create("PAM_AUTH_ERR", token)
        self.assertEqual(json.loads(sim().requests()[0]["body"]), {"sessionToken": token})

    def test_api_token_file(self):
        token_file = os.path.join(self.tmp, "api-token")
        ph.write_secure_file(token_file, sim().api_token + "\n")
        self.write_conf(api_token=None, api_token_file=token_file)
        self.login()
        self.assertEqual(sim().requests()[0]["headers"].get("authorization"),
                         "SSWS " + sim().api_token)

    def test_first_pass_options(self):
        """use_first_pass/try_first_pass take the token an earlier module read
        (pam_unix prompts "Password: " and stores PAM_AUTHTOK even for an
        unknown user); without them the module prompts again."""
        for args, token_prompts in ((["use_first_pass"], 0), (["try_first_pass"], 0), ([], 1)):
            with self.subTest(args=args):
                sim().reset()
                ph.write_service(self.confdir, SERVICE,
                                 ["auth optional pam_unix.so"]
                                 + ph.okta_line("auth", self.conf_path, args=args)
                                 + ["account required pam_permit.so",
                                    "session required pam_permit.so"])
                r = self.run_pam(sim().mint(LOGIN))
                self.assert_step(r, "auth", "PAM_SUCCESS")
                texts = [text for style, text in r.prompts if style == PAM_PROMPT_ECHO_OFF]
                self.assertEqual(texts.count("Okta session token: "), token_prompts, r.describe())
                self.assertEqual(len(texts), 1 + token_prompts, r.describe())

    def test_use_first_pass_without_earlier_token(self):
        ph.write_okta_service(self.confdir, SERVICE, self.conf_path, args=["use_first_pass"])
        r = self.assert_auth_fails_without_request("PAM_AUTH_ERR", sim().mint(LOGIN))
        self.assertEqual([p for p in r.prompts if p[0] == PAM_PROMPT_ECHO_OFF], [], r.describe())
        self.assert_logged(r, "use_first_pass")

    def test_env_proxy_ignored(self):
        proxy = "http://127.0.0.1:%d" % closed_port()
        env = {k: proxy for k in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")}
        r = self.run_pam(sim().mint(LOGIN), env=env)
        self.assert_step(r, "auth", "PAM_SUCCESS")
        self.assert_requests([CREATE, refresh(self.created_session_id())], r)


class TestRejectedLogins(OktaTestCase):
    def test_wrong_user(self):
        r = self.run_pam(sim().mint("bob@example.com"))
        self.assert_failed(r, "PAM_AUTH_ERR")
        sid = self.created_session_id()
        self.assert_requests([CREATE, delete(sid)], r)
        self.assertTrue(sim().session(sid)["revoked"], "the foreign session must be revoked")
        self.assert_logged(r, "bob@example.com", "alice")

    def test_one_okta_login_reaches_one_local_account(self):
        """SECURITY.md T4: the token of alice@example.com logged in as local
        ALICE and Alice as well as alice. The PAM user must be the login's
        local part folded to lower case: an upper-case name is refused
        before any request, so the one-time token is not even spent."""
        for user in ("ALICE", "Alice", "aLiCe"):
            with self.subTest(user=user):
                sim().reset()
                token = sim().mint(LOGIN)
                r = self.run_pam(token, user=user)
                self.assert_failed(r, "PAM_AUTH_ERR")
                self.assert_no_requests(r)
                self.assert_logged(r, "refusing user name '%s'" % user)
        # The token is still good for alice, whatever the case of the login.
        sim().reset()
        self.assert_step(self.run_pam(token), "auth", "PAM_SUCCESS")
        self.login("ALICE@Example.com")

    def test_wrong_login_variants(self):
        for login in ("alice@example.org", "alice@example.com.evil.org", "xalice@example.com",
                      "alice", "alic@example.com"):
            with self.subTest(login=login):
                sim().reset()
                r = self.run_pam(sim().mint(login))
                self.assert_failed(r, "PAM_AUTH_ERR")
                self.assert_requests([CREATE, delete(self.created_session_id())], r)

    def test_unknown_token(self):
        self.assert_auth_fails_after_create("PAM_AUTH_ERR", "20111" + "Q" * 41)

    def test_used_token(self):
        token = sim().mint(LOGIN)
        self.assert_step(self.run_pam(token), "auth", "PAM_SUCCESS")
        sim().reset()
        self.assert_auth_fails_after_create("PAM_AUTH_ERR", token)

    def test_expired_token(self):
        self.assert_auth_fails_after_create("PAM_AUTH_ERR", sim().mint(LOGIN, ttl=0))

    def test_tokens_rejected_before_sending(self):
        for token in (b"", b"a" * 4097, b"abc\x01def", b"abc\ndef", b"abc\rdef",
                      b"abc\tdef", b"abc\x7fdef"):
            with self.subTest(token=token[:20], length=len(token)):
                sim().reset()
                self.assert_auth_fails_without_request("PAM_AUTH_ERR", token)

    def test_create_rejections(self):
        for status, code in ((400, "E0000003"), (403, "E0000005"), (404, "E0000007")):
            with self.subTest(status=status, errorCode=code):
                sim().reset()
                sim().fault("create", "status", status=status, errorCode=code, count=1)
                self.assert_auth_fails_after_create("PAM_AUTH_ERR")

    def test_session_not_active(self):
        for status in ("MFA_REQUIRED", "MFA_ENROLL"):
            with self.subTest(status=status):
                sim().reset()
                r = self.run_pam(sim().mint(LOGIN, session={"status": status}))
                self.assert_failed(r, "PAM_AUTH_ERR")
                self.assertEqual(self.api_requests()[:1], [CREATE], r.describe())


class TestOktaFailures(OktaTestCase):
    def test_bad_api_token(self):
        self.write_conf(api_token="00" + "Z" * 40)
        self.assert_auth_fails_after_create("PAM_AUTHINFO_UNAVAIL")
        self.assertEqual(sim().requests()[0]["status"], 401)

    def test_api_token_without_permission(self):
        sim().fault("create", "status", status=403, errorCode="E0000006")
        self.assert_auth_fails_after_create("PAM_AUTHINFO_UNAVAIL")

    def test_create_500_logged_with_error_id(self):
        sim().fault("create", "status", status=500)
        r = self.assert_auth_fails_after_create("PAM_AUTHINFO_UNAVAIL")
        err = self.response_json(0)
        self.assert_logged(r, "500", "E0000009", err["errorId"])

    def test_rate_limited(self):
        # Reset beyond the timeout: no retry (test_hostile.py covers retries).
        sim().fault("create", "status", status=429, reset_in=60)
        self.assert_auth_fails_after_create("PAM_AUTHINFO_UNAVAIL")

    def test_refresh_500(self):
        sim().fault("refresh", "status", status=500)
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        sid = self.created_session_id()
        self.assertEqual(self.api_requests()[:2], [CREATE, refresh(sid)], r.describe())

    def test_okta_down(self):
        self.write_conf(org_url="https://127.0.0.1:%d" % closed_port())
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assertLess(r.elapsed, 2.0, "a refused connection must fail fast")

    def test_slow_okta_times_out(self):
        self.write_conf(timeout=2)
        sim().fault("create", "delay", seconds=10)
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assertLess(r.elapsed, 2 + 1.5, "timeout = 2 not honoured")

    def test_malformed_json(self):
        for route in ("create", "refresh"):
            with self.subTest(route=route):
                sim().reset()
                sim().fault(route, "malformed")
                self.assert_failed(self.run_pam(sim().mint(LOGIN)), "PAM_AUTHINFO_UNAVAIL")

    def test_oversized_body(self):
        sim().fault("create", "oversized", size=2 * 1024 * 1024)
        self.assert_auth_fails_after_create("PAM_AUTHINFO_UNAVAIL")

    def test_unusable_session(self):
        for override in ({"login": None}, {"-login": None}, {"userId": None},
                         {"-userId": None}, {"-id": None}, {"login": 42}):
            with self.subTest(session=override):
                sim().reset()
                r = self.run_pam(sim().mint(LOGIN, session=override))
                self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")

    def test_hostile_session_id_from_okta(self):
        for sid in ("../x", "a?b", "a%2Fb", "a/b", "a b", "x" * 129, ""):
            with self.subTest(sid=sid[:20], length=len(sid)):
                sim().reset()
                r = self.run_pam(sim().mint(LOGIN, session={"id": sid}))
                self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
                self.assert_requests([CREATE], r)

    def test_untrusted_certificate(self):
        for ca_file in (sim().other_ca_file, None):
            with self.subTest(ca_file=ca_file):
                sim().reset()
                self.write_conf(ca_file=ca_file)
                r = self.run_pam(sim().mint(LOGIN))
                self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
                self.assert_no_requests(r)
                self.assertTrue(sim().connections(), "the module never even connected")

    def test_redirect_not_followed(self):
        sim().fault("create", "redirect")
        self.assert_auth_fails_after_create("PAM_AUTHINFO_UNAVAIL")

    def test_configured_proxy_is_used(self):
        self.write_conf(proxy="http://127.0.0.1:%d" % closed_port())
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assert_no_requests(r)


class TestServerCertificates(BadCertificateServers, OktaTestCase):
    """Simulators presenting bad certificates; the module must not talk to them."""

    def assert_refused(self, cert, *reasons):
        bad = self.bad[cert]
        bad.reset()
        self.write_conf(org_url=bad.org_url, api_token=bad.api_token, ca_file=bad.ca_file)
        r = self.run_pam(bad.mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assertEqual(bad.requests(), [], r.describe())
        # (curl checks the host name after the handshake: no "tls" assertion)
        self.assertEqual(len(bad.connections()), 1, "never connected, or retried")
        line = self.assert_logged(r, "createSession", *reasons)
        # CURLE_PEER_FAILED_VERIFICATION: 60; before libcurl 7.62 a host
        # name mismatch was 51 (RHEL 8's 7.61.1).
        self.assertRegex(line, r"\(curl error (60|51)\)")
        self.assertLess(r.elapsed, 3 + 1.5, "timeout = 3 not honoured")

    def test_expired_certificate(self):
        self.assert_refused("expired", "certificate has expired")

    def test_certificate_for_another_host(self):
        self.assert_refused("wronghost", "no alternative certificate subject name matches")

    def test_self_signed_certificate(self):
        # OpenSSL 1.1.1 says "self signed certificate", 3.x "self-signed".
        self.assert_refused("selfsigned", "self", "signed certificate")


class TestConfig(OktaTestCase):
    def assert_service_err(self, r):
        self.assert_failed(r, "PAM_SERVICE_ERR")
        self.assert_no_requests(r)

    def test_insecure_config_file(self):
        for mode, uid in ((0o644, 0), (0o640, 0), (0o604, 0), (0o600, 65534)):
            with self.subTest(mode=oct(mode), uid=uid):
                self.write_conf(_mode=mode, _uid=uid)
                r = self.run_pam(sim().mint(LOGIN))
                self.assert_service_err(r)
                self.assert_logged(r, self.conf_path)

    def test_insecure_api_token_file(self):
        token_file = os.path.join(self.tmp, "api-token")
        self.write_conf(api_token=None, api_token_file=token_file)
        for mode, uid in ((0o644, 0), (0o600, 65534)):
            with self.subTest(mode=oct(mode), uid=uid):
                ph.write_secure_file(token_file, sim().api_token + "\n", mode, uid)
                r = self.run_pam(sim().mint(LOGIN))
                self.assert_service_err(r)
                self.assert_logged(r, token_file)

    def test_bad_config(self):
        token_file = ph.write_secure_file(os.path.join(self.tmp, "api-token"), sim().api_token)
        cases = {
            "http org_url": {"org_url": "http://127.0.0.1:%d" % sim().https_port},
            "missing org_url": {"org_url": None},
            "unknown key": {"colour": "blue"},
            "both api_token and api_token_file": {"api_token_file": token_file},
            "no api token at all": {"api_token": None},
            "timeout 0": {"timeout": 0},
            "timeout 61": {"timeout": 61},
            "timeout abc": {"timeout": "abc"},
            "refresh_on_open maybe": {"refresh_on_open": "maybe"},
            "revoke_on_close 1": {"revoke_on_close": "1"},
        }
        for name, overrides in cases.items():
            with self.subTest(name):
                sim().reset()
                self.write_conf(**overrides)
                self.assert_service_err(self.run_pam(sim().mint(LOGIN)))

    def test_missing_config_file(self):
        os.unlink(self.conf_path)
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_service_err(r)


class TestSession(OktaTestCase):
    def test_open_in_same_process(self):
        r, sid, _ = self.login(steps="auth,open")
        self.assert_step(r, "open", "PAM_SUCCESS")
        self.assert_requests([CREATE, refresh(sid), refresh(sid)], r)
        first, last = self.response_json(1), self.response_json(2)
        self.assertNotEqual(first["expiresAt"], last["expiresAt"])
        self.assertEqual(r.env.get("OKTA_SESSION_EXPIRES_AT"), last["expiresAt"], r.describe())
        self.assertEqual(sim().session(sid)["refresh_count"], 2)

    def test_open_in_separate_process(self):
        sid = self.session_for_open()
        r = self.run_open(sid)
        self.assert_step(r, "open", "PAM_SUCCESS")
        # an id the handle does not hold: checked to be alice's, then extended
        self.assert_requests([get(sid), refresh(sid)], r)
        self.assertEqual(r.env.get("OKTA_SESSION_EXPIRES_AT"),
                         self.response_json(1)["expiresAt"], r.describe())

    def test_open_without_session_id(self):
        r = self.run_pam(b"", steps="open")
        self.assert_step(r, "open", "PAM_IGNORE")
        self.assert_no_requests(r)

    def test_open_dead_session(self):
        for kill in (sim().revoke_session, sim().expire_session):
            with self.subTest(kill.__name__):
                sid = self.session_for_open()
                kill(sid)
                r = self.run_open(sid)
                self.assert_step(r, "open", "PAM_SESSION_ERR")
                self.assert_requests([get(sid)], r)

    def test_open_hostile_session_id(self):
        for sid in ("../x", "a?b", "a/b", "a%2Fb", "a b", "x" * 129, "a\\b"):
            with self.subTest(sid=sid[:20], length=len(sid)):
                r = self.run_open(sid)
                self.assert_step(r, "open", "PAM_SESSION_ERR")
                self.assert_no_requests(r)

    def test_refresh_on_open_no(self):
        self.write_conf(refresh_on_open="no")
        sid = self.session_for_open()
        r = self.run_open(sid)
        self.assert_step(r, "open", "PAM_IGNORE")
        self.assert_no_requests(r)

    def test_close_default_does_nothing(self):
        sid = self.session_for_open()
        r = self.run_open(sid, steps="close")
        self.assert_step(r, "close", "PAM_IGNORE")
        self.assert_no_requests(r)
        self.assertFalse(sim().session(sid)["revoked"])

    def test_close_revokes(self):
        """In a process that did not open it, the id is checked (getSession:
        the user's own, ACTIVE) before the DELETE."""
        self.write_conf(revoke_on_close="yes")
        sid = self.session_for_open()
        r = self.run_open(sid, steps="close")
        self.assert_step(r, "close", "PAM_SUCCESS")
        self.assert_requests([get(sid), delete(sid)], r)
        self.assertTrue(sim().session(sid)["revoked"])
        self.assertNotIn("OKTA_SESSION_ID", r.env, r.describe())

    def test_close_revokes_the_session_it_opened(self):
        """open then close on one handle: the session held since auth is
        revoked without a getSession."""
        self.write_conf(revoke_on_close="yes")
        r, sid, _ = self.login(steps="auth,open,close")
        self.assert_step(r, "close", "PAM_SUCCESS")
        self.assert_requests([CREATE, refresh(sid), refresh(sid), delete(sid)], r)
        self.assertTrue(sim().session(sid)["revoked"])

    def test_close_revoke_already_gone(self):
        self.write_conf(revoke_on_close="yes")
        for how in ("revoked", "fault"):
            with self.subTest(how):
                sid = self.session_for_open()
                if how == "revoked":
                    sim().revoke_session(sid)
                    expected = [get(sid)]
                else:
                    sim().fault("delete", "status", status=404)
                    expected = [get(sid), delete(sid)]
                r = self.run_open(sid, steps="close")
                self.assert_step(r, "close", "PAM_SUCCESS")
                self.assert_requests(expected, r)
                self.assertEqual(sim().requests()[-1]["status"], 404)

    def test_close_hostile_session_id_not_sent(self):
        self.write_conf(revoke_on_close="yes")
        r = self.run_open("../x", steps="close")
        self.assert_step(r, "close", "PAM_SESSION_ERR")
        self.assert_no_requests(r)

    def test_account_ignored(self):
        ph.write_okta_service(self.confdir, SERVICE, self.conf_path, types=("account",))
        r = self.run_pam(b"", steps="acct")
        self.assert_step(r, "acct", "PAM_IGNORE")
        self.assert_no_requests(r)


class TestSecrets(OktaTestCase):
    def test_secrets_never_logged(self):
        self.write_conf(revoke_on_close="yes")
        results, secrets = [], [sim().api_token]
        minted = sim().mint_full(LOGIN)
        secrets.append(minted["sessionToken"])
        results.append(self.run_pam(minted["sessionToken"], steps="auth,setcred,open,close"))
        self.assert_step(results[-1], "close", "PAM_SUCCESS")
        secrets.append(self.created_session_id())
        self.assertIsNotNone(secrets[-1])
        for login, fault in (("bob@example.com", None), (LOGIN, "create"), (LOGIN, "refresh")):
            sim().reset()
            if fault:
                sim().fault(fault, "status", status=500)
            token = sim().mint(login)
            secrets.append(token)
            results.append(self.run_pam(token))
            secrets.append(self.created_session_id())
        self.write_conf(api_token="00" + "W" * 40)
        secrets.append("00" + "W" * 40)
        results.append(self.run_pam(sim().mint(LOGIN)))
        logs = [line for r in results for line in r.logs if "pam_okta_session" in line]
        self.assertGreaterEqual(len(logs), len(results),
                                "debug runs logged too little: log capture broken?")
        for secret in filter(None, secrets):
            for r in results:
                for text in r.logs + [r.stderr]:
                    self.assertNotIn(secret, text)


if __name__ == "__main__":
    taprunner.main()
