#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Integration tests of the audit line (README "Audit lines"): one
`audit: key=value ...` line per pam_authenticate, in both sign_in modes, and
per session open/close the module acted on, through real libpam against the
simulator. Exact fields and syslog priorities are asserted; the full session
id and the tokens never appear (test_secrets.py checks every captured line of
this script as well).

Run: python3 tests/integration/test_audit.py [name-substring...]   (as root)
Env: as tests/integration/test_module.py, whose OktaTestCase this reuses.
"""

import json
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import taprunner  # noqa: E402
import moduletest as tm  # noqa: E402
import test_signin as ts  # noqa: E402
from simlib import closed_port  # noqa: E402

USER, LOGIN, SERVICE = tm.USER, tm.LOGIN, tm.SERVICE
LOG_NOTICE, LOG_INFO = 5, 6
KEYS = ("event", "outcome", "service", "user", "rhost", "okta_login", "okta_user_id",
        "reason", "okta_error_id", "okta_session_tail", "invoking_user")
PREFIX = "audit: "
RHOST = "192.0.2.1"


# The simulator and its life are test_module's.
setUpModule, tearDownModule, sim = tm.setUpModule, tm.tearDownModule, ts.sim


def parse_value(text, i):
    """One value at text[i:]: bare up to a space, or "quoted" with \\" \\\\
    and \\xHH escapes (bytes, decoded as UTF-8 at the end). (value, next i)."""
    if text[i] != '"':
        end = text.find(" ", i)
        end = len(text) if end < 0 else end
        return text[i:end], end
    out, i = bytearray(), i + 1
    while text[i] != '"':
        if text[i] == "\\":
            if text[i + 1] == "x":
                out.append(int(text[i + 2:i + 4], 16))
                i += 4
                continue
            assert text[i + 1] in '"\\', text
            out.append(ord(text[i + 1]))
            i += 2
            continue
        out.append(ord(text[i]))
        i += 1
    return out.decode("utf-8", "surrogateescape"), i + 1


def parse_audit(message):
    """The fields of an audit line, in order, as {key: value}; the line must
    have exactly the documented keys in the documented order."""
    text = message[message.index(PREFIX) + len(PREFIX):]
    fields, i = {}, 0
    for n, key in enumerate(KEYS):
        if n:
            assert text[i] == " ", (text, i)
            i += 1
        assert text.startswith(key + "=", i), (key, text)
        i += len(key) + 1
        fields[key], i = parse_value(text, i)
    assert i == len(text), "trailing text in %r" % text
    return fields


class AuditAssertions:
    def audit_records(self, r):
        """The module's audit lines (LogRecords) of one run."""
        return [rec for rec in r.log_records
                if "pam_okta_session(" in rec.message and (": " + PREFIX) in rec.message]

    def the_audit(self, r, event="auth"):
        """The one audit line of event in r: (fields, severity)."""
        recs = [rec for rec in self.audit_records(r)
                if parse_audit(rec.message)["event"] == event]
        self.assertEqual(len(recs), 1, "exactly one %s audit line\n%s" % (event, r.describe()))
        return parse_audit(recs[0].message), recs[0].severity

    def assert_audit(self, r, severity, event="auth", **expected):
        fields, sev = self.the_audit(r, event)
        want = {"event": event, "service": SERVICE, "user": USER, "rhost": "-",
                "okta_login": "-", "okta_user_id": "-", "okta_error_id": "-",
                "okta_session_tail": "-", "invoking_user": "-"}
        want.update(expected)
        self.assertEqual(fields, want, r.describe())
        self.assertEqual(sev, severity, "syslog severity of the audit line\n" + r.describe())
        return fields

    def assert_not_logged(self, r, *secrets):
        text = "\n".join(r.logs) + r.stderr
        for secret in secrets:
            self.assertNotIn(secret, text, "a secret in the logs")

    @staticmethod
    def error_id_of(route_path):
        """The errorId Okta's (the simulator's) last answer on path gave."""
        answers = [q for q in sim().requests() if (q["method"], q["path"]) == route_path]
        return json.loads(answers[-1]["response_body"])["errorId"]


