#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Self-test of the Okta simulator (no PAM involved): TAP on stdout.

Run: python3 tests/sim/test_okta_sim.py
"""

import http.client
import json
import os
import re
import socket
import ssl
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import taprunner  # noqa: E402
from simlib import Simulator  # noqa: E402

SIM = None
LOGIN = "alice@example.com"
OKTA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def setUpModule():
    global SIM
    SIM = Simulator(idle_lifetime=60)
    SIM.start()


def tearDownModule():
    SIM.stop()


class Client:
    """Keep-alive HTTPS client trusting the simulator's CA."""

    def __init__(self, token=None):
        ctx = ssl.create_default_context(cafile=SIM.ca_file)
        self.conn = http.client.HTTPSConnection("127.0.0.1", SIM.https_port, context=ctx,
                                                timeout=10)
        self.token = SIM.api_token if token is None else token

    def call(self, method, path, body=None):
        hdrs = {"Authorization": "SSWS " + self.token, "Accept": "application/json"}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=hdrs)
        resp = self.conn.getresponse()
        raw = resp.read()
        return resp, raw

    def json(self, method, path, body=None):
        resp, raw = self.call(method, path, body)
        return resp.status, (json.loads(raw) if raw else None), resp

    def close(self):
        self.conn.close()


class SimTest(unittest.TestCase):
    def setUp(self):
        SIM.reset()
        self.c = Client()

    def tearDown(self):
        self.c.close()

    def create(self, token):
        return self.c.json("POST", "/api/v1/sessions", {"sessionToken": token})

    def assert_error(self, status, body, resp, want_status, code):
        self.assertEqual(status, want_status, body)
        self.assertEqual(body["errorCode"], code)
        self.assertEqual(set(body), {"errorCode", "errorSummary", "errorLink", "errorId",
                                     "errorCauses"})
        self.assertRegex(body["errorId"], r"^oae[A-Za-z0-9]{22}$")
        self.assertEqual(resp.getheader("Content-Type"), "application/json")


