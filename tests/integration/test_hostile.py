#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile servers, hostile local input, and the retry policy.

pam_okta_session.so through real libpam against the simulator's hostile modes
(tests/sim/README.md). Every failure must be closed (the right PAM code, no
Okta session in the PAM environment), logged in one clear line, and within
the configured timeout; retries are counted on the simulator's request log.

Run: python3 tests/integration/test_hostile.py [name-substring...]   (as root)
Env: PAM_OKTA_MODULE, PAM_OKTA_DRIVER, PAM_OKTA_SRCDIR, PAM_OKTA_BUILDDIR.
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import taprunner  # noqa: E402
import moduletest as base  # noqa: E402  (OktaTestCase and the simulator)
from moduletest import setUpModule, sim, tearDownModule  # noqa: E402,F401
from simlib import Simulator, closed_port  # noqa: E402

LOGIN = base.LOGIN
CREATE = base.CREATE
refresh = base.refresh
delete = base.delete
get = base.get
# Time the harness itself needs around the module's work (process start,
# mount namespace, log capture), on a loaded two-core machine.
SLACK = 1.5
BACKOFF = 0.25   # RETRY_BACKOFF_MS in src/okta_client.c



class HostileTestCase(base.OktaTestCase):
    def request_times(self):
        return [q["time"] for q in sim().requests()]

    def assert_within(self, r, timeout):
        self.assertLess(r.elapsed, timeout + SLACK,
                        "took %.2fs with timeout = %s\n%s" % (r.elapsed, timeout, r.describe()))

    def assert_auth_unavailable(self, expected_requests, *log_needles, timeout=3):
        """Auth fails with PAM_AUTHINFO_UNAVAIL after exactly these requests,
        within the timeout, with one log line holding all log_needles."""
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assert_requests(expected_requests, r)
        self.assert_within(r, timeout)
        self.assert_logged(r, *log_needles)
        return r

    def assert_open_fails(self, sid, expected_requests, *log_needles, timeout=3):
        """Open in its own process (sshd) holds nothing: getSession checks
        that the id is the user's, then expected_requests (the refresh)."""
        r = self.run_open(sid)
        self.assert_step(r, "open", "PAM_SESSION_ERR")
        self.assert_requests([get(sid)] + expected_requests, r)
        self.assert_within(r, timeout)
        self.assert_logged(r, *log_needles)
        return r