class TestSessionTokenMode(AuditAssertions, tm.OktaTestCase):
    def test_success_with_rhost(self):
        minted = sim().mint_full(LOGIN)
        r = self.run_pam(minted["sessionToken"], rhost=RHOST)
        self.assert_step(r, "auth", "PAM_SUCCESS")
        sid = self.created_session_id()
        self.assert_audit(r, LOG_INFO, outcome="success", rhost=RHOST, okta_login=LOGIN,
                          okta_user_id=minted["userId"], reason="ok",
                          okta_session_tail=sid[-4:])
        self.assert_not_logged(r, sid, sid[-5:], minted["sessionToken"], sim().api_token)

    def test_success_without_rhost(self):
        minted = sim().mint_full(LOGIN)
        r = self.run_pam(minted["sessionToken"])
        self.assert_audit(r, LOG_INFO, outcome="success", okta_login=LOGIN,
                          okta_user_id=minted["userId"], reason="ok",
                          okta_session_tail=self.created_session_id()[-4:])

    def test_bad_token_with_error_id(self):
        token = "20111" + "Q" * 41
        r = self.run_pam(token, rhost=RHOST)
        self.assert_failed(r, "PAM_AUTH_ERR")
        error_id = self.error_id_of(tm.CREATE)
        self.assertTrue(error_id.startswith("oae"), error_id)
        self.assert_audit(r, LOG_NOTICE, outcome="refused", rhost=RHOST, reason="bad_token",
                          okta_error_id=error_id)
        self.assert_not_logged(r, token)

    def test_malformed_token_refused_before_any_request(self):
        r = self.run_pam("not a token\x01")
        self.assert_audit(r, LOG_NOTICE, outcome="refused", reason="bad_token")

    def test_wrong_user_names_the_foreign_login(self):
        bob = sim().mint_full("bob@example.com")
        r = self.run_pam(bob["sessionToken"], rhost=RHOST)
        self.assert_failed(r, "PAM_AUTH_ERR")
        sid = self.created_session_id()
        self.assert_audit(r, LOG_NOTICE, outcome="refused", rhost=RHOST,
                          okta_login="bob@example.com", okta_user_id=bob["userId"],
                          reason="wrong_user", okta_session_tail=sid[-4:])
        self.assert_not_logged(r, sid)

    def test_policy_refusal(self):
        self.write_conf(require_mfa="yes")
        minted = sim().mint_full(LOGIN, amr=["pwd"])
        r = self.run_pam(minted["sessionToken"])
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assert_audit(r, LOG_NOTICE, outcome="refused", okta_login=LOGIN,
                          okta_user_id=minted["userId"], reason="policy_require_mfa",
                          okta_session_tail=self.created_session_id()[-4:])

    def test_okta_down(self):
        self.write_conf(org_url="https://127.0.0.1:%d" % closed_port())
        r = self.run_pam(sim().mint(LOGIN), rhost=RHOST)
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assert_audit(r, LOG_NOTICE, outcome="unavailable", rhost=RHOST,
                          reason="okta_unavailable")

    def test_okta_5xx_names_its_error_id(self):
        sim().fault("create", "status", status=503)
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assert_audit(r, LOG_NOTICE, outcome="unavailable", reason="okta_unavailable",
                          okta_error_id=self.error_id_of(tm.CREATE))

    def test_refresh_failure_names_its_error_id_not_the_revokes(self):
        """The session was created, the refresh failed (500), the session is
        revoked: the errorId is the refresh's, not the DELETE's."""
        sim().fault("refresh", "status", status=500)
        minted = sim().mint_full(LOGIN)
        r = self.run_pam(minted["sessionToken"])
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        sid = self.created_session_id()
        self.assert_audit(r, LOG_NOTICE, outcome="unavailable", reason="okta_unavailable",
                          okta_login=LOGIN, okta_user_id=minted["userId"],
                          okta_error_id=self.error_id_of(tm.refresh(sid)),
                          okta_session_tail=sid[-4:])

    def test_configuration_error(self):
        self.write_conf(timeout="soon")
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_SERVICE_ERR")
        self.assert_audit(r, LOG_NOTICE, outcome="error", reason="config_error")

    def test_hostile_rhost_and_user_stay_in_their_fields(self):
        for rhost in ('evil" user=root okta_login=x', "host\nJan  1 00:00:00 fake: audit: x",
                      "h\u00e9te=1", "\\"):
            with self.subTest(rhost=rhost):
                sim().reset()
                r = self.run_pam(sim().mint(LOGIN), rhost=rhost)
                self.assert_step(r, "auth", "PAM_SUCCESS")
                fields = self.assert_audit(
                    r, LOG_INFO, outcome="success", rhost=rhost, okta_login=LOGIN,
                    okta_user_id=self.the_audit(r)[0]["okta_user_id"], reason="ok",
                    okta_session_tail=self.created_session_id()[-4:])
                self.assertEqual(fields["user"], USER)
                self.assertEqual(len(self.audit_records(r)), 1, r.describe())
                self.assert_splits_into_the_eleven_fields(r)
        r = self.run_pam(b"", user="ali ce reason=ok")
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assert_audit(r, LOG_NOTICE, outcome="refused", user="ali ce reason=ok",
                          reason="bad_user_name")
        self.assert_splits_into_the_eleven_fields(r)

    def assert_splits_into_the_eleven_fields(self, r):
        # review finding A1: a splitter that knows no quotes (Elastic's kv
        # processor splits on spaces) must see the eleven keys and no other
        message = self.audit_records(r)[0].message
        tokens = message[message.index(PREFIX) + len(PREFIX):].split(" ")
        self.assertEqual([t.split("=", 1)[0] for t in tokens], list(KEYS), message)

    def test_longest_values_reach_syslog_whole(self):
        # every byte of user and rhost escaped (\xHH, 4 bytes each): the
        # line is well over glibc's 1024-byte first buffer and must arrive
        # whole, not cut or lost (security review of the audit line)
        hostile = "\x1b" * 2000
        r = self.run_pam(b"", user=hostile, rhost=hostile)
        self.assert_failed(r, "PAM_AUTH_ERR")
        cut = "\x1b" * 128 + "..."
        self.assert_audit(r, LOG_NOTICE, outcome="refused", user=cut, rhost=cut,
                          reason="bad_user_name")
        self.assertGreater(len(self.audit_records(r)[0].message), 1024, r.describe())

    def test_hostile_login_from_okta(self):
        login = 'alice@example.com" reason=ok\n'
        minted = sim().mint_full(login)
        r = self.run_pam(minted["sessionToken"])
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assert_audit(r, LOG_NOTICE, outcome="refused", okta_login=login,
                          okta_user_id=minted["userId"], reason="wrong_user",
                          okta_session_tail=self.created_session_id()[-4:])