class TestSessionsApi(SimTest):
    def test_lifecycle(self):
        minted = SIM.mint_full(LOGIN)
        self.assertRegex(minted["sessionToken"], r"^20111[A-Za-z0-9_-]{40,}$")
        self.assertRegex(minted["userId"], r"^00u[A-Za-z0-9]{17}$")
        status, s, resp = self.create(minted["sessionToken"])
        self.assertEqual(status, 200)
        self.assertRegex(s["id"], r"^102[A-Za-z0-9]{22}$")
        self.assertEqual((s["login"], s["userId"], s["status"]),
                         (LOGIN, minted["userId"], "ACTIVE"))
        for k in ("createdAt", "expiresAt", "lastPasswordVerification",
                  "lastFactorVerification"):
            self.assertRegex(s[k], OKTA_TIME)
        self.assertEqual(s["_links"]["self"]["href"],
                         "%s/api/v1/sessions/%s" % (SIM.org_url, s["id"]))
        for h in ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"):
            self.assertTrue(resp.getheader(h, "").isdigit(), h)
        sid = s["id"]
        status, r, _ = self.c.json("POST", "/api/v1/sessions/%s/lifecycle/refresh" % sid)
        self.assertEqual(status, 200)
        self.assertGreater(r["expiresAt"], s["expiresAt"])
        self.assertEqual(self.c.json("GET", "/api/v1/sessions/" + sid)[0], 200)
        resp, raw = self.c.call("DELETE", "/api/v1/sessions/" + sid)
        self.assertEqual((resp.status, raw), (204, b""))
        self.assertIsNone(resp.getheader("Content-Type"))
        self.assert_error(*self.c.json("GET", "/api/v1/sessions/" + sid), 404, "E0000007")
        view = SIM.session(sid)
        self.assertEqual((view["revoked"], view["refresh_count"]), (True, 1))
        reqs = SIM.requests()
        self.assertEqual(len({q["conn"] for q in reqs}), 1, "keep-alive")
        self.assertEqual([q["status"] for q in reqs], [200, 200, 200, 204, 404])
        self.assertEqual(reqs[0]["headers"]["authorization"], "SSWS " + SIM.api_token)

    def test_token_is_one_time(self):
        token = SIM.mint(LOGIN)
        self.assertEqual(self.create(token)[0], 200)
        self.assert_error(*self.create(token), 401, "E0000004")

    def test_bulk_mint(self):
        minted = SIM.mint_bulk([{"login": "u%d@example.com" % i} for i in range(50)]
                               + [{"login": LOGIN, "ttl": 0}])
        self.assertEqual(len(minted), 51)
        self.assertEqual(len({m["sessionToken"] for m in minted}), 51)
        status, body, _ = self.create(minted[7]["sessionToken"])
        self.assertEqual((status, body["login"], body["userId"]),
                         (200, "u7@example.com", minted[7]["userId"]))
        self.assert_error(*self.create(minted[-1]["sessionToken"]), 401, "E0000004")

    def test_expired_and_unknown_tokens(self):
        self.assert_error(*self.create(SIM.mint(LOGIN, ttl=0)), 401, "E0000004")
        self.assert_error(*self.create("nope"), 401, "E0000004")

    def test_bad_bodies(self):
        self.assert_error(*self.c.json("POST", "/api/v1/sessions", b"{not json"), 400,
                          "E0000003")
        self.assert_error(*self.c.json("POST", "/api/v1/sessions", {"x": 1}), 400, "E0000003")

    def test_api_token_checked(self):
        bad = Client("wrong")
        try:
            self.assert_error(*bad.json("POST", "/api/v1/sessions",
                                        {"sessionToken": SIM.mint(LOGIN)}), 401, "E0000011")
        finally:
            bad.close()

    def test_routing_errors(self):
        self.assert_error(*self.c.json("GET", "/api/v1/users"), 404, "E0000007")
        self.assert_error(*self.c.json("PUT", "/api/v1/sessions/abc"), 405, "E0000022")

    def test_explicit_token_and_overrides(self):
        token = 'a"b\\c'
        SIM.mint(LOGIN, token=token, session={"id": "../x", "status": "MFA_REQUIRED",
                                              "-userId": None, "login": None})
        status, s, _ = self.create(token)
        self.assertEqual((status, s["id"], s["status"], s["login"]),
                         (200, "../x", "MFA_REQUIRED", None))
        self.assertNotIn("userId", s)
        self.assertEqual(SIM.session("../x")["login"], LOGIN)

    def test_expire_session(self):
        sid = self.create(SIM.mint(LOGIN))[1]["id"]
        SIM.expire_session(sid)
        self.assertTrue(SIM.session(sid)["expired"])
        self.assert_error(*self.c.json("POST", "/api/v1/sessions/%s/lifecycle/refresh" % sid),
                          404, "E0000007")



TOTP_SECRET = "JBSWY3DPEHPK3PXP"


