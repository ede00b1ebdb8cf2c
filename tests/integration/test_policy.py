#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Integration tests of the access policy (require_group, require_mfa,
max_auth_age): pam_okta_session.so through real libpam against the simulator.

Run: python3 tests/integration/test_policy.py [name-substring...]   (as root)
Env: as tests/lib/moduletest.py, whose OktaTestCase this reuses.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import taprunner  # noqa: E402
import moduletest as tm  # noqa: E402  (OktaTestCase and the simulator)
from moduletest import setUpModule, sim, tearDownModule  # noqa: E402,F401
from simlib import Simulator  # noqa: E402

LOGIN, USER, CREATE = tm.LOGIN, tm.USER, tm.CREATE
refresh, delete, get = tm.refresh, tm.delete, tm.get
GROUP = "bastion-admins"


def groups_path(user_id, after=None):
    query = "limit=200" if after is None else "after=%s&limit=200" % after
    return ("GET", "/api/v1/users/%s/groups?%s" % (user_id, query))


def fillers(n, prefix="team"):
    return ["%s-%04d" % (prefix, i) for i in range(n)]


class PolicyTestCase(tm.OktaTestCase):
    def policy_lines(self, r):
        return [m for m in r.messages if "access policy" in m]

    def assert_refused(self, r, code, rule, *needles):
        """Failed with `code`, exactly one policy line naming rule, login, user
        and needles, the created session revoked, its id never logged."""
        self.assert_failed(r, code)
        lines = self.policy_lines(r)
        self.assertEqual(len(lines), 1, r.describe())
        for needle in (rule, LOGIN, "'%s'" % USER) + needles:
            self.assertIn(needle, lines[0], r.describe())
        sid = self.created_session_id()
        self.assertTrue(sim().session(sid)["revoked"], "refused session not revoked")
        self.assertEqual(self.api_requests()[-1], delete(sid), r.describe())
        for line in r.logs:
            self.assertNotIn(sid, line)
        return lines[0]

    def assert_one_connection(self):
        reqs = sim().requests()
        self.assertEqual({q["conn"] for q in reqs}, {reqs[0]["conn"]},
                         "every request on one connection")
        self.assertEqual(len(sim().connections()), 1, "exactly one TLS handshake")