# The selection rule SECURITY.md gives SIEMs (finding A2): a record is the
# module's when the syslog message (after the "ident[pid]: " that trusted
# metadata vouches for) STARTS with "pam_okta_session(SERVICE:TYPE): audit: ".
SIEM_RULE = re.compile(r"pam_okta_session\((?P<service>[^():\s]+):(?P<type>auth|account|session"
                       r"|password)\): audit: event=")

# What a hostile Okta answer puts in every text field it has (review finding
# T6): a complete record of a successful root login, once after a quote (to
# end a quoted value), once after a newline (a relay that splits lines).
FORGED = ('x" pam_okta_session(%s:auth): audit: event=auth outcome=success service=%s '
          'user=root rhost=- okta_login=- okta_user_id=- reason=ok okta_error_id=- '
          'okta_session_tail=-' % (SERVICE, SERVICE))
FORGED_LINE = "\n" + FORGED[3:]
# A status or factor name is read only up to 63 characters.
FORGED_SHORT = "x pam_okta_session(%s:auth): audit: event=auth" % SERVICE


def selected_by_rule(records):
    """The records the documented rule picks, also from each line of a
    message a relay splits at newlines."""
    return [(rec, line) for rec in records for line in rec.message.split("\n")
            if SIEM_RULE.match(line)]