class TestAuthn(SimTest):
    """The Authentication API state machine (sign_in = password)."""

    def primary(self, login, password, warn=True):
        return self.c.json("POST", "/api/v1/authn", {
            "username": login, "password": password,
            "options": {"warnBeforePasswordExpired": warn, "multiOptionalFactorEnroll": False}})

    def post_link(self, href, body):
        self.assertTrue(href.startswith(SIM.org_url + "/api/v1/authn"), href)
        return self.c.json("POST", href[len(SIM.org_url):], body)

    def test_wrong_password_and_unknown_user(self):
        SIM.add_authn_user("pw@example.com", "right-pw")
        for login, pw in (("pw@example.com", "wrong"), ("nobody@example.com", "right-pw")):
            status, body, resp = self.primary(login, pw)
            self.assert_error(status, body, resp, 401, "E0000004")

    def test_success_without_mfa_gives_a_usable_one_time_session_token(self):
        SIM.add_authn_user("nomfa@example.com", "pw1")
        status, body, _ = self.primary("NoMfa@example.com", "pw1")
        self.assertEqual((status, body["status"]), (200, "SUCCESS"), body)
        status, session, _ = self.create(body["sessionToken"])
        self.assertEqual((status, session["login"]), (200, "nomfa@example.com"))
        self.assertEqual(self.create(body["sessionToken"])[0], 401)

    def test_totp(self):
        SIM.add_authn_user("totp@example.com", "pw", [{"type": "totp", "secret": TOTP_SECRET}])
        status, body, _ = self.primary("totp@example.com", "pw")
        self.assertEqual(body["status"], "MFA_REQUIRED")
        factor = body["_embedded"]["factors"][0]
        self.assertEqual((factor["factorType"], factor["provider"]), ("token:software:totp", "OKTA"))
        verify = factor["_links"]["verify"]["href"]
        wrong = "%06d" % ((int(SIM.totp(TOTP_SECRET)) + 1) % 1000000)
        status, err, resp = self.post_link(verify, {"stateToken": body["stateToken"], "passCode": wrong})
        self.assert_error(status, err, resp, 403, "E0000068")
        status, done, _ = self.post_link(verify, {"stateToken": body["stateToken"],
                                                  "passCode": SIM.totp(TOTP_SECRET)})
        self.assertEqual(done["status"], "SUCCESS", done)
        self.assertIn("otp", self.create(done["sessionToken"])[1]["amr"])
        # the transaction is over: its state token is refused
        status, err, resp = self.post_link(verify, {"stateToken": body["stateToken"],
                                                    "passCode": SIM.totp(TOTP_SECRET)})
        self.assert_error(status, err, resp, 401, "E0000011")

    def test_push_with_number_matching_needs_the_right_number(self):
        SIM.add_authn_user("push@example.com", "pw", [{"type": "push", "number_matching": True}])
        for answer_offset, outcome in ((1, "REJECTED"), (0, "SUCCESS")):
            status, body, _ = self.primary("push@example.com", "pw")
            verify = body["_embedded"]["factors"][0]["_links"]["verify"]["href"]
            status, ch, _ = self.post_link(verify, {"stateToken": body["stateToken"]})
            self.assertEqual((ch["status"], ch["factorResult"]), ("MFA_CHALLENGE", "WAITING"), ch)
            # the challenged factor under "factors", an object, as the reference shows it
            number = ch["_embedded"]["factors"]["_embedded"]["challenge"]["correctAnswer"]
            self.assertEqual(SIM.wait_for_push("push@example.com")["correctAnswer"], number)
            SIM.answer_push("push@example.com", "approve", number + answer_offset)
            status, polled, _ = self.post_link(ch["_links"]["next"]["href"],
                                               {"stateToken": body["stateToken"]})
            self.assertEqual(polled.get("factorResult", polled["status"]), outcome, polled)
        self.assertEqual(SIM.requests()[-1]["route"], "authn_poll")

    def test_push_auto_outcomes_and_poll_429(self):
        SIM.add_authn_user("auto@example.com", "pw", [{"type": "push", "auto": "reject",
                                                       "after_polls": 2}])
        SIM.fault("authn_poll", "status", status=429, count=1, reset_in=1)
        status, body, _ = self.primary("auto@example.com", "pw")
        verify = body["_embedded"]["factors"][0]["_links"]["verify"]["href"]
        ch = self.post_link(verify, {"stateToken": body["stateToken"]})[1]
        self.assertNotIn("_embedded", ch["_embedded"]["factors"])   # no number matching
        results = []
        for _ in range(3):
            status, polled, resp = self.post_link(ch["_links"]["next"]["href"],
                                                  {"stateToken": body["stateToken"]})
            results.append(status if status != 200 else polled["factorResult"])
        self.assertEqual(results, [429, "WAITING", "REJECTED"])

    def test_password_warn_skip_and_refusal_states(self):
        SIM.add_authn_user("warn@example.com", "pw", state="PASSWORD_WARN")
        body = self.primary("warn@example.com", "pw")[1]
        self.assertEqual(body["status"], "PASSWORD_WARN")
        self.assertEqual(self.post_link(body["_links"]["skip"]["href"],
                                        {"stateToken": body["stateToken"]})[1]["status"], "SUCCESS")
        self.assertEqual(self.primary("warn@example.com", "pw", warn=False)[1]["status"], "SUCCESS")
        for state in ("PASSWORD_EXPIRED", "LOCKED_OUT", "MFA_ENROLL", "MFA_ENROLL_ACTIVATE"):
            login = state.lower() + "@example.com"
            SIM.add_authn_user(login, "pw", state=state)
            self.assertEqual(self.primary(login, "pw")[1]["status"], state)

    def test_refusal_states_as_the_reference_shows_them(self):
        """The shapes of Okta's examples (tests/sim/README.md says which):
        MFA_ENROLL's factors have no id, only what one needs to set them up."""
        SIM.add_authn_user("enrol@example.com", "pw", state="MFA_ENROLL")
        body = self.primary("enrol@example.com", "pw")[1]
        self.assertEqual(sorted(body), ["_embedded", "_links", "expiresAt", "stateToken", "status"])
        factors = body["_embedded"]["factors"]
        self.assertEqual([(f["factorType"], f["provider"], f["status"]) for f in factors],
                         [("push", "OKTA", "NOT_SETUP"), ("token:software:totp", "OKTA", "NOT_SETUP"),
                          ("token:software:totp", "GOOGLE", "NOT_SETUP")])
        for f in factors:
            self.assertEqual(sorted(f), ["_links", "enrollment", "factorType", "provider",
                                         "status", "vendorName"])
            self.assertTrue(f["_links"]["enroll"]["href"].endswith("/api/v1/authn/factors"))
        self.assertEqual(factors[0]["enrollment"], "REQUIRED")
        SIM.add_authn_user("activate@example.com", "pw", state="MFA_ENROLL_ACTIVATE")
        body = self.primary("activate@example.com", "pw")[1]
        self.assertEqual((body["status"], body["factorResult"]), ("MFA_ENROLL_ACTIVATE", "WAITING"))
        factor = body["_embedded"]["factor"]
        self.assertEqual((factor["factorType"], sorted(factor["_embedded"]["activation"]["_links"])),
                         ("push", ["qrcode", "send"]))
        self.assertEqual(body["_links"]["next"]["name"], "poll")
        self.assertTrue(body["_links"]["next"]["href"].endswith("/lifecycle/activate/poll"))
        SIM.add_authn_user("expired@example.com", "pw", state="PASSWORD_EXPIRED")
        body = self.primary("expired@example.com", "pw")[1]
        self.assertEqual(body["_links"]["next"]["name"], "changePassword")
        self.assertIn("complexity", body["_embedded"]["policy"])
        SIM.add_authn_user("locked@example.com", "pw", state="LOCKED_OUT")
        body = self.primary("locked@example.com", "pw")[1]
        self.assertEqual((sorted(body), body["_links"]["next"]["name"]),
                         (["_links", "status"], "unlock"))

    def test_cancel_ends_the_transaction(self):
        SIM.add_authn_user("cancel@example.com", "pw", [{"type": "push"}])
        body = self.primary("cancel@example.com", "pw")[1]
        status, done, _ = self.post_link(body["_links"]["cancel"]["href"],
                                         {"stateToken": body["stateToken"]})
        self.assertEqual((status, done["status"]), (200, "UNAUTHENTICATED"))
        self.assertEqual(self.post_link(body["_links"]["cancel"]["href"],
                                        {"stateToken": body["stateToken"]})[0], 401)
        self.assertIn({"login": "cancel@example.com", "status": "MFA_REQUIRED", "ended": True,
                       "cancelled": True}, SIM.transactions())

    def test_links_can_be_replaced(self):
        SIM.add_authn_user("links@example.com", "pw", [{"type": "push"}],
                           links={"next": "https://evil.example/api/v1/authn/poll"})
        body = self.primary("links@example.com", "pw")[1]
        ch = self.post_link(body["_embedded"]["factors"][0]["_links"]["verify"]["href"],
                            {"stateToken": body["stateToken"]})[1]
        self.assertEqual(ch["_links"]["next"]["href"], "https://evil.example/api/v1/authn/poll")

    def test_totp_matches_rfc6238(self):
        # RFC 6238 appendix B, SHA-1, secret "12345678901234567890", 8 digits
        import base64
        secret = base64.b32encode(b"12345678901234567890").decode()
        self.assertEqual(okta_sim_totp(secret, 59, 8), "94287082")
        self.assertEqual(okta_sim_totp(secret, 1111111109, 8), "07081804")


