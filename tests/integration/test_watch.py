#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""pam_okta_sessiond through real libpam: the module registers a login that
lasts (the driver's step sleep=N), the daemon watches its Okta session at
the simulator.

Every test has its own daemon, socket and state directory (in the test's
root-owned temporary directory), watch_interval = 5.  The registered
process is the driver (it called pam_open_session), so "the login" is the
driver and its children.

Run: python3 tests/integration/test_watch.py [name-substring...]   (as root)
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import logcapture  # noqa: E402
import moduletest as mt  # noqa: E402
import pamharness as ph  # noqa: E402
import taprunner  # noqa: E402
import watchlib  # noqa: E402
from moduletest import setUpModule, tearDownModule  # noqa: E402,F401

INTERVAL = 5
# A check within the interval (+10 % jitter), then SIGHUP at once.
END_WITHIN = INTERVAL + 5


class WatchTestCase(mt.OktaTestCase):
    def setUp(self):
        super().setUp()
        self.sockdir = os.path.join(self.tmp, "watch")
        os.mkdir(self.sockdir, 0o755)
        self.socket_path = os.path.join(self.sockdir, "watch.sock")
        self.write_conf()
        self.sink = logcapture.LogSink(os.path.join(self.tmp, "daemonlog"))
        self.daemon = watchlib.Daemon(self.conf_path, self.socket_path, self.sink)
        self.logins = []

    def tearDown(self):
        for p in self.logins:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.daemon.stop()
        self.sink.close()
        super().tearDown()

    def write_conf(self, _path=None, **overrides):
        keys = {"watch": "yes", "watch_socket": getattr(self, "socket_path", "/nonexistent/s"),
                "watch_interval": INTERVAL}
        keys.update(overrides)
        return super().write_conf(_path, **keys)

    def start_login(self, seconds=120, steps=None, token=None):
        """auth + open in a driver that then sleeps: a login that lasts.
        Returns (Popen, sid); the open step has succeeded."""
        if token is None:
            token = mt.sim().mint_full(mt.LOGIN)["sessionToken"]
        steps = steps or "auth,open,sleep=%d,close" % seconds
        self.login_sink = logcapture.LogSink(os.path.join(self.tmp, "log%d" % len(self.logins)))
        p = logcapture.run_logged(ph.driver_command(self.confdir, mt.SERVICE, mt.USER, steps),
                                  self.login_sink, wait=False, die_with_parent=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        p.stdin.write(token.encode())
        p.stdin.close()
        self.logins.append(p)
        steps = 0
        while steps < 2:
            line = p.stdout.readline().decode()
            if line.startswith("prompt"):
                continue
            if "PAM_SUCCESS" not in line:
                self.login_sink.sync()
                self.fail(line + "\n".join(self.login_sink.lines()) + self.describe())
            steps += 1
        return p, self.created_session_id()

    def describe(self):
        self.sink.sync()
        return "\n--- daemon log\n%s\n--- daemon stderr\n%s\n--- requests\n%s" % (
            "\n".join(self.sink.lines()), self.daemon.stderr(),
            [(q["method"], q["path"], q["status"]) for q in mt.sim().requests()])

    def daemon_lines(self):
        self.sink.sync()
        return self.sink.lines()

    def assert_daemon_logged(self, *needles, within=0):
        deadline = time.monotonic() + within
        while True:
            for line in self.daemon_lines():
                if all(n in line for n in needles):
                    return line
            if time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        self.fail("no daemon line has all of %r%s" % (needles, self.describe()))

    def wait_exit(self, p, within):
        start = time.monotonic()
        try:
            p.wait(within)
        except subprocess.TimeoutExpired:
            self.fail("the login still runs after %ss%s" % (within, self.describe()))
        return time.monotonic() - start

    def gets(self, sid):
        return [q for q in mt.sim().requests()
                if q["method"] == "GET" and q["path"] == "/api/v1/sessions/" + sid]


class TestRevoked(WatchTestCase):
    def test_revoked_session_ends_the_login(self):
        self.daemon.start()
        p, sid = self.start_login()
        self.assertEqual(len(self.daemon.list()), 1, self.describe())
        mt.sim().revoke_session(sid)
        took = self.wait_exit(p, END_WITHIN)
        self.assertEqual(p.returncode, -signal.SIGHUP, self.describe())
        self.assert_daemon_logged("event=watch", "outcome=revoked", "reason=session_gone")
        self.assert_daemon_logged("event=watch", "outcome=terminated", within=2)
        self.assertLess(took, END_WITHIN)
        self.assertEqual(self.daemon.list(), [])

    def test_on_end_log_keeps_the_login(self):
        self.write_conf(on_end="log")
        self.daemon.start()
        p, sid = self.start_login()
        mt.sim().revoke_session(sid)
        time.sleep(END_WITHIN)
        self.assertIsNone(p.poll(), "on_end = log ends nothing" + self.describe())
        self.assert_daemon_logged("event=watch", "outcome=revoked")
        self.assertEqual(self.daemon.list(), [])


if __name__ == "__main__":
    taprunner.main()