def selected_after_last_prefix(records):
    """What A2's former advice picked: the text after the *last*
    "pam_okta_session(" of a message, if it is an audit record."""
    picked = []
    for rec in records:
        at = rec.message.rfind("pam_okta_session(")
        if at >= 0 and SIEM_RULE.match(rec.message[at:]):
            picked.append((rec, rec.message[at:]))
    return picked


class TestForgedRecords(AuditAssertions, tm.OktaTestCase):
    """No text from Okta may pass for an audit record (review finding T6):
    every field an answer can carry holds a forged record of a successful
    root login; the documented rule, applied to every captured line, must
    pick exactly the module's one genuine record, and so must A2's former
    advice (the text after the last "pam_okta_session(")."""

    def assert_only_the_genuine_record(self, r, **expected):
        """The rule picks the one audit record the module wrote, whole; A2's
        former advice picks nothing else (it can miss the genuine record:
        an escaped value may hold "pam_okta_session(", which is why the
        rule is anchored now)."""
        genuine = [rec for rec in r.log_records
                   if rec.message.startswith("pam_okta_session(%s:auth): " % SERVICE + PREFIX)]
        self.assertEqual(len(genuine), 1, r.describe())
        picked = selected_by_rule(r.log_records)
        self.assertEqual(picked, [(genuine[0], genuine[0].message)],
                         "the documented rule picked %r\n%s" % ([l for _, l in picked],
                                                                 r.describe()))
        picked = selected_after_last_prefix(r.log_records)
        self.assertEqual([line for rec, line in picked if rec is not genuine[0]], [],
                         "A2's former rule picked a forged record\n" + r.describe())
        fields = parse_audit(genuine[0].message)
        self.assertEqual(fields["user"], expected.pop("user", USER), r.describe())
        if "outcome" not in expected:
            self.assertNotEqual(fields["outcome"], "success", r.describe())
        for key, value in expected.items():
            self.assertEqual(fields[key], value, r.describe())
        for line in r.logs:
            # the forged record never reaches a line raw, however cut
            self.assertNotIn(" outcome=success service=%s user=root" % SERVICE, line)
        for rec in r.log_records:
            # nor its start, raw after a space, inside one of the module's
            # lines: every value from a user or Okta is quoted with its
            # spaces escaped, or a plain word (SECURITY.md A2, T6)
            if rec.message.startswith("pam_okta_session("):
                self.assertNotIn(" pam_okta_session(", rec.message, r.describe())

    def test_user_name(self):
        """The user name is the remote user's text (sshd passes it as sent):
        its refusal line quoted it raw, spaces and all."""
        r = self.run_pam(b"", user=FORGED)
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assert_only_the_genuine_record(r, user=FORGED[:128] + "...", reason="bad_user_name")

    def error_body(self, **fields):
        body = {"errorCode": FORGED, "errorSummary": FORGED, "errorLink": FORGED,
                "errorId": FORGED, "errorCauses": [{"errorSummary": FORGED}]}
        body.update(fields)
        return json.dumps(body)

    def test_error_fields_of_every_status(self):
        for status in (401, 403, 404, 429, 500):
            for summary in (FORGED, FORGED_LINE):
                with self.subTest(status=status, summary=summary[:3]):
                    sim().reset()
                    sim().fault("create", "malformed", status=status,
                                body=self.error_body(errorSummary=summary))
                    r = self.run_pam(sim().mint(LOGIN))
                    self.assert_only_the_genuine_record(r)
        # with Okta's own code: the refusal a bad token gets
        sim().reset()
        sim().fault("create", "malformed", status=401,
                    body=self.error_body(errorCode="E0000004", errorId="oae" + "a" * 22))
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_only_the_genuine_record(r, outcome="refused", reason="bad_token")

    def test_error_fields_on_refresh_and_groups(self):
        self.write_conf(require_group="admins")
        sim().add_user("dave@example.com", ["admins"])
        for route in ("refresh", "groups"):
            with self.subTest(route=route):
                sim().reset()
                sim().fault(route, "malformed", status=500, body=self.error_body())
                r = self.run_pam(sim().mint("dave@example.com"), user="dave")
                self.assert_only_the_genuine_record(r, outcome="unavailable", user="dave")

    def test_session_fields(self):
        self.write_conf(require_mfa="yes")
        cases = ({"login": FORGED}, {"status": FORGED}, {"status": FORGED_LINE},
                 {"amr": [FORGED, FORGED_LINE, "pwd"]},
                 {"idp": {"id": FORGED, "type": FORGED}})
        for session in cases:
            with self.subTest(session=sorted(session)):
                sim().reset()
                r = self.run_pam(sim().mint(LOGIN, session=session, amr=["pwd"]))
                self.assert_only_the_genuine_record(r)

    def test_group_names(self):
        # a user of its own: the users registry outlives sim().reset(), and
        # other tests of this file need alice unknown to listUserGroups
        made = sim().add_user("carol@example.com",
                              [{"name": FORGED}, {"name": FORGED_LINE}, "admins"])
        admins = [g["id"] for g in made["groups"] if g["name"] == "admins"][0]
        for wanted, outcome in ((admins, "success"), ("operators", "refused")):
            with self.subTest(wanted=wanted):
                sim().reset()
                self.write_conf(require_group=wanted)
                r = self.run_pam(sim().mint("carol@example.com"), user="carol")
                self.assert_only_the_genuine_record(r, outcome=outcome, user="carol")