def okta_sim_totp(secret, at, digits):
    import okta_sim
    return okta_sim.totp_code(secret, at, digits)

class TestFaults(SimTest):
    def test_status_defaults_and_count(self):
        SIM.fault("create", "status", status=500, count=1)
        SIM.fault("any", "status", status=429, count=1)
        self.assert_error(*self.create("x"), 500, "E0000009")
        status, body, resp = self.create("x")
        self.assert_error(status, body, resp, 429, "E0000047")
        self.assertEqual(resp.getheader("X-Rate-Limit-Remaining"), "0")
        self.assertGreater(int(resp.getheader("X-Rate-Limit-Reset")), time.time())
        self.assert_error(*self.create("x"), 401, "E0000004")   # faults used up

    def test_status_with_error_code(self):
        SIM.fault("refresh", "status", status=403, errorCode="E0000005", errorSummary="nope")
        status, body, _ = self.c.json("POST", "/api/v1/sessions/abc/lifecycle/refresh")
        self.assertEqual((status, body["errorCode"], body["errorSummary"]),
                         (403, "E0000005", "nope"))

    def test_malformed(self):
        SIM.fault("get", "malformed")
        resp, raw = self.c.call("GET", "/api/v1/sessions/abc")
        self.assertEqual(resp.status, 200)
        self.assertRaises(ValueError, json.loads, raw)

    def test_oversized_is_a_real_padded_session(self):
        SIM.fault("create", "oversized", size=100000)
        resp, raw = self.c.call("POST", "/api/v1/sessions", b'{"sessionToken": "%s"}'
                                % SIM.mint(LOGIN).encode())
        self.assertEqual((resp.status, len(raw)), (200, 100000))
        self.assertEqual(json.loads(raw)["login"], LOGIN)

    def test_redirect(self):
        SIM.fault("create", "redirect")
        resp, _ = self.c.call("POST", "/api/v1/sessions", {"sessionToken": "x"})
        self.assertEqual(resp.status, 302)
        self.assertEqual(resp.getheader("Location"), SIM.org_url + "/api/v1/sessions")

    def test_raw_without_content_length(self):
        SIM.fault("get", "raw", status=200, body='{"a": 1}', no_content_length=True)
        resp, raw = self.c.call("GET", "/api/v1/sessions/abc")
        self.assertEqual((resp.status, raw, resp.getheader("Content-Length")),
                         (200, b'{"a": 1}', None))

    def test_drop(self):
        SIM.fault("create", "drop")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError,
                                ssl.SSLError)):
            self.create("x")
        self.assertIsNone(SIM.requests()[0]["status"])

    def test_delay(self):
        SIM.fault("create", "delay", seconds=0.5, then={"action": "status", "status": 500})
        t0 = time.monotonic()
        status = self.create("x")[0]
        self.assertGreaterEqual(time.monotonic() - t0, 0.5)
        self.assertEqual(status, 500)