# ---------------------------------------------------------------------------
# Retries: at most one, never past the deadline, createSession only where
# Okta surely did not process it.
# ---------------------------------------------------------------------------
class TestRetries(HostileTestCase):
    def test_429_waits_for_rate_limit_reset_then_succeeds(self):
        self.write_conf(timeout=5)
        reset = int(time.time()) + 2
        sim().fault("create", "status", status=429, count=1,
                    headers={"X-Rate-Limit-Reset": str(reset)})
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_step(r, "auth", "PAM_SUCCESS")
        sid = self.created_session_id()
        self.assert_requests([CREATE, CREATE, refresh(sid)], r)
        retried_at = self.request_times()[1]
        self.assertGreaterEqual(retried_at, reset - 0.05,
                                "retried %.3fs before X-Rate-Limit-Reset" % (reset - retried_at))
        self.assertLess(retried_at, reset + 1.0, "waited too long after the reset")
        self.assert_logged(r, "createSession", "HTTP 429", "retrying once")
        self.assert_within(r, 5)

    def test_429_again_after_retry_fails(self):
        self.write_conf(timeout=5)
        sim().fault("create", "status", status=429, reset_in=1)
        self.assert_auth_unavailable([CREATE, CREATE], "createSession", "HTTP 429",
                                     "E0000047", timeout=5)

    def test_429_reset_beyond_deadline_fails_at_once(self):
        sim().fault("create", "status", status=429,
                    headers={"X-Rate-Limit-Reset": str(int(time.time()) + 30)})
        r = self.assert_auth_unavailable([CREATE], "createSession", "beyond the timeout")
        self.assert_logged(r, "createSession", "HTTP 429", "E0000047")
        self.assertLess(r.elapsed, 1.0 + SLACK, "must not wait at all")

    def test_429_without_usable_reset_not_retried(self):
        for value in ("", "soon", "1e9", "-1", "12345678901234"):
            with self.subTest(reset=value):
                sim().reset()
                sim().fault("create", "status", status=429,
                            headers={"X-Rate-Limit-Reset": value})
                self.assert_auth_unavailable([CREATE], "createSession",
                                             "missing or malformed")

    def test_429_on_refresh_retried(self):
        sid = self.session_for_open()
        sim().fault("refresh", "status", status=429, count=1, reset_in=1)
        r = self.run_open(sid)
        self.assert_step(r, "open", "PAM_SUCCESS")
        self.assert_requests([get(sid), refresh(sid), refresh(sid)], r)

    def test_503_create_retried_after_backoff(self):
        sim().fault("create", "status", status=503, count=1)
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_step(r, "auth", "PAM_SUCCESS")
        self.assert_requests([CREATE, CREATE, refresh(self.created_session_id())], r)
        first, second = self.request_times()[:2]
        self.assertGreaterEqual(second - first, BACKOFF - 0.02)
        self.assert_logged(r, "createSession", "HTTP 503", "retrying once in 250 ms")

    def test_503_twice_fails(self):
        sim().fault("create", "status", status=503)
        self.assert_auth_unavailable([CREATE, CREATE], "createSession", "HTTP 503")

    def test_502_504_create_not_retried(self):
        # The gateway may have passed the request on: the one-time token
        # could already be spent, and a second session must not be made.
        for status in (502, 504):
            with self.subTest(status=status):
                sim().reset()
                sim().fault("create", "status", status=status)
                self.assert_auth_unavailable([CREATE], "createSession", "HTTP %d" % status)

    def test_502_503_504_refresh_retried(self):
        for status in (502, 503, 504):
            with self.subTest(status=status):
                sim().reset()
                sim().fault("refresh", "status", status=status, count=1)
                r = self.run_pam(sim().mint(LOGIN))
                self.assert_step(r, "auth", "PAM_SUCCESS")
                sid = self.created_session_id()
                self.assert_requests([CREATE, refresh(sid), refresh(sid)], r)
                self.assert_logged(r, "refreshSession", "HTTP %d" % status, "retrying once")

    def test_other_statuses_never_retried(self):
        sid = self.session_for_open()
        for status, code in ((400, None), (401, "E0000011"), (403, "E0000006"),
                             (404, None), (405, None), (409, None), (500, None), (501, None)):
            with self.subTest(status=status):
                sim().reset()
                sim().fault("refresh", "status", status=status, errorCode=code)
                self.assert_open_fails(sid, [refresh(sid)], "refreshSession",
                                       "HTTP %d" % status)

    def test_revoke_retried_on_503(self):
        self.write_conf(revoke_on_close="yes")
        sid = self.session_for_open()
        sim().fault("delete", "status", status=503, count=1)
        r = self.run_open(sid, steps="close")
        self.assert_step(r, "close", "PAM_SUCCESS")
        # an id this process did not open is checked (getSession) first
        self.assert_requests([get(sid), delete(sid), delete(sid)], r)
        self.assertTrue(sim().session(sid)["revoked"])

    def test_connection_refused_retried_once(self):
        # Nothing listens, so nothing can count the attempts: the log does
        # (one "retrying" line, then the final failure), and the time does.
        self.write_conf(org_url="https://127.0.0.1:%d" % closed_port())
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        retry = [m for m in r.messages if "retrying once" in m]
        self.assertEqual(len(retry), 1, r.describe())
        self.assertIn("curl error 7", retry[0])
        self.assertEqual(len([m for m in r.messages if "curl error 7" in m]), 2, r.describe())
        self.assertGreaterEqual(r.elapsed, BACKOFF)
        self.assertLess(r.elapsed, 2.0, "a refused connection must still fail fast")

    def assert_dropped_logged(self, r, *needles):
        """A log line with the needles says the connection broke without an
        answer: CURLE_GOT_NOTHING (52), or with OpenSSL 3.5 (Debian 13)
        CURLE_RECV_ERROR (56, "unexpected eof"): the module treats both
        alike (a request that may have been processed)."""
        self.assertRegex(self.assert_logged(r, *needles), r"\(curl error (52|56)\)")

    def test_create_dropped_not_retried(self):
        sim().fault("create", "drop")
        r = self.assert_auth_unavailable([CREATE], "createSession")
        self.assert_dropped_logged(r, "createSession")

    def test_create_timeout_not_retried(self):
        self.write_conf(timeout=2)
        sim().fault("create", "delay", seconds=10)
        self.assert_auth_unavailable([CREATE], "createSession", "curl error 28", timeout=2)

    def test_refresh_dropped_retried_once(self):
        # session open in its own process: getSession opens the connection,
        # so the refresh goes out on a *reused* one, and libcurl re-sends a
        # request dropped there once by itself, on a fresh connection (no
        # log line). Only a drop on that fresh connection reaches the
        # module, which retries once: three refreshes in all.
        sid = self.session_for_open()
        sim().fault("refresh", "drop", count=2)
        r = self.run_open(sid)
        self.assert_step(r, "open", "PAM_SUCCESS")
        self.assert_requests([get(sid), refresh(sid), refresh(sid), refresh(sid)], r)
        self.assert_dropped_logged(r, "refreshSession", "retrying once")
        self.assertEqual(len([m for m in r.messages if "retrying" in m]), 1, r.describe())
        sim().reset()
        sim().fault("refresh", "drop")
        r = self.assert_open_fails(sid, [refresh(sid), refresh(sid), refresh(sid)],
                                   "refreshSession")
        self.assert_dropped_logged(r, "refreshSession")

    def test_refresh_timeout_not_retried(self):
        self.write_conf(timeout=2)
        sid = self.session_for_open()
        sim().fault("refresh", "delay", seconds=10)
        self.assert_open_fails(sid, [refresh(sid)], "refreshSession", "curl error 28", timeout=2)

    def test_backoff_never_past_deadline(self):
        # The 503 arrives with under 0.3 s left: 250 + 100 ms do not fit.
        self.write_conf(timeout=1)
        sid = self.session_for_open()
        sim().fault("refresh", "delay", seconds=0.7, then={"action": "status", "status": 503})
        r = self.assert_open_fails(sid, [refresh(sid)], "refreshSession", "HTTP 503", timeout=1)
        self.assertFalse([m for m in r.messages if "retrying" in m], r.describe())