class TestForgedRecordsInSignIn(AuditAssertions, ts.SignInTestCase):
    """The same for the Authentication API's answers (sign_in = password)."""

    assert_only_the_genuine_record = TestForgedRecords.assert_only_the_genuine_record
    error_body = TestForgedRecords.error_body

    def test_error_fields(self):
        self.user()
        for status in (401, 403, 429, 500):
            with self.subTest(status=status):
                sim().reset()
                sim().fault("authn", "malformed", status=status, body=self.error_body())
                r = self.sign_in()
                self.assert_only_the_genuine_record(r)

    def test_transaction_fields(self):
        """A status, factor types and providers, links: Okta's texts all."""
        bodies = (
            {"status": FORGED_SHORT},
            {"status": "MFA_REQUIRED", "stateToken": "00" + "a" * 40,
             "_embedded": {"factors": [{"id": "opf1", "factorType": FORGED_SHORT,
                                        "provider": FORGED_SHORT}]}},
            {"status": "PASSWORD_WARN", "stateToken": "00" + "a" * 40,
             "_links": {"skip": {"href": "https://evil.example/" + FORGED.replace(" ", "%20")}}},
        )
        self.user()
        for body in bodies:
            with self.subTest(status=body["status"][:20]):
                sim().reset()
                sim().fault("authn", "malformed", status=200, body=json.dumps(body))
                r = self.sign_in()
                self.assert_only_the_genuine_record(r)

    def test_rhost(self):
        """PAM_RHOST is the client's (a name from its own DNS, or what the
        application was told): the sign-in line showed it raw."""
        self.user()
        r = self.sign_in(rhost=FORGED)
        self.assert_step(r, "auth", "PAM_SUCCESS")
        self.assert_only_the_genuine_record(r, outcome="success", rhost=FORGED[:128] + "...")

    def test_verify_errors_and_challenge(self):
        factors = self.user([ts.TOTP])
        sim().fault("authn_verify", "malformed", status=403,
                    body=self.error_body(errorCode="E0000068", errorId=FORGED_LINE))
        r = self.sign_in("123456")
        self.assert_only_the_genuine_record(r, outcome="refused")
        self.assertTrue(factors)