class TestRequireGroup(PolicyTestCase):
    def setUp(self):
        super().setUp()
        self.write_conf(require_group=GROUP)

    def test_member_allowed(self):
        uid = sim().add_user(LOGIN, ["Everyone", GROUP, "dev"])["userId"]
        r, sid, _ = self.login()
        self.assert_requests([CREATE, groups_path(uid), refresh(sid)], r)
        self.assert_one_connection()
        self.assertEqual(r.okta_env()["OKTA_SESSION_ID"], sid)
        self.assertEqual(self.policy_lines(r), [], r.describe())

    def test_not_member_refused_and_revoked(self):
        uid = sim().add_user(LOGIN, ["Everyone", "dev", GROUP + "-old"])["userId"]
        r = self.run_pam(sim().mint(LOGIN))
        line = self.assert_refused(r, "PAM_AUTH_ERR", "require_group", GROUP, "3 groups")
        sid = self.created_session_id()
        self.assert_requests([CREATE, groups_path(uid), delete(sid)], r)
        self.assert_one_connection()
        self.assertIn("refused", line)

    def test_case_differs_refused(self):
        sim().add_user(LOGIN, [GROUP.upper()])
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_refused(r, "PAM_AUTH_ERR", "require_group")

    def test_any_of_several_and_by_id(self):
        made = sim().add_user(LOGIN, ["Everyone", "Ops, EU", "db admins"])
        gid = made["groups"][2]["id"]
        for value in ('nobody, "Ops, EU"', "nobody,  db admins ", "nobody, " + gid):
            with self.subTest(require_group=value):
                sim().reset()
                self.write_conf(require_group=value)
                self.login()
        # An id-shaped entry is matched against ids only, a name against names only.
        sim().add_user(LOGIN, [{"name": gid, "id": "00g" + "Z" * 17}])
        sim().reset()
        self.write_conf(require_group=gid)
        self.assert_refused(self.run_pam(sim().mint(LOGIN)), "PAM_AUTH_ERR", "require_group")

    def test_app_group_of_the_same_name_refused(self):
        """SECURITY.md T3: a group imported from AD or LDAP (APP_GROUP) may
        carry any name; a bare name in require_group counts only an
        OKTA_GROUP, whose names Okta keeps unique."""
        uid = sim().add_user(LOGIN, ["Everyone", {"name": GROUP, "type": "APP_GROUP"}])["userId"]
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_refused(r, "PAM_AUTH_ERR", "require_group", "OKTA_GROUP:" + GROUP,
                            "is of type APP_GROUP")
        self.assert_requests([CREATE, groups_path(uid), delete(self.created_session_id())], r)

    def test_typed_entry_and_id_accept_an_app_group(self):
        """"APP_GROUP:name" widens a name to that type, an id names the one
        group whatever its type; a group sent without a type matches only
        by id (fail closed)."""
        app = {"name": GROUP, "type": "APP_GROUP"}
        untyped = {"name": GROUP, "type": None}
        for groups, entry, allowed in (([app], "APP_GROUP:" + GROUP, True),
                                       ([app], "BUILT_IN:" + GROUP, False),
                                       ([app], None, True),
                                       ([untyped], GROUP, False),
                                       ([untyped], "OKTA_GROUP:" + GROUP, False),
                                       ([untyped], None, True)):
            with self.subTest(groups=groups, entry=entry):
                sim().reset()
                gid = sim().add_user(LOGIN, groups)["groups"][0]["id"]
                self.write_conf(require_group=entry or gid)
                r = self.run_pam(sim().mint(LOGIN))
                self.assert_step(r, "auth", "PAM_SUCCESS" if allowed else "PAM_AUTH_ERR")

    def test_group_on_page_two(self):
        names = fillers(450)
        names[250] = GROUP
        made = sim().add_user(LOGIN, names)
        uid, ids = made["userId"], [g["id"] for g in made["groups"]]
        r, sid, _ = self.login()
        # The complete list: one request per page (200 + 200 + 50), nothing else.
        self.assert_requests([CREATE, groups_path(uid), groups_path(uid, ids[199]),
                              groups_path(uid, ids[399]), refresh(sid)], r)
        self.assert_one_connection()

    def test_request_count_per_page(self):
        # (groups the user has, pages of 200): one request per page, no more.
        for count, pages in ((1, 1), (200, 1), (201, 2), (400, 2), (401, 3)):
            with self.subTest(groups=count):
                sim().reset()
                sim().add_user(LOGIN, fillers(count - 1) + [GROUP])
                r = self.login()[0]
                got = self.api_requests()
                self.assertEqual(len(got), 2 + pages, r.describe())
                self.assertEqual(sum(1 for q in got if "/groups?" in q[1]), pages)
                self.assert_one_connection()

    def test_list_failing_halfway_refused(self):
        names = fillers(450)
        names[10] = GROUP   # on page one: the list must still be complete
        made = sim().add_user(LOGIN, names)
        uid, made_ids = made["userId"], [g["id"] for g in made["groups"]]
        # (A dropped connection is retried once by libcurl on a new
        # connection, so "drop" drops every later page.)
        for fault in ({"action": "status", "status": 500, "count": 1},
                      {"action": "drop"},
                      # (reset beyond the timeout: a 429 is otherwise retried)
                      {"action": "status", "status": 429, "count": 1, "reset_in": 60},
                      {"action": "malformed", "body": '[{"id": "00g1"', "count": 1},
                      {"action": "status", "status": 404, "count": 1}):
            with self.subTest(fault=fault):
                sim().reset()
                sim().fault("groups", skip=1, **fault)
                r = self.run_pam(sim().mint(LOGIN))
                code = "PAM_AUTH_ERR" if fault.get("status") == 404 else "PAM_AUTHINFO_UNAVAIL"
                self.assert_failed(r, code)
                sid = self.created_session_id()
                got = self.api_requests()
                self.assertEqual(got[:2], [CREATE, groups_path(uid)], r.describe())
                later = [q for q in got[2:] if "/groups?" in q[1]]
                self.assertTrue(later and all("after=" in p for _, p in later), r.describe())
                self.assertNotIn(groups_path(uid, made_ids[399]), got, "page three was requested")
                self.assertEqual(got[-1], delete(sid), r.describe())
                self.assertTrue(sim().session(sid)["revoked"])
                self.assertNotIn("refresh", " ".join(p for _, p in got))

    def test_foreign_next_link_not_followed(self):
        port = sim().https_port
        names = fillers(300)
        names[250] = GROUP
        uid = sim().add_user(LOGIN, names)["userId"]
        other = Simulator()
        other.start()
        try:
            other.add_user(LOGIN, names)
            foreign = {
                "other port": {"link_base": other.org_url},
                "http scheme": {"link_base": "http://127.0.0.1:%d" % port},
                "other host": {"link_base": "https://localhost:%d" % port},
                "user info": {"link_base": "https://127.0.0.1:%d@127.0.0.1:%d"
                              % (port, other.https_port)},
                "longer host": {"link_base": "https://127.0.0.1:%d.example" % port},
                "another user": {"next_link": "https://127.0.0.1:%d/api/v1/users/%s/groups"
                                 "?after=x" % (port, "00u" + "B" * 17)},
                "another endpoint": {"next_link": "https://127.0.0.1:%d/api/v1/users/%s/groups/"
                                     "../../../sessions/x" % (port, uid)},
                "fragment": {"next_link": "https://127.0.0.1:%d/api/v1/users/%s/groups"
                             "?after=x#y" % (port, uid)},
            }
            for name, extra in foreign.items():
                with self.subTest(name):
                    sim().reset()
                    other.reset()
                    sim().add_user(LOGIN, names, **extra)
                    r = self.run_pam(sim().mint(LOGIN))
                    self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
                    sid = self.created_session_id()
                    self.assert_requests([CREATE, groups_path(uid), delete(sid)], r)
                    self.assert_logged(r, "next link", "not followed")
                    self.assertEqual(other.requests(), [])
                    self.assertEqual(other.connections(), [], "connected to a foreign origin")
                    self.assert_one_connection()
        finally:
            other.stop()

    def test_unknown_user_refused(self):
        minted = sim().mint_full("carol@example.com")   # a session, but no user record
        uid = minted["userId"]
        r = self.run_pam(minted["sessionToken"], user="carol")
        self.assert_failed(r, "PAM_AUTH_ERR")
        sid = self.created_session_id()
        self.assert_requests([CREATE, groups_path(uid), delete(sid)], r)
        self.assertTrue(sim().session(sid)["revoked"])
        self.assert_logged(r, "require_group", "carol", "does not know")

    def test_no_permission_unavailable(self):
        uid = sim().add_user(LOGIN, [GROUP])["userId"]
        sim().fault("groups", "status", status=403, errorCode="E0000006")
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        sid = self.created_session_id()
        self.assert_requests([CREATE, groups_path(uid), delete(sid)], r)
        self.assert_logged(r, "listUserGroups", "403", "E0000006")

    def test_groups_slow_within_deadline(self):
        self.write_conf(require_group=GROUP, timeout=2)
        sim().add_user(LOGIN, [GROUP])
        sim().fault("groups", "delay", seconds=10)
        r = self.run_pam(sim().mint(LOGIN))
        self.assert_failed(r, "PAM_AUTHINFO_UNAVAIL")
        self.assertLess(r.elapsed, 2 + 1.5, "the groups request ignored the timeout")