# ---------------------------------------------------------------------------
# Hostile servers
# ---------------------------------------------------------------------------
class TestHostileServer(HostileTestCase):
    def test_slowloris_headers(self):
        self.write_conf(timeout=2)
        sim().fault("create", "trickle", interval=0.1)
        r = self.assert_auth_unavailable([CREATE], "createSession", "timed out", timeout=2)
        self.assertGreaterEqual(r.elapsed, 1.9, "gave up before the timeout?")

    def test_slowloris_body(self):
        self.write_conf(timeout=2)
        sim().fault("create", "trickle", interval=0.1, part="body")
        self.assert_auth_unavailable([CREATE], "createSession", "timed out", timeout=2)

    def test_slowloris_on_open(self):
        self.write_conf(timeout=2)
        sid = self.session_for_open()
        sim().fault("refresh", "trickle", interval=0.1)
        self.assert_open_fails(sid, [refresh(sid)], "refreshSession", "timed out", timeout=2)

    def test_closed_mid_body(self):
        sim().fault("create", "cut")
        self.assert_auth_unavailable([CREATE], "createSession", "curl error 18")
        # a refresh may be repeated: tried twice, both cut
        sim().reset()
        sid = self.session_for_open()
        sim().fault("refresh", "cut")
        self.assert_open_fails(sid, [refresh(sid), refresh(sid)], "refreshSession",
                               "curl error 18")

    def test_compression_bomb_not_decoded(self):
        # 64 MiB of white space after a valid session, gzipped to ~290 KiB:
        # a client that decoded it without a limit would even accept it.
        sim().fault("create", "gzip_bomb", size=64 * 1024 * 1024)
        self.assert_auth_unavailable([CREATE], "createSession", "not valid JSON")
        self.assertNotIn("accept-encoding", sim().requests()[0]["headers"],
                         "the module must not offer compression it does not need")

    def test_huge_headers(self):
        sim().fault("create", "huge_headers", size=1024 * 1024, line=1000)
        r = self.assert_auth_unavailable([CREATE], "createSession",
                                         "response headers larger than 65536 bytes")
        self.assertLess(r.elapsed, 1.0 + SLACK)

    def test_one_huge_header_line(self):
        sim().fault("create", "huge_headers", size=200000, line=200000)
        self.assert_auth_unavailable([CREATE], "createSession", "curl error")

    def test_endless_headers(self):
        sim().fault("create", "endless_headers", seconds=30)
        r = self.assert_auth_unavailable([CREATE], "createSession",
                                         "response headers larger than 65536 bytes")
        self.assertLess(r.elapsed, 1.0 + SLACK, "must be cut off at the cap, not the deadline")

    def test_invalid_utf8(self):
        # in a field the module does not even read: the whole body is refused
        sim().fault("create", "patch", replace=[['"pwd"', '"pwd\udcff\udcfe"']])
        self.assert_auth_unavailable([CREATE], "createSession", "not valid JSON")

    def test_invalid_utf8_in_error_body(self):
        sim().fault("create", "raw", status=500,
                    body='{"errorCode": "E0000009", "errorSummary": "bad \udcff", '
                         '"errorId": "oae1"}')
        self.assert_auth_unavailable([CREATE], "createSession", "HTTP 500", "errorCode=-")

    def test_numbers_where_strings_belong(self):
        for field in ("id", "userId", "status", "expiresAt"):
            for value in (12345, True, {"x": "y"}):
                with self.subTest(field=field, value=value):
                    sim().reset()
                    r = self.run_pam(sim().mint(LOGIN, session={field: value}))
                    self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
                    self.assert_requests([CREATE], r)
                    self.assert_logged(r, "createSession", "not a string")

    def test_duplicate_keys(self):
        alice = '"login": "%s"' % LOGIN
        cases = {
            "foreign login first": '"login": "bob@example.com", ' + alice,
            "foreign login last": alice + ', "login": "bob@example.com"',
            "escaped duplicate": '"log\\u0069n": "bob@example.com", ' + alice,
            "status twice": alice + ', "status": "MFA_REQUIRED"',
        }
        for name, replacement in cases.items():
            with self.subTest(name):
                sim().reset()
                sim().fault("create", "patch", replace=[[alice, replacement]])
                self.assert_auth_unavailable([CREATE], "createSession", "names a key twice")

    def test_duplicate_keys_on_refresh(self):
        sid = self.session_for_open()
        alice = '"login": "%s"' % LOGIN
        sim().fault("refresh", "patch",
                    replace=[[alice, '"login": "bob@example.com", ' + alice]])
        self.assert_open_fails(sid, [refresh(sid)], "refreshSession", "names a key twice")

    def test_nested_ten_thousand_deep(self):
        deep = "[" * 10000 + "]" * 10000
        sim().fault("create", "patch",
                    replace=[['"status": "ACTIVE"', '"deep": %s, "status": "ACTIVE"' % deep]])
        self.assert_auth_unavailable([CREATE], "createSession", "not valid JSON")
        for body in ("[" * 10000 + "]" * 10000, '{"a":' * 10000 + "1" + "}" * 10000):
            with self.subTest(body=body[:8]):
                for status in (200, 500):
                    sim().reset()
                    sim().fault("create", "raw", status=status, body=body)
                    self.assert_auth_unavailable([CREATE], "createSession")

    def test_no_content_length(self):
        # A body that ends at connection close is legal HTTP/1.1; the module
        # accepts it only whole, as strict JSON (an object cut short never is).
        sim().fault("create", "no_content_length", count=1)
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_step(r, "auth", "PAM_SUCCESS")
        self.assert_requests([CREATE, refresh(self.created_session_id())], r)
        self.assertEqual(len(sim().connections()), 2, "the closed connection was reused?")
        for cut in (1, 100, -1):
            with self.subTest(cut=cut):
                sim().reset()
                sim().fault("create", "no_content_length", bytes=cut)
                self.assert_auth_unavailable([CREATE], "createSession", "not valid JSON")