class TestHostileModes(unittest.TestCase):
    """The hostile answers, read with plain sockets (http.client hides them)."""

    def setUp(self):
        SIM.reset()

    @staticmethod
    def exchange(route_path=b"/api/v1/sessions", read_timeout=5, limit=1 << 20):
        """Send a createSession with a fresh token; read for at most
        read_timeout seconds; returns (bytes read, seconds)."""
        body = json.dumps({"sessionToken": SIM.mint(LOGIN)}).encode()
        req = (b"POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: SSWS %s\r\n"
               b"Content-Type: application/json\r\nConnection: close\r\n"
               b"Content-Length: %d\r\n\r\n%s"
               % (route_path, SIM.api_token.encode(), len(body), body))
        ctx = ssl.create_default_context(cafile=SIM.ca_file)
        data = b""
        t0 = time.monotonic()
        with socket.create_connection(("127.0.0.1", SIM.https_port), timeout=read_timeout) as s:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as tls:
                tls.sendall(req)
                try:
                    while len(data) < limit and time.monotonic() < t0 + read_timeout:
                        tls.settimeout(max(t0 + read_timeout - time.monotonic(), 0.01))
                        chunk = tls.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                except (socket.timeout, ssl.SSLError, OSError):
                    pass
        return data, time.monotonic() - t0

    def test_trickle(self):
        SIM.fault("create", "trickle", interval=0.05)
        data, secs = self.exchange(read_timeout=0.6)
        self.assertTrue(b"HTTP/1.1 200".startswith(data[:12]) and 3 <= len(data) <= 20,
                        (len(data), data[:40]))

    def test_cut(self):
        SIM.fault("create", "cut", bytes=10)
        data, _ = self.exchange()
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertEqual(len(body), 10)
        self.assertGreater(int(re.search(rb"Content-Length: (\d+)", head).group(1)), 100)

    def test_no_content_length_cut(self):
        SIM.fault("create", "no_content_length", bytes=-1)
        data, _ = self.exchange()
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertNotIn(b"Content-Length", head)
        self.assertTrue(body.startswith(b"{"), body[:20])
        self.assertRaises(ValueError, json.loads, body)

    def test_gzip_bomb(self):
        import zlib
        SIM.fault("create", "gzip_bomb", size=8 * 1024 * 1024)
        data, _ = self.exchange()
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertIn(b"Content-Encoding: gzip", head)
        self.assertLess(len(body), 64 * 1024)
        plain = zlib.decompress(body, 31)
        self.assertGreater(len(plain), 8 * 1024 * 1024)
        self.assertEqual(json.loads(plain)["login"], LOGIN)

    def test_huge_and_endless_headers(self):
        SIM.fault("create", "huge_headers", size=300000, line=1000, count=1)
        data, _ = self.exchange()
        self.assertGreater(data.index(b"\r\n\r\n"), 290000)
        SIM.fault("create", "endless_headers", seconds=5)
        data, secs = self.exchange(limit=4 << 20)
        self.assertGreaterEqual(len(data), 4 << 20)
        self.assertNotIn(b"\r\n\r\n", data)

    def test_patch(self):
        SIM.fault("create", "patch", replace=[['"pwd"', '"pwd\udcff"']])
        data, _ = self.exchange()
        self.assertIn(b'"pwd\xff"', data)


