# SPDX-License-Identifier: BSD-3-Clause
"""The integration tests' shared frame: one Okta simulator per test file and
OktaTestCase, a fresh temporary directory, configuration and PAM service for
every test, with helpers to run the module through real libpam
(pamharness.run_driver) and assertions on its answers, log lines and the
requests the simulator saw.

A test file uses it with

    from moduletest import setUpModule, tearDownModule  # one simulator per file
    import moduletest as mt

    class TestX(mt.OktaTestCase): ...      # mt.sim() is the running simulator

Env: PAM_OKTA_MODULE, PAM_OKTA_DRIVER, PAM_OKTA_SRCDIR, PAM_OKTA_BUILDDIR
(pamharness.py); root (mount namespace for log capture, root-owned config files).
"""

import json
import os
import shutil
import tempfile
import unittest

import pamharness as ph
from simlib import Simulator

SIM = None  # the running simulator, started by setUpModule
SERVICE = "okta-test"
USER = "alice"
LOGIN = "alice@example.com"
CREATE = ("POST", "/api/v1/sessions")
PAM_PROMPT_ECHO_OFF = 1


def refresh(sid):
    return ("POST", "/api/v1/sessions/%s/lifecycle/refresh" % sid)


def delete(sid):
    return ("DELETE", "/api/v1/sessions/%s" % sid)


def get(sid):
    return ("GET", "/api/v1/sessions/%s" % sid)


def sim():
    """The simulator setUpModule started."""
    return SIM


def conf_defaults():
    """The configuration keys of a module that works with the simulator."""
    return {"org_url": SIM.org_url, "api_token": SIM.api_token, "ca_file": SIM.ca_file,
            "login_suffix": "@example.com", "timeout": 3}


def start_simulator(**simulator_args):
    """setUpModule with Simulator(**simulator_args), e.g. bind="::1"."""
    global SIM
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root (mount namespace for log capture, "
                                "root-owned config files)")
    for what, path in (("module", ph.MODULE), ("driver", ph.DRIVER)):
        if not os.path.exists(path):
            raise RuntimeError("%s not built: %s (set PAM_OKTA_%s)"
                               % (what, path, what.upper()))
    SIM = Simulator(**simulator_args)
    SIM.start()


def setUpModule():
    start_simulator()


def tearDownModule():
    if SIM is not None:
        SIM.stop()


def passwd_with(path, names):
    """Write at `path` a copy of the host's /etc/passwd in which each of
    `names` is a local account (a same-named host entry is replaced), for
    the driver's namespace: sign_in = password asks NSS for the PAM user."""
    with open("/etc/passwd") as f:
        lines = [line for line in f if line.split(":", 1)[0] not in names]
    lines += ["%s:x:%d:%d:okta test user:/nonexistent:/usr/sbin/nologin\n" % (name, 64000 + i,
                                                                             64000 + i)
              for i, name in enumerate(names)]
    with open(path, "w") as f:
        f.writelines(lines)
    os.chmod(path, 0o644)
    return path