class TestRequireMfa(PolicyTestCase):
    def setUp(self):
        super().setUp()
        self.write_conf(require_mfa="yes")

    def test_factor_allowed_without_extra_request(self):
        for amr in (["pwd", "mfa"], ["pwd", "otp"], ["hwk"], ["swk", "pwd"], ["pwd", "sms"]):
            with self.subTest(amr=amr):
                sim().reset()
                r, sid, _ = self.login(amr=amr)
                self.assert_requests([CREATE, refresh(sid)], r)

    def test_password_only_refused_and_revoked(self):
        for amr in (["pwd"], [], ["pwd", "kba"], None):
            with self.subTest(amr=amr):
                sim().reset()
                mint = {"amr": amr} if amr is not None else {"session": {"-amr": None}}
                r = self.run_pam(sim().mint(LOGIN, **mint))
                self.assert_refused(r, "PAM_AUTH_ERR", "require_mfa", "no factor beyond")
                self.assert_requests([CREATE, delete(self.created_session_id())], r)

    def test_malformed_amr_fails_closed_only_when_needed(self):
        for amr in ("mfa", [1], {"mfa": True}, ["x" * 33]):
            with self.subTest(amr=amr):
                sim().reset()
                self.write_conf(require_mfa="yes")
                r = self.run_pam(sim().mint(LOGIN, session={"amr": amr}))
                self.assert_refused(r, "PAM_AUTHINFO_UNAVAIL", "require_mfa", "amr")
                sim().reset()
                self.write_conf(require_mfa="no")
                self.login(session={"amr": amr})

    def test_open_rechecks_mfa(self):
        self.write_conf()
        weak = self.login(amr=["pwd"])[1]
        sim().reset()
        strong = self.login(amr=["pwd", "mfa"])[1]
        self.write_conf(require_mfa="yes")
        sim().reset()
        r = self.run_open(weak)
        self.assert_step(r, "open", "PAM_SESSION_ERR")
        self.assert_requests([get(weak), refresh(weak)], r)
        self.assertEqual(len(self.policy_lines(r)), 1, r.describe())
        self.assertFalse(sim().session(weak)["revoked"], "open must not revoke")
        sim().reset()
        self.assert_step(self.run_open(strong), "open", "PAM_SUCCESS")