class TestOldTlsServer(unittest.TestCase):
    def test_tls_1_0_only(self):
        self.assertEqual(SIM.negotiate_tls(), "TLSv1.3")
        with Simulator(tls_max="1.0") as old:
            with self.assertRaises(ssl.SSLError):
                old.negotiate_tls()        # a TLS 1.2+ client
            self.assertEqual(old.negotiate_tls(oldest="1.0"), "TLSv1")


class TestServer(unittest.TestCase):
    def test_failed_handshake_recorded(self):
        SIM.reset()
        ctx = ssl.create_default_context(cafile=SIM.other_ca_file)
        with socket.create_connection(("127.0.0.1", SIM.https_port), timeout=5) as s:
            with self.assertRaises((ssl.SSLError, OSError)):
                ctx.wrap_socket(s, server_hostname="127.0.0.1")
        deadline = time.monotonic() + 2
        while not SIM.connections() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(SIM.connections()[0]["tls"])
        self.assertEqual(SIM.requests(), [])


class TestIPv6Listener(unittest.TestCase):
    def test_bind_ipv6_only(self):
        with Simulator(bind="::1") as v6:
            self.assertEqual(v6.org_url, "https://[::1]:%d" % v6.https_port)
            ctx = ssl.create_default_context(cafile=v6.ca_file)
            # the certificate names ::1 (and okta-ipv6.test) for hostname checks
            with socket.create_connection(("::1", v6.https_port), timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname="::1") as tls:
                    self.assertTrue(tls.version().startswith("TLSv1."))
            with self.assertRaises(OSError):   # nothing on IPv4
                socket.create_connection(("127.0.0.1", v6.https_port), timeout=5).close()
            deadline = time.monotonic() + 2
            while not v6.connections() and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(v6.connections()[0]["peer"], "::1")


if __name__ == "__main__":
    taprunner.main()