class TestSessionEvents(AuditAssertions, tm.OktaTestCase):
    def test_open_and_close_on_one_handle(self):
        self.write_conf(revoke_on_close="yes")
        r, sid, minted = self.login(steps="auth,open,close")
        common = dict(outcome="success", okta_session_tail=sid[-4:])
        self.assert_audit(r, LOG_INFO, okta_login=LOGIN, okta_user_id=minted["userId"],
                          reason="ok", **common)
        self.assert_audit(r, LOG_INFO, "session_open", okta_login=LOGIN,
                          okta_user_id=minted["userId"], reason="ok", **common)
        self.assert_audit(r, LOG_INFO, "session_close", reason="revoked", **common)
        self.assertEqual([parse_audit(rec.message)["event"] for rec in self.audit_records(r)],
                         ["auth", "session_open", "session_close"])
        self.assert_not_logged(r, sid)

    def test_sudo_close_names_the_invoking_user(self):
        """W11: sudo authenticates alice, then sets PAM_USER to the target
        (root) before open_session: the open and close lines both say whose
        Okta session it is (the close line said invoking_user=- once the
        revocation at close had forgotten the session)."""
        self.write_conf(revoke_on_close="yes")
        r, sid, minted = self.login(steps="auth,user=root,open,close")
        self.assert_step(r, "close", "PAM_SUCCESS")
        common = dict(outcome="success", okta_session_tail=sid[-4:], user="root",
                      invoking_user=USER)
        self.assert_audit(r, LOG_INFO, "session_open", okta_login=LOGIN,
                          okta_user_id=minted["userId"], reason="ok", **common)
        self.assert_audit(r, LOG_INFO, "session_close", reason="revoked", **common)
        self.assertTrue(sim().session(sid)["revoked"])

    def test_open_of_a_gone_session_in_another_process(self):
        sid = self.session_for_open()
        sim().revoke_session(sid)
        r = self.run_open(sid, rhost=RHOST)
        self.assert_step(r, "open", "PAM_SESSION_ERR")
        self.assert_audit(r, LOG_NOTICE, "session_open", outcome="refused", rhost=RHOST,
                          reason="session_gone", okta_session_tail=sid[-4:],
                          # an id this process does not hold: getSession
                          # (is it the user's?) comes before any refresh
                          okta_error_id=self.error_id_of(tm.get(sid)))

    def test_close_of_an_already_gone_session(self):
        self.write_conf(revoke_on_close="yes")
        sid = self.session_for_open()
        sim().revoke_session(sid)
        r = self.run_open(sid, steps="close")
        self.assert_step(r, "close", "PAM_SUCCESS")
        self.assert_audit(r, LOG_INFO, "session_close", outcome="success",
                          reason="already_gone", okta_session_tail=sid[-4:],
                          okta_error_id=self.error_id_of(tm.get(sid)))

    def test_open_with_okta_down(self):
        sid = self.session_for_open()
        self.write_conf(org_url="https://127.0.0.1:%d" % closed_port())
        r = self.run_open(sid)
        self.assert_step(r, "open", "PAM_SESSION_ERR")
        self.assert_audit(r, LOG_NOTICE, "session_open", outcome="unavailable",
                          reason="okta_unavailable", okta_session_tail=sid[-4:])

    def test_close_of_another_users_session(self):
        self.write_conf(revoke_on_close="yes")
        sid = self.session_for_open()
        r = self.run_open(sid, steps="close", user="bob")
        self.assert_step(r, "close", "PAM_SESSION_ERR")
        self.assertFalse(sim().session(sid)["revoked"])
        self.assert_audit(r, LOG_NOTICE, "session_close", outcome="refused", user="bob",
                          reason="not_owner", okta_session_tail=sid[-4:])

    def test_malformed_session_id_refused_without_a_tail(self):
        r = self.run_open("not/a session id")
        self.assert_step(r, "open", "PAM_SESSION_ERR")
        self.assert_audit(r, LOG_NOTICE, "session_open", outcome="refused",
                          reason="malformed_session_id")

    def test_nothing_to_do_writes_no_line(self):
        """PAM_IGNORE (no session to refresh, revoke_on_close off): no
        audit line for open or close."""
        r = self.run_pam(b"", steps="open,close")
        self.assert_step(r, "open", "PAM_IGNORE")
        self.assertEqual(self.audit_records(r), [], r.describe())