class TestOldTls(HostileTestCase):
    """Servers that speak only TLS 1.0 or 1.1 (the module requires 1.2+)."""

    @classmethod
    def setUpClass(cls):
        cls.old = {}
        try:
            for version in ("1.0", "1.1"):
                cls.old[version] = Simulator(tls_max=version)
                cls.old[version].start()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in cls.old.values():
            s.stop()

    def check_refused(self, version, expected_name):
        server = self.old[version]
        # positive control: a client that allows old TLS gets exactly that
        self.assertEqual(server.negotiate_tls(oldest="1.0"), expected_name,
                         "the test server does not speak TLS %s" % version)
        server.reset()
        self.write_conf(org_url=server.org_url, api_token=server.api_token,
                        ca_file=server.ca_file)
        r = self.run_pam(server.mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assertEqual(server.requests(), [], r.describe())
        conns = server.connections()
        self.assertEqual(len(conns), 1, "a TLS failure must not be retried")
        self.assertFalse(conns[0]["tls"], conns)
        self.assert_within(r, 3)
        self.assert_logged(r, "createSession", "curl error 35")

    def test_tls_1_0_only(self):
        self.check_refused("1.0", "TLSv1")

    def test_tls_1_1_only(self):
        self.check_refused("1.1", "TLSv1.1")


# ---------------------------------------------------------------------------
# Hostile local input: refused before any request.
# (test_module.py covers tokens of 0 and 4097 bytes and with \x01 \t \n \r
# \x7f, a 4096-byte token being sent, and planted ids on open.)
# ---------------------------------------------------------------------------
class TestHostileLocalInput(HostileTestCase):
    def test_tokens_refused_before_any_request(self):
        mib = 1024 * 1024
        for token in (b"a" * mib, b"\xff" * mib, b"20111" + b"a" * 4090 + b"\xff",
                      b"20111\xc3\xa9abc", b"20111\xed\xa0\x80", b"20111\x1b[31m",
                      b"\x00" + b"a" * 100, b" " * 4097):
            with self.subTest(token=token[:12], length=len(token)):
                sim().reset()
                r = self.assert_auth_fails_without_request("PAM_AUTH_ERR", token)
                self.assert_logged(r, "refused before any request")

    def test_token_cut_at_nul(self):
        # The conversation hands the module a C string: bytes after a NUL
        # never reach it, and never reach Okta.
        r = self.run_pam(b"20111abc\x00" + b"secret-tail")
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assert_requests([CREATE], r)
        self.assertEqual(json.loads(sim().requests()[0]["body"]), {"sessionToken": "20111abc"})

    def test_hostile_user_names(self):
        for user in ("alice@example.com", "a/b", "../alice", "al%69ce", "alice\n",
                     "ali\nce", "a" * 300, "a" * 129, "-alice", "alice\x01", "al ice",
                     "al\udcffice", "alic\u00e9", "alice$x"):
            with self.subTest(user=user[:20], length=len(user)):
                sim().reset()
                r = self.assert_auth_fails_without_request("PAM_AUTH_ERR", sim().mint(LOGIN),
                                                           user=user)
                self.assert_logged(r, "refusing user name")

    def test_hostile_user_name_on_open(self):
        sid = self.session_for_open()
        for user in ("alice@example.com", "a/b", "a" * 300, "ali\nce"):
            with self.subTest(user=user[:20]):
                r = self.run_open(sid, user=user)
                self.assert_step(r, "open", "PAM_SESSION_ERR")
                self.assert_no_requests(r)
                self.assert_logged(r, "refusing user name")

    PLANTED_IDS = ("../x", "a%2Fb", "x" * 129, "a/b", "a?b", "a b", "a\nb", "a\x01b",
                   "a\udcffb", ".", "..", "%2e%2e", "a;b", "a#b")

    def test_planted_session_id_on_open(self):
        for sid in self.PLANTED_IDS:
            with self.subTest(sid=sid[:20], length=len(sid)):
                r = self.run_open(sid)
                self.assert_step(r, "open", "PAM_SESSION_ERR")
                self.assert_no_requests(r)
                self.assert_logged(r, "OKTA_SESSION_ID", "malformed")

    def test_planted_session_id_on_close(self):
        self.write_conf(revoke_on_close="yes")
        for sid in self.PLANTED_IDS:
            with self.subTest(sid=sid[:20], length=len(sid)):
                r = self.run_open(sid, steps="close")
                self.assert_step(r, "close", "PAM_SESSION_ERR")
                self.assert_no_requests(r)
                self.assert_logged(r, "OKTA_SESSION_ID", "malformed")

    def test_session_id_of_128_is_sent(self):
        # the boundary: 128 id characters are well-formed and go to Okta
        sid = "x" * 128
        r = self.run_open(sid)
        self.assert_step(r, "open", "PAM_SESSION_ERR")
        self.assert_requests([get(sid)], r)
        self.assert_logged(r, "getSession", "HTTP 404")


if __name__ == "__main__":
    taprunner.main()