class OktaTestCase(unittest.TestCase):
    """Fresh temp dir, default config and service file for every test.
    LOCAL_USERS: the local accounts in the driver's /etc/passwd (run_pam);
    empty: the host's /etc/passwd as it is."""

    maxDiff = None
    LOCAL_USERS = ()

    def setUp(self):
        SIM.reset()
        self.tmp = tempfile.mkdtemp(prefix="okta-it-")
        os.chmod(self.tmp, 0o755)
        self.confdir = os.path.join(self.tmp, "pam.d")
        self.conf_path = os.path.join(self.tmp, "okta.conf")
        self.write_conf()
        ph.write_okta_service(self.confdir, SERVICE, self.conf_path)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- configuration ----------------------------------------------------------
    @staticmethod
    def defaults():
        return conf_defaults()

    def write_conf(self, _path=None, **overrides):
        """Default config with `overrides` (value None drops the key)."""
        keys = self.defaults()
        keys.update(overrides)
        return ph.write_conf(_path or self.conf_path, **keys)

    # -- running -----------------------------------------------------------------
    def run_pam(self, token=b"", steps="auth", user=USER, **kw):
        if self.LOCAL_USERS:
            passwd = passwd_with(os.path.join(self.tmp, "passwd"), self.LOCAL_USERS)
            kw["mounts"] = [("bind", passwd, "/etc/passwd")] + list(kw.get("mounts", ()))
        self.last = ph.run_driver(self.confdir, SERVICE, user, stdin=token, steps=steps, **kw)
        self.assertEqual(self.last.returncode, 0, self.last.describe())
        return self.last

    def run_open(self, sid, steps="open", **kw):
        """A session step in a separate process, as sshd does it."""
        return self.run_pam(b"", steps=steps, setenv={"OKTA_SESSION_ID": sid}, **kw)

    def login(self, login=LOGIN, steps="auth", **mint):
        """Mint a token, authenticate, expect success; returns (result, sid, minted)."""
        minted = SIM.mint_full(login, **mint)
        r = self.run_pam(minted["sessionToken"], steps)
        self.assert_step(r, "auth", "PAM_SUCCESS")
        sid = self.created_session_id()
        self.assertIsNotNone(sid, "no session created")
        return r, sid, minted

    def session_for_open(self):
        """A live session id, with the simulator's request log cleared."""
        sid = self.login()[1]
        SIM.reset()
        return sid

    # -- simulator views -----------------------------------------------------------
    @staticmethod
    def api_requests():
        return [(q["method"], q["path"]) for q in SIM.requests()]

    @staticmethod
    def response_json(index):
        return json.loads(SIM.requests()[index]["response_body"])

    @staticmethod
    def created_session_id():
        for q in SIM.requests():
            if (q["method"], q["path"]) == CREATE and q["status"] == 200:
                return json.loads(q["response_body"]).get("id")
        return None

    # -- assertions --------------------------------------------------------------------
    def assert_step(self, r, step, code):
        self.assertEqual(r.steps.get(step), code,
                         "step %s: expected %s\n%s" % (step, code, r.describe()))

    def assert_failed(self, r, code, step="auth"):
        """Step failed with `code` and left no Okta session in the PAM environment."""
        self.assert_step(r, step, code)
        self.assertNotIn("OKTA_SESSION_ID", r.env, r.describe())

    def assert_requests(self, expected, r=None):
        got = self.api_requests()
        self.assertEqual(got, expected, r.describe() if r else None)

    def assert_no_requests(self, r=None):
        self.assert_requests([], r)

    def assert_logged(self, r, *needles):
        """Some single log line contains every needle."""
        for line in r.logs:
            if all(n in line for n in needles):
                return line
        self.fail("no log line contains all of %r\n%s" % (needles, r.describe()))

    def assert_auth_fails_without_request(self, code, token=b"x", **kw):
        r = self.run_pam(token, **kw)
        self.assert_failed(r, code)
        self.assert_no_requests(r)
        return r

    def assert_auth_fails_after_create(self, code, token=None):
        """Auth fails with `code` after exactly one create request."""
        r = self.run_pam(token if token is not None else SIM.mint(LOGIN))
        self.assert_failed(r, code)
        self.assert_requests([CREATE], r)
        return r


class BadCertificateServers:
    """Mixin: cls.bad["expired" | "wronghost" | "selfsigned"], a simulator
    each presenting that certificate, for the tests that the module refuses
    to talk to them (whatever the trust store)."""

    @classmethod
    def setUpClass(cls):
        cls.bad = {}
        try:
            for cert in ("expired", "wronghost", "selfsigned"):
                cls.bad[cert] = Simulator(cert=cert)
                cls.bad[cert].start()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for bad in cls.bad.values():
            bad.stop()