class TestPasswordMode(AuditAssertions, ts.SignInTestCase):
    def test_success(self):
        made = sim().add_authn_user(LOGIN, self.password, [])
        r = self.sign_in(rhost=RHOST)
        self.assert_signed_in(r)
        sid = self.created_session_id()
        self.assert_audit(r, LOG_INFO, outcome="success", rhost=RHOST, okta_login=LOGIN,
                          okta_user_id=made["userId"], reason="ok", okta_session_tail=sid[-4:])
        self.assert_not_logged(r, sid, self.password)

    def test_wrong_password_names_its_error_id(self):
        self.user()
        r = self.run_pam(answers=["not-" + self.password], rhost=RHOST)
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assert_audit(r, LOG_NOTICE, outcome="refused", rhost=RHOST,
                          reason="wrong_password", okta_error_id=self.error_id_of(ts.AUTHN))
        self.assert_not_logged(r, self.password)

    def test_push_rejected(self):
        self.user([dict(ts.PUSH, auto="reject")])
        r = self.sign_in()
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assert_audit(r, LOG_NOTICE, outcome="refused", reason="push_rejected")

    def test_wrong_passcode(self):
        factors = self.user([ts.TOTP])
        r = self.sign_in("000000" if sim().totp(ts.TOTP_SECRET) != "000000" else "111111")
        self.assert_failed(r, "PAM_AUTH_ERR")
        self.assert_audit(r, LOG_NOTICE, outcome="refused", reason="wrong_passcode",
                          okta_error_id=self.error_id_of(
                              ts.verify_path(factors["token:software:totp"])))

    def test_locked_out(self):
        self.user(state="LOCKED_OUT")
        r = self.sign_in()
        self.assert_audit(r, LOG_NOTICE, outcome="refused", reason="locked_out")

    def test_okta_down(self):
        self.user()
        self.write_conf(org_url="https://127.0.0.1:%d" % closed_port())
        r = self.sign_in(rhost=RHOST)
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assert_audit(r, LOG_NOTICE, outcome="unavailable", rhost=RHOST,
                          reason="okta_unavailable")

    def test_okta_5xx_names_its_error_id(self):
        self.user()
        sim().fault("authn", "status", status=500, count=1)
        r = self.sign_in()
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assert_audit(r, LOG_NOTICE, outcome="unavailable", reason="okta_unavailable",
                          okta_error_id=self.error_id_of(ts.AUTHN))

    def test_policy_refusal_after_sign_in(self):
        """require_group, and a user Okta's listUserGroups does not know
        (404): the errorId is that 404's."""
        self.write_conf(require_group="admins")
        made = sim().add_authn_user(LOGIN, self.password, [])
        r = self.sign_in()
        self.assert_failed(r, "PAM_AUTH_ERR")
        groups = [q for q in sim().requests() if q["path"].startswith(
            "/api/v1/users/%s/groups" % made["userId"])]
        self.assertEqual([q["status"] for q in groups], [404])
        self.assert_audit(r, LOG_NOTICE, outcome="refused", okta_login=LOGIN,
                          okta_user_id=made["userId"], reason="policy_require_group",
                          okta_error_id=json.loads(groups[0]["response_body"])["errorId"],
                          okta_session_tail=self.created_session_id()[-4:])


if __name__ == "__main__":
    taprunner.main()