class TestMaxAuthAge(PolicyTestCase):
    # Margins of 20 s either side of the limit: the login takes well under
    # a second, even on a loaded machine. Exact edges are unit-tested.
    LIMIT = 120

    def setUp(self):
        super().setUp()
        self.write_conf(max_auth_age=self.LIMIT)

    def test_just_inside(self):
        r, sid, _ = self.login(last_password_age=self.LIMIT - 20, last_factor_age=None)
        self.assert_requests([CREATE, refresh(sid)], r)

    def test_just_outside_refused_and_revoked(self):
        r = self.run_pam(sim().mint(LOGIN, last_password_age=self.LIMIT + 20,
                                     last_factor_age=None))
        self.assert_refused(r, "PAM_AUTH_ERR", "max_auth_age", "more than %d s" % self.LIMIT)
        self.assert_requests([CREATE, delete(self.created_session_id())], r)

    def test_later_of_password_and_factor(self):
        self.login(last_password_age=self.LIMIT + 20, last_factor_age=self.LIMIT - 20)
        sim().reset()
        self.login(last_password_age=self.LIMIT - 20, last_factor_age=self.LIMIT + 20)

    def test_with_mfa_only_the_factor_counts(self):
        self.write_conf(max_auth_age=self.LIMIT, require_mfa="yes")
        self.login(amr=["pwd", "mfa"], last_password_age=3600, last_factor_age=self.LIMIT - 20)
        for factor_age, why in ((self.LIMIT + 20, "last factor verification"),
                                (None, "no lastFactorVerification")):
            with self.subTest(last_factor_age=factor_age):
                sim().reset()
                r = self.run_pam(sim().mint(LOGIN, amr=["pwd", "mfa"], last_password_age=0,
                                             last_factor_age=factor_age))
                self.assert_refused(r, "PAM_AUTH_ERR", "max_auth_age", why)

    def test_no_verification_time_refused(self):
        r = self.run_pam(sim().mint(LOGIN, last_password_age=None, last_factor_age=None))
        self.assert_refused(r, "PAM_AUTH_ERR", "max_auth_age", "no lastPasswordVerification")

    def test_bad_times_fail_closed(self):
        cases = {"future": {"last_password_age": -3600},
                 "not a timestamp": {"session": {"lastPasswordVerification": "yesterday"}},
                 "local time": {"session": {"lastPasswordVerification": "2030-01-01T00:00:00+01:00"}},
                 "number": {"session": {"lastFactorVerification": 1700000000}}}
        for name, mint in cases.items():
            with self.subTest(name):
                sim().reset()
                r = self.run_pam(sim().mint(LOGIN, **mint))
                self.assert_refused(r, "PAM_AUTHINFO_UNAVAIL", "max_auth_age")

    def test_open_does_not_recheck_age(self):
        sid = self.login(last_password_age=self.LIMIT - 20, last_factor_age=None)[1]
        self.write_conf(max_auth_age=1)
        sim().reset()
        r = self.run_open(sid)
        self.assert_step(r, "open", "PAM_SUCCESS")
        self.assert_requests([get(sid), refresh(sid)], r)


class TestAllRules(PolicyTestCase):
    def test_bastion_policy_in_one_process(self):
        """auth + open as sudo runs them: groups, MFA and age, one connection."""
        self.write_conf(require_group=GROUP, require_mfa="yes", max_auth_age=900)
        uid = sim().add_user(LOGIN, fillers(250) + [GROUP])["userId"]
        r, sid, _ = self.login(steps="auth,open", amr=["pwd", "mfa"], last_factor_age=30)
        self.assert_step(r, "open", "PAM_SUCCESS")
        got = self.api_requests()
        self.assertEqual(got[0], CREATE)
        self.assertEqual(got[1], groups_path(uid))
        self.assertEqual(got[3:], [refresh(sid), refresh(sid)], r.describe())
        self.assert_one_connection()

    def test_session_rules_refuse_before_groups_request(self):
        self.write_conf(require_group=GROUP, require_mfa="yes")
        sim().add_user(LOGIN, [GROUP])
        r = self.run_pam(sim().mint(LOGIN, amr=["pwd"]))
        self.assert_refused(r, "PAM_AUTH_ERR", "require_mfa")
        self.assert_requests([CREATE, delete(self.created_session_id())], r)

    def test_bad_policy_config(self):
        cases = {
            "unterminated quote": {"require_group": '"ops'},
            "empty entry": {"require_group": "ops,,dev"},
            "trailing comma": {"require_group": "ops,"},
            "quote inside": {"require_group": 'ops"x'},
            "33 groups": {"require_group": ", ".join(fillers(33))},
            "256-byte name": {"require_group": "g" * 256},
            "APP_GROUP: without a name": {"require_group": "ops, APP_GROUP:"},
            "quoted BUILT_IN: without a name": {"require_group": '"BUILT_IN:"'},
            "OKTA_GROUP: without a name": {"require_group": "OKTA_GROUP:  , ops"},
            "require_mfa maybe": {"require_mfa": "maybe"},
            "max_auth_age 0": {"max_auth_age": 0},
            "max_auth_age too big": {"max_auth_age": 31536001},
            "max_auth_age -5": {"max_auth_age": -5},
        }
        for name, overrides in cases.items():
            with self.subTest(name):
                sim().reset()
                self.write_conf(**overrides)
                r = self.run_pam(sim().mint(LOGIN))
                self.assert_failed(r, "PAM_SERVICE_ERR")
                self.assert_no_requests(r)

    def test_policy_off_is_todays_behaviour(self):
        self.write_conf(require_mfa="no")
        r, sid, _ = self.login(amr=["pwd"], last_password_age=10 ** 6,
                               session={"amr": 7, "lastFactorVerification": []})
        self.assert_requests([CREATE, refresh(sid)], r)


if __name__ == "__main__":
    taprunner.main()
