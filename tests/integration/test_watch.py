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

import array
import json
import os
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

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
        self.children = []

    def tearDown(self):
        for pid in self.children:
            if watchlib.running(pid):
                os.kill(pid, signal.SIGKILL)
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

    def start_login(self, seconds=120, steps=None, token=None, env=None, setenv=(),
                    user=mt.USER, in_session=False):
        """auth + open in a driver that then sleeps: a login that lasts.
        Returns (Popen, sid); the open step has succeeded. in_session: the
        driver runs as the child of a shell that leads a session of its
        own and outlives it (a caller's login shell); Popen is that shell."""
        if token is None:
            token = mt.sim().mint_full(user + "@example.com")["sessionToken"]
        steps = steps or "auth,open,sleep=%d,close" % seconds
        self.login_sink = logcapture.LogSink(os.path.join(self.tmp, "log%d" % len(self.logins)))
        cmd = ph.driver_command(self.confdir, mt.SERVICE, user, steps, setenv=setenv)
        if in_session:
            cmd = ["setsid", "sh", "-c", '"$@"; exec sleep 600', "sh"] + cmd
        p = logcapture.run_logged(cmd,
                                  self.login_sink, wait=False, die_with_parent=True,
                                  env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        p.stdin.write(token.encode())
        p.stdin.close()
        self.logins.append(p)
        opened, want = 0, len(steps.split(",sleep=")[0].split(","))
        p.child_pids = []   # what the steps fork= and forkin= started
        while opened < want:
            line = p.stdout.readline().decode()
            if line.startswith("prompt"):
                continue
            if line.startswith("child "):
                p.child_pids.append(int(line.split()[1]))
                continue
            if "PAM_SUCCESS" not in line:
                self.login_sink.sync()
                self.fail(line + "\n".join(self.login_sink.lines()) + self.describe())
            opened += 1
        return p, self.created_session_id()

    def start_login_with_child(self, **kw):
        """A login whose registered process (the driver) started a child in
        its own session, as su starts the shell, and waited for the daemon's
        first recording of the login's processes. Returns (Popen, sid, pid)."""
        p, sid = self.start_login(steps="auth,open,fork=120,sleep=120,close", **kw)
        [child] = p.child_pids
        self.children.append(child)
        time.sleep(1.5)
        return p, sid, child

    def wait_gone(self, pid, within):
        deadline = time.monotonic() + within
        while watchlib.running(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertFalse(watchlib.running(pid), "pid %d still runs after %ss%s"
                         % (pid, within, self.describe()))

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


class TestJournalStream(WatchTestCase):
    """Under systemd (the unit runs --foreground), stderr is the journal and
    JOURNAL_STREAM names it: syslog's lines reach the journal already, so a
    copy on stderr would log each line, audit lines included, twice."""

    def start_with_journal_stream(self, names_stderr):
        other = os.path.join(self.tmp, "other-stream")
        for path in (self.daemon.stderr_path, other):
            open(path, "ab").close()
        st = os.stat(self.daemon.stderr_path if names_stderr else other)
        self.daemon.env = dict(os.environ, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
        self.daemon.start()
        p, sid = self.start_login()
        mt.sim().revoke_session(sid)
        self.wait_exit(p, END_WITHIN)
        return self.assert_daemon_logged("event=watch", "outcome=revoked", within=2)

    def test_audit_line_not_copied_to_the_journal_stream(self):
        line = self.start_with_journal_stream(names_stderr=True)
        self.assertNotIn("outcome=revoked", self.daemon.stderr(),
                         "syslog has it: " + line + self.describe())

    def test_other_stream_still_gets_the_copy(self):
        self.start_with_journal_stream(names_stderr=False)
        self.assertIn("outcome=revoked", self.daemon.stderr(), self.describe())


class TestLifecycle(WatchTestCase):
    def test_logout_deregisters(self):
        """close_session deregisters: no further request for the session."""
        self.daemon.start()
        p, sid = self.start_login(seconds=1)
        self.assertEqual(p.wait(10), 0)
        self.assertEqual(self.daemon.list(), [], self.describe())
        self.assert_daemon_logged("closed")
        mt.sim().reset()
        time.sleep(INTERVAL * 1.5)
        self.assertEqual(self.gets(sid), [], "no check after logout" + self.describe())
        self.assertEqual(os.listdir(os.path.join(self.sockdir, "state")), [])

    def test_killed_login_forgotten_and_revoked(self):
        """The registering process dies without close_session (sshd killed):
        forgotten at once, and revoked with revoke_on_close = yes."""
        self.write_conf(revoke_on_close="yes")
        self.daemon.start()
        p, sid = self.start_login()
        p.kill()
        p.wait()
        self.assert_daemon_logged("outcome=unwatched", "reason=process_gone_revoked", within=3)
        self.assertTrue(mt.sim().session(sid)["revoked"], self.describe())
        self.assertEqual(self.daemon.list(), [])

    def test_killed_login_forgotten_without_revoke(self):
        """Nothing of the login is left: forgotten at once, no further
        request for its session."""
        self.daemon.start()
        p, sid = self.start_login()
        p.kill()
        p.wait()
        self.assert_daemon_logged("outcome=unwatched", "reason=process_gone", within=3)
        self.assertFalse(mt.sim().session(sid)["revoked"], self.describe())
        self.assertEqual(self.daemon.list(), [])
        asked = len(self.gets(sid))
        time.sleep(INTERVAL * 1.5)
        self.assertEqual(len(self.gets(sid)), asked, "a check after forgetting" + self.describe())

    def test_killed_su_parent_leaves_shell_watched(self):
        """W5: the user SIGKILLs the registered process (their own su's
        waiting parent) once it started the shell: the shell (a child in
        its own session) stays watched, and a revocation ends it."""
        self.daemon.start()
        p, sid, child = self.start_login_with_child()
        p.kill()
        p.wait()
        self.assert_daemon_logged("stay watched", within=3)
        self.assertTrue(watchlib.running(child))
        self.assertEqual(len(self.daemon.list()), 1, self.describe())
        mt.sim().revoke_session(sid)
        self.wait_gone(child, INTERVAL + 6)
        self.assert_daemon_logged("outcome=terminated", within=2)

    def test_orphaned_login_forgotten_when_its_processes_end(self):
        self.daemon.start()
        p, sid, child = self.start_login_with_child()
        p.kill()
        p.wait()
        self.assert_daemon_logged("stay watched", within=3)
        os.kill(child, signal.SIGKILL)
        self.assert_daemon_logged("outcome=unwatched", "reason=process_gone", within=3)
        self.assertEqual(self.daemon.list(), [])
        self.assertFalse(mt.sim().session(sid)["revoked"], self.describe())

    def test_killed_su_parent_revoke_on_close_ends_shell(self):
        """revoke_on_close = yes: the session is revoked at once, and what
        is left of the login is ended with it."""
        self.write_conf(revoke_on_close="yes")
        self.daemon.start()
        p, sid, child = self.start_login_with_child()
        p.kill()
        p.wait()
        self.assert_daemon_logged("reason=process_gone_revoked", within=3)
        self.assertTrue(mt.sim().session(sid)["revoked"], self.describe())
        self.wait_gone(child, 6)
        self.assert_daemon_logged("outcome=terminated", within=2)

    def test_orphaned_logins_cost_little_cpu(self):
        """W15: a user SIGKILLs the su of many logins, each with many
        processes, so that the daemon watches them orphaned. Polling
        whether an orphan has anything left may not cost a look at each
        of its recorded processes every second (up to 256 pidfds and /proc
        reads a login: a few orphans took more than the daemon's 2 %% of a
        core); the daemon stays within 2 %% of a core meanwhile."""
        self.daemon.start()
        logins, per_login = 6, 200
        steps = "auth,open," + ",".join(["fork=300"] * per_login) + ",sleep=300,close"
        for _ in range(logins):
            p, _sid = self.start_login(steps=steps)
            self.children += p.child_pids
            self.assertEqual(len(p.child_pids), per_login)
        time.sleep(2)   # the first recordings
        for p in self.logins:
            p.kill()
            p.wait()
        deadline = time.monotonic() + 10
        while (sum("stay watched" in line for line in self.daemon_lines()) < logins
               and time.monotonic() < deadline):
            time.sleep(0.2)
        self.assertEqual(len(self.daemon.list()), logins, self.describe())
        time.sleep(1)

        def cpu():
            with open("/proc/%d/stat" % self.daemon.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        before, t0 = cpu(), time.monotonic()
        time.sleep(10)
        share = (cpu() - before) / (time.monotonic() - t0)
        print("# daemon CPU with %d orphaned logins of %d processes: %.2f %%"
              % (logins, per_login, share * 100))
        self.assertLess(share, 0.02, self.describe())
        self.assertEqual(len(self.daemon.list()), logins, self.describe())

    def test_killed_su_parents_force_no_reads(self):
        """W17: each registered process gone without close_session (a user
        kill -9s their own su, one login after another) had /proc read
        again at once for that login's remains, outside the gap that
        bounds every other read (at most one a second, or 50 times a
        read's duration): one whole read of the host per su killed. The
        reads stay within the gap; every login's remains are still found."""
        if not shutil.which("strace"):
            self.skipTest("no strace")
        self.daemon.start()
        logins = 10
        for _ in range(logins):
            p, _sid = self.start_login(steps="auth,open,forkin=120:65534,sleep=120,close",
                                       user="nobody", in_session=True)
            self.children += p.child_pids
        drivers = [int(line.split(" pid=")[1].split()[0]) for line in self.daemon.list()]
        self.children += drivers
        self.assertEqual(len(drivers), logins)
        trace = os.path.join(self.tmp, "strace")
        tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=openat", "-o", trace,
                                   "-p", str(self.daemon.proc.pid)])
        try:
            time.sleep(1.5)   # attached; the first recordings are done
            t0 = time.monotonic()
            for pid in drivers:
                os.kill(pid, signal.SIGKILL)
                time.sleep(0.15)
            deadline = time.monotonic() + 10
            while (sum("stay watched" in line for line in self.daemon_lines()) < logins
                   and time.monotonic() < deadline):
                time.sleep(0.1)
            took = time.monotonic() - t0
        finally:
            tracer.terminate()
            tracer.wait()
        with open(trace) as f:
            reads = sum('"/proc", O_RDONLY' in line for line in f)
        self.assertEqual(sum("stay watched" in line for line in self.daemon_lines()), logins,
                         self.describe())
        print("# %d su killed in %.1f s: %d reads of /proc" % (logins, took, reads))
        self.assertLessEqual(reads, took / 1.0 + 2, self.describe())

    def test_orphaned_login_survives_daemon_restart(self):
        """W18: the user kills their su (the login is watched orphaned),
        then the daemon restarts (an upgrade, a crash). The state file
        named only the registered process, gone: the reload forgot the
        login, and the shell ran on past a revocation. It names a process
        of the remains now, and the reloaded login is watched from it."""
        self.daemon.start()
        p, sid, child = self.start_login_with_child()
        p.kill()
        p.wait()
        self.assert_daemon_logged("stay watched", within=3)
        self.daemon.stop(signal.SIGKILL)
        self.daemon.start()
        self.assert_daemon_logged("reloaded 1 watched login", within=2)
        self.assertEqual(len(self.daemon.list()), 1, self.describe())
        mt.sim().revoke_session(sid)
        self.wait_gone(child, END_WITHIN + 1)
        self.assert_daemon_logged("outcome=revoked", within=2)

    def registered_pid(self):
        [line] = self.daemon.list()
        return int(line.split(" pid=")[1].split()[0])

    def test_su_killed_before_first_recording(self):
        """W5, before any recording: the caller kills their su at once (a
        scripted kill -9 beats the first recording, 500 ms after the
        registration). The shell of an interactive su stays in the caller's
        session and runs as the login's user: found when the process is
        gone (that session's processes running as the user, started after
        su), and the revocation ends it. The caller's own next command in
        that session (root here, started after su too) is left alone."""
        self.daemon.start()
        p, sid = self.start_login(steps="auth,open,forkin=120:65534,forkin=120,sleep=120,close",
                                  user="nobody", in_session=True)
        self.children += p.child_pids
        shell, callers = p.child_pids
        driver = self.registered_pid()
        self.children.append(driver)
        os.kill(driver, signal.SIGKILL)
        self.assert_daemon_logged("stay watched", within=3)
        self.assertTrue(watchlib.running(shell) and watchlib.running(callers), self.describe())
        self.assertEqual(len(self.daemon.list()), 1, self.describe())
        mt.sim().revoke_session(sid)
        self.wait_gone(shell, INTERVAL + 6)
        self.assert_daemon_logged("outcome=terminated", within=6)
        self.assertTrue(watchlib.running(callers),
                        "the caller's process was ended" + self.describe())

    def test_killed_before_first_recording_other_user_left_alone(self):
        """The same with the shell running as another user than the
        login's (root: a setuid program's caller keeps their uid): not the
        login's; nothing is left, the login is forgotten."""
        self.daemon.start()
        p, sid = self.start_login(steps="auth,open,forkin=120,sleep=120,close",
                                  user="nobody", in_session=True)
        [child] = p.child_pids
        self.children.append(child)
        driver = self.registered_pid()
        self.children.append(driver)
        os.kill(driver, signal.SIGKILL)
        self.assert_daemon_logged("outcome=unwatched", "reason=process_gone", within=3)
        self.assertEqual(self.daemon.list(), [])
        self.assertTrue(watchlib.running(child))

    def test_daemon_restart_keeps_watching(self):
        """Killed (SIGKILL: no clean stop) and restarted mid-login: the
        state directory brings the login back, re-identified, and a
        revocation still ends it."""
        self.daemon.start()
        p, sid = self.start_login()
        self.daemon.stop(signal.SIGKILL)
        state = os.path.join(self.sockdir, "state")
        files = os.listdir(state)
        self.assertEqual(len(files), 1)
        st = os.stat(os.path.join(state, files[0]))
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (0, 0o600))
        self.assertEqual(os.stat(state).st_mode & 0o777, 0o700)
        self.daemon.start()
        self.assert_daemon_logged("reloaded 1 watched login")
        mt.sim().revoke_session(sid)
        self.wait_exit(p, END_WITHIN)
        self.assert_daemon_logged("outcome=revoked", within=1)

    def test_state_file_of_another_boot_not_reloaded(self):
        """A state file left from another boot (watch_socket on persistent
        storage) names a pid and start time that repeat in this boot: it is
        removed, not taken for a process of this boot."""
        self.daemon.start()
        p, sid = self.start_login()
        self.daemon.stop(signal.SIGKILL)
        state = os.path.join(self.sockdir, "state")
        name = os.listdir(state)[0]
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot = f.read().strip()
        other = "0" * 8 + "-0000-4000-8000-" + "0" * 12
        rest = name[len(boot) + 1:] if name.startswith(boot + "-") else name
        os.rename(os.path.join(state, name), os.path.join(state, other + "-" + rest))
        self.daemon.start()
        self.assertEqual(self.daemon.list(), [], self.describe())
        self.assert_daemon_logged("of another boot; removed")
        self.assertEqual(os.listdir(state), [])
        mt.sim().revoke_session(sid)
        time.sleep(END_WITHIN)
        self.assertIsNone(p.poll(), "a process of this boot taken for the old login")

    def test_restart_after_login_ended_meanwhile(self):
        """The login's process is gone when the daemon comes back: forgotten
        (a recycled pid is not taken for it: the start time must match)."""
        self.write_conf(revoke_on_close="yes")
        self.daemon.start()
        p, sid = self.start_login()
        self.daemon.stop(signal.SIGKILL)
        p.kill()
        p.wait()
        self.daemon.start()
        self.assert_daemon_logged("reason=process_gone_revoked", within=3)
        self.assertTrue(mt.sim().session(sid)["revoked"])
        self.assertEqual(os.listdir(os.path.join(self.sockdir, "state")), [])


class TestOktaTrouble(WatchTestCase):
    def test_okta_down_ends_nothing(self):
        """Dropped connections, 500s and garbage for several intervals: the
        login stays, problems are logged (once a minute per cause), and it
        is checked again afterwards."""
        self.daemon.start()
        p, sid = self.start_login()
        # backoff 1, 2, 4, 5 s: all used up within the 4 intervals
        mt.sim().fault("get", "drop", count=2)   # a GET is retried once
        mt.sim().fault("get", "status", count=1, status=500)
        mt.sim().fault("get", "malformed", count=1)
        mt.sim().fault("get", "status", count=1, status=404, errorCode="E0000000",
                       errorSummary="proxy says not found")
        time.sleep(INTERVAL * 4)
        self.assertIsNone(p.poll(), "Okta's trouble ended the login" + self.describe())
        self.assert_daemon_logged("no login is ended for it")
        lines = [l for l in self.daemon_lines() if "Okta unreachable" in l]
        self.assertLessEqual(len(lines), 1, self.describe())
        mt.sim().revoke_session(sid)
        self.wait_exit(p, END_WITHIN + INTERVAL)

    def test_bad_api_token_ends_nothing(self):
        self.daemon.start()
        p, sid = self.start_login()
        mt.sim().fault("get", "status", status=401)
        time.sleep(INTERVAL * 2)
        self.assertIsNone(p.poll(), self.describe())
        line = self.assert_daemon_logged("the API token is refused")
        self.assertIn("<82>", line, "logged at LOG_CRIT")

    def test_429_waits_for_reset(self):
        """A 429 with X-Rate-Limit-Reset 8 s ahead: no request before then."""
        self.daemon.start()
        p, sid = self.start_login()
        mt.sim().fault("get", "status", count=1, status=429, reset_in=8)
        deadline = time.monotonic() + END_WITHIN
        while not any(q["status"] == 429 for q in mt.sim().requests()):
            self.assertLess(time.monotonic(), deadline, self.describe())
            time.sleep(0.2)
        limited = [q for q in mt.sim().requests() if q["status"] == 429][0]
        time.sleep(9)
        later = [q for q in mt.sim().requests() if q["seq"] > limited["seq"]]
        self.assertTrue(later, "checked again after the reset" + self.describe())
        self.assertGreaterEqual(later[0]["time"] - limited["time"], 6.5, self.describe())
        self.assertIsNone(p.poll())

    def test_429_storm(self):
        """Three 429s in a row (Reset 4 s ahead each): every next request
        waits for its reset, the login stays, and checks go on after."""
        self.daemon.start()
        p, sid = self.start_login()
        # Remaining says plenty: only the 429 itself says wait
        mt.sim().fault("get", "status", count=3, status=429, reset_in=4,
                       headers={"X-Rate-Limit-Remaining": "500"})
        deadline = time.monotonic() + END_WITHIN + 20
        while len([q for q in self.gets(sid) if q["status"] == 200]) < 1 or \
                len([q for q in self.gets(sid) if q["status"] == 429]) < 3:
            self.assertLess(time.monotonic(), deadline, self.describe())
            time.sleep(0.5)
        reqs = self.gets(sid)
        for a, b in zip(reqs, reqs[1:]):
            if a["status"] == 429:
                self.assertGreaterEqual(b["time"] - a["time"], 2.9, self.describe())
        self.assertIsNone(p.poll(), "a 429 storm ended the login" + self.describe())


class TestKeepAlive(WatchTestCase):
    IDLE = 20

    def test_active_login_kept_alive(self):
        """idle lifetime 20 s, a login lasting 3x that without a terminal
        (in use while it runs): its session stays ACTIVE."""
        self.daemon.start()
        token = mt.sim().mint_full(mt.LOGIN, idle_lifetime=self.IDLE)["sessionToken"]
        p, sid = self.start_login(token=token)
        time.sleep(self.IDLE * 3)
        s = mt.sim().session(sid)
        self.assertFalse(s["expired"] or s["revoked"], self.describe())
        self.assertIsNone(p.poll(), self.describe())
        self.assertGreater(s["refresh_count"], 2)
        self.assert_daemon_logged("outcome=kept_alive")

    def test_keep_alive_no_lets_it_expire(self):
        self.write_conf(keep_alive="no")
        self.daemon.start()
        token = mt.sim().mint_full(mt.LOGIN, idle_lifetime=self.IDLE)["sessionToken"]
        p, sid = self.start_login(token=token)
        self.wait_exit(p, self.IDLE + END_WITHIN)
        self.assert_daemon_logged("outcome=expired", within=1)
        self.assertEqual(self.gets(sid) and [q for q in mt.sim().requests()
                                             if q["path"].endswith("/refresh")
                                             and q["time"] > self.gets(sid)[0]["time"]], [])


class TestNoPidfd(WatchTestCase):
    """A kernel without pidfd_open (RHEL 8's 4.18), made with an LD_PRELOAD
    shim in the module's process and the daemon's: both fall back to pid
    plus start time, and the watch works the same."""
    SHIM = os.path.join(ph.BUILDDIR, "tests", ".libs", "no_pidfd.so")

    def setUp(self):
        super().setUp()
        self.env = dict(os.environ, LD_PRELOAD=self.SHIM)
        self.daemon.env = self.env

    def test_revocation_ends_the_login(self):
        self.daemon.start()
        p, sid = self.start_login(env=self.env)
        line = self.assert_daemon_logged("watching the login of 'alice'")
        self.assertNotIn("pidfd", line, "no pidfd on this kernel")
        mt.sim().revoke_session(sid)
        self.wait_exit(p, END_WITHIN)
        self.assertEqual(p.returncode, -signal.SIGHUP, self.describe())
        self.assert_daemon_logged("outcome=terminated", within=2)

    def test_killed_login_forgotten(self):
        """Without a pidfd to poll, the daemon checks pid and start time
        every second."""
        self.daemon.start()
        p, sid = self.start_login(env=self.env)
        p.kill()
        p.wait()
        self.assert_daemon_logged("outcome=unwatched", "reason=process_gone", within=3)


class TestCheckTool(WatchTestCase):
    CHECK = os.environ.get("PAM_OKTA_CHECK") or os.path.join(ph.BUILDDIR,
                                                            "pam_okta_session_check")

    def check(self, *args):
        return subprocess.run([self.CHECK, "--conf", self.conf_path] + list(args),
                              capture_output=True, text=True, timeout=30)

    def test_watch_lists_logins_masked(self):
        self.daemon.start()
        p, sid = self.start_login()
        out = self.check("--watch")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        lines = [l for l in out.stdout.splitlines() if l.startswith("watched: ")]
        self.assertEqual(len(lines), 1, out.stdout)
        self.assertIn("session=..." + sid[-4:], lines[0])
        self.assertIn("user=alice invoking_user=- service=okta-test", lines[0])
        self.assertNotIn(sid, out.stdout + out.stderr, "never the whole session id")
        self.assertIn("1 login(s) watched", out.stdout)

    def test_sudo_login_shows_the_invoking_user(self):
        """W8: sudo authenticates the invoking user, then sets PAM_USER to
        the target (root) before open_session (the driver's user=root step):
        --watch, the daemon's lines and the audit lines say both."""
        self.daemon.start()
        p, sid = self.start_login(steps="auth,user=root,open,sleep=120,close")
        out = self.check("--watch")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("user=root invoking_user=%s service=okta-test" % mt.USER, out.stdout)
        self.assert_daemon_logged("watching the login of 'root' (by '%s')" % mt.USER)
        self.login_sink.sync()
        self.assertTrue([l for l in self.login_sink.lines() if "event=session_open" in l and
                         " user=root " in l and l.endswith(" invoking_user=" + mt.USER)],
                        "\n".join(self.login_sink.lines()))
        mt.sim().revoke_session(sid)
        self.wait_exit(p, END_WITHIN)
        line = self.assert_daemon_logged("event=watch", "outcome=revoked", within=2)
        self.assertIn(" user=root ", line)
        self.assertTrue(line.endswith(" invoking_user=" + mt.USER), line)

    def test_config_check_says_whether_the_daemon_answers(self):
        out = self.check()
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("does not answer", out.stdout)
        self.daemon.start()
        out = self.check()
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("pam_okta_sessiond answers on", out.stdout)
        self.assertEqual(self.check("--watch", "--user", "alice").returncode, 2)


class TestRefusals(WatchTestCase):
    def test_no_daemon_login_opens_unwatched(self):
        r = self.run_pam(mt.sim().mint(mt.LOGIN), "auth,open")
        self.assert_step(r, "open", "PAM_SUCCESS")
        self.assert_logged(r, "NOT watched")
        self.assert_logged(r, "event=watch", "outcome=unwatched", "reason=no_daemon")

    def test_watch_required_without_daemon_fails(self):
        ph.write_okta_service(self.confdir, mt.SERVICE, self.conf_path,
                              args=("watch_required",))
        r = self.run_pam(mt.sim().mint(mt.LOGIN), "auth,open")
        self.assert_step(r, "open", "PAM_SESSION_ERR")

    def test_non_root_cannot_connect(self):
        """The socket is root's, mode 0600: another user cannot connect."""
        self.daemon.start()
        self.assertEqual(os.stat(self.socket_path).st_mode & 0o777, 0o600)
        out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                              sys.executable, "-c", CONNECT_AS_USER, self.socket_path],
                             capture_output=True, text=True)
        self.assertIn("PermissionError", out.stdout + out.stderr)

    def test_non_root_peer_refused(self):
        """Even with the socket opened up (chmod 0666), SO_PEERCRED decides:
        a non-root peer's register, deregister and list are refused."""
        self.daemon.start()
        os.chmod(self.socket_path, 0o666)
        out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                              sys.executable, "-c", CONNECT_AS_USER, self.socket_path],
                             capture_output=True, text=True)
        # the daemon answers and hangs up at once: the peer reads the
        # refusal, or finds the connection gone; never "ok" or a list
        answers = out.stdout.split("\n")[:3]
        self.assertEqual(len(answers), 3, out.stdout + out.stderr)
        for a in answers:
            self.assertTrue(a == "refused peer is not root" or a.startswith(
                ("ConnectionResetError", "BrokenPipeError")), out.stdout + out.stderr)
        refusals = [l for l in self.daemon_lines() if "uid 65534" in l and "peer is not root" in l]
        self.assertEqual(len(refusals), 3, self.describe())
        self.assertEqual(self.daemon.list(), [])

    def test_hostile_registrations(self):
        self.daemon.start()
        me = os.getpid()
        base = dict(op="register", session_id="102abc", user_id="00u1", user="alice",
                    service="sshd", expires_at="2030-01-01T00:00:00.000Z", pid=me,
                    start_time=watchlib.proc_start_time(me))
        other = subprocess.Popen(["sleep", "60"])
        try:
            cases = [
                (b"x" * 70000, "message too long"),
                (watchlib.message(**base)[:-5], "truncated"),
                (watchlib.message(**dict(base, user="../root")), "bad value"),
                (watchlib.message(**dict(base, pid=other.pid,
                                         start_time=watchlib.proc_start_time(other.pid))),
                 "not the registering process"),
                (watchlib.message(**dict(base, start_time=1)), "start_time"),
            ]
            for data, why in cases:
                self.assertIn(why, self.daemon.send_raw(data), self.describe())
            # a pidfd of another process
            fd = os.pidfd_open(other.pid)
            self.assertIn("not a pidfd of the registering process",
                          self.daemon.send_raw(watchlib.message(**base), fds=[fd]))
            os.close(fd)
            # not a pidfd at all
            with open("/dev/null") as f:
                self.assertIn("not a pidfd", self.daemon.send_raw(watchlib.message(**base),
                                                                 fds=[f.fileno()]))
        finally:
            other.kill()
            other.wait()
        self.assertEqual(self.daemon.list(), [])
        self.assert_daemon_logged("refused a request", "message too long")
        # the good one is accepted (the harness can register itself)
        self.assertEqual(self.daemon.send_raw(watchlib.message(**base)), "ok")
        self.assertEqual(len(self.daemon.list()), 1)


FAKE_LOGINCTL = """#!/bin/sh
echo "$@" >> %s
"""

# logind as the race needs it: after DELAY seconds, TerminateSession ends
# the session only while its leader lives (once the leader exited, logind
# has marked it "closing" and the call ends nothing); exits with STATUS.
LOGIND_LIKE_LOGINCTL = """#!/bin/sh
sleep %(delay)s
leader=$(sed -n 's/^LEADER=//p' /run/systemd/sessions/$2)
if kill -0 "$leader" 2>/dev/null; then state=leader-alive; else state=leader-gone; fi
echo "$@ $state" >> %(calls)s
exit %(status)d
"""


@unittest.skipUnless(os.path.isdir("/run/systemd") and os.path.exists("/usr/bin/loginctl"),
                     "needs /run/systemd and /usr/bin/loginctl to mount over")
class TestLogindSession(WatchTestCase):
    """The daemon's view of logind is a private /run/systemd (seats/: logind
    runs; sessions/ID: its LEADER=) and a loginctl that writes down what it
    was asked."""

    def setUp(self):
        super().setUp()
        self.rundir = os.path.join(self.tmp, "systemd")
        os.makedirs(os.path.join(self.rundir, "seats"))
        os.makedirs(os.path.join(self.rundir, "sessions"))
        self.calls = os.path.join(self.tmp, "loginctl.calls")
        fake = os.path.join(self.tmp, "loginctl")
        with open(fake, "w") as f:
            f.write(FAKE_LOGINCTL % self.calls)
        os.chmod(fake, 0o755)
        self.daemon.mounts = [("bind", self.rundir, "/run/systemd"),
                              ("bind", fake, "/usr/bin/loginctl")]

    def logind_session(self, name, leader):
        with open(os.path.join(self.rundir, "sessions", name), "w") as f:
            f.write("# This is private data. Do not parse.\nUID=0\nUSER=root\n"
                    "ACTIVE=1\nSTATE=active\nLEADER=%d\nAUDIT=1\n" % leader)

    def terminated(self):
        try:
            with open(self.calls) as f:
                return f.read().split("\n")
        except FileNotFoundError:
            return []

    def registered_pid(self):
        return int(self.daemon.list()[0].split(" pid=")[1].split()[0])

    def test_planted_xdg_session_id_of_another_login_not_terminated(self):
        """A user plants XDG_SESSION_ID (~/.pam_environment) naming another
        user's logind session, then ends their own Okta session: their own
        login ends, the other session is not terminated."""
        self.daemon.start()
        p, sid = self.start_login(setenv=["XDG_SESSION_ID=c7"])
        self.logind_session("c7", os.getpid())  # the victim's: led by another process
        mt.sim().revoke_session(sid)
        self.wait_exit(p, END_WITHIN)
        self.assert_daemon_logged("outcome=terminated", within=2)
        time.sleep(0.5)
        self.assertNotIn("terminate-session c7", self.terminated(), self.describe())
        self.assert_daemon_logged("logind session c7", "not led by")

    def use_logind_like_loginctl(self, delay, status=0):
        with open(os.path.join(self.tmp, "loginctl"), "w") as f:
            f.write(LOGIND_LIKE_LOGINCTL % {"delay": delay, "calls": self.calls,
                                            "status": status})

    def revoke_led_login(self, name):
        self.daemon.start()
        p, sid = self.start_login(setenv=["XDG_SESSION_ID=" + name])
        self.logind_session(name, self.registered_pid())
        mt.sim().revoke_session(sid)
        return p

    def test_terminate_session_asked_while_the_leader_lives(self):
        """TerminateSession first, SIGHUP after loginctl answered: a leader
        that exits first has logind close the session, and TerminateSession
        then kills nothing (what only the session's scope holds lives on)."""
        self.use_logind_like_loginctl(delay=0.5)
        p = self.revoke_led_login("c9")
        self.wait_exit(p, END_WITHIN + 1)
        deadline = time.monotonic() + 3
        while not any(c.startswith("terminate-session c9") for c in self.terminated()) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIn("terminate-session c9 leader-alive", self.terminated(), self.describe())
        self.assert_daemon_logged("outcome=terminated", within=2)

    def test_loginctl_failing_or_hanging_still_ends_the_login(self):
        for status, delay, line in ((1, 0, "failed (exit status 1)"),
                                    (0, 60, "did not finish in 5 s")):
            with self.subTest(status=status, delay=delay):
                self.use_logind_like_loginctl(delay=delay, status=status)
                p = self.revoke_led_login("c10")
                took = self.wait_exit(p, END_WITHIN + 6)
                self.assert_daemon_logged("loginctl terminate-session c10", line, within=1)
                self.assert_daemon_logged("outcome=terminated", within=2)
                self.assertEqual(p.returncode, -signal.SIGHUP, self.describe())
                self.daemon.stop()
                mt.sim().reset()
                if delay == 0:
                    self.assertLess(took, END_WITHIN, "no wait for a loginctl that failed")

    def test_loginctl_reaped_with_sigchld_ignored_by_the_starter(self):
        """A daemon started with SIGCHLD ignored (inherited across exec) has
        its loginctl reaped by the kernel: no SIGCHLD, so the login's SIGHUP
        waited the full 5 s, the log said loginctl hung, and the SIGKILL went
        to a pid that is no longer loginctl's (any process may have it)."""
        self.use_logind_like_loginctl(delay=0)
        self.daemon.preexec = lambda: signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        p = self.revoke_led_login("c11")
        self.wait_exit(p, END_WITHIN + 6)
        self.assert_daemon_logged("outcome=terminated", within=2)
        hung = [line for line in self.daemon_lines() if "did not finish" in line]
        self.assertEqual(hung, [], self.describe())
        self.assertIn("terminate-session c11 leader-alive", self.terminated(), self.describe())

    def test_hanging_loginctl_ends_on_sigterm(self):
        """Stopping the daemon (systemctl stop, a shutdown) sends SIGTERM to
        every process of its unit, a hanging loginctl included: loginctl
        must not inherit the daemon's blocked SIGTERM, or the stop (and a
        restart: nothing watched meanwhile) waits for TimeoutStopSec."""
        pidfile = os.path.join(self.tmp, "loginctl.pid")
        with open(os.path.join(self.tmp, "loginctl"), "w") as f:
            f.write("#!/bin/sh\necho $$ > %s\nexec sleep 60\n" % pidfile)
        p = self.revoke_led_login("c12")
        deadline = time.monotonic() + END_WITHIN
        while not os.path.exists(pidfile) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.2)
        with open(pidfile) as f:
            pid = int(f.read())
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 2
        while watchlib.running(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertFalse(watchlib.running(pid), "loginctl ignored SIGTERM" + self.describe())
        self.wait_exit(p, END_WITHIN)

    def test_own_logind_session_terminated(self):
        """The logind session the login's own process leads is terminated."""
        self.daemon.start()
        p, sid = self.start_login(setenv=["XDG_SESSION_ID=c8"])
        self.logind_session("c8", self.registered_pid())
        mt.sim().revoke_session(sid)
        self.wait_exit(p, END_WITHIN)
        self.assert_daemon_logged("logind TerminateSession", within=2)
        deadline = time.monotonic() + 3
        while "terminate-session c8" not in self.terminated() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIn("terminate-session c8", self.terminated(), self.describe())


REGISTER_MANY = r"""
import os, signal, socket, sys, time
sys.path.insert(0, sys.argv[3])
import watchlib
me = os.getpid()
# The daemon may end a login (its session is unknown to Okta) before the
# last reply is read: its SIGHUP waits until every reply was printed.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})
for i in range(int(sys.argv[2])):
    msg = watchlib.message(op="register", session_id="102fd%04dxyz" % i, user_id="00u1",
                           user="alice", service="sshd", expires_at="2030-01-01T00:00:00.000Z",
                           pid=me, start_time=watchlib.proc_start_time(me))
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(2)
        s.connect(sys.argv[1])
        s.send(msg)
        print(s.recv(4096).decode().strip(), flush=True)
        s.close()
    except OSError as e:
        print("error", type(e).__name__, flush=True)
        break
print("done", flush=True)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGHUP})
time.sleep(120)
"""


class TestDescriptorBudget(WatchTestCase):
    LIMIT = 64

    def test_daemon_at_its_fd_limit_still_serves_and_ends(self):
        """Registrations beyond what the descriptor limit allows (one pidfd
        each) are refused; the daemon still answers, asks Okta and ends
        logins (at the limit, accept, /proc and Okta's connection failed for
        everyone)."""
        limit = self.LIMIT
        self.daemon.preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
        self.daemon.start()
        many = subprocess.Popen([sys.executable, "-c", REGISTER_MANY, self.socket_path, "60",
                                 os.path.dirname(watchlib.__file__)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.logins.append(many)
        replies = []
        while True:
            line = many.stdout.readline().decode().strip()
            if line in ("done", ""):
                break
            replies.append(line)
        self.assertNotIn("error", " ".join(replies), "%r%s" % (replies, self.describe()))
        self.assertEqual(len(self.daemon.list()), replies.count("ok"), self.describe())
        # its sessions are unknown to Okta: the login is ended
        self.wait_exit(many, END_WITHIN)
        self.assertEqual(many.returncode, -signal.SIGHUP, self.describe())
        self.assertIn("refused too many logins watched", replies, self.describe())
        self.assertLess(replies.count("ok"), limit)


# the daemon's PEER_TIMEOUT_MS and PEERS_MAX
PEER_TIMEOUT = 2.0
PEERS_MAX = 64


class TestStalledPeers(WatchTestCase):
    """W6: a root peer (a user's own su, stopped between its connect and its
    send) that connects and sends nothing, or half a message, stalls nobody:
    the daemon waits for it in its loop, under its own deadline, and goes
    on serving registrations, listings and checks."""

    def daemon_pid(self):
        with self.daemon.connect() as s:
            creds = s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return struct.unpack("3i", creds)[0]

    def fds(self, pid):
        return len(os.listdir("/proc/%d/fd" % pid))

    def stall(self, n):
        """n root peers that connect and send nothing (and stay)."""
        peers = [self.daemon.connect() for _ in range(n)]
        self.addCleanup(lambda: [s.close() for s in peers])
        return peers

    def register_base(self):
        me = os.getpid()
        return dict(op="register", session_id="102stall0000xyz", user_id="00u1", user="alice",
                    service="su", expires_at="2030-01-01T00:00:00.000Z", pid=me,
                    start_time=watchlib.proc_start_time(me))

    def test_silent_and_half_sent_peers_stall_nobody(self):
        self.daemon.start()
        silent = self.stall(4)
        half = self.daemon.connect()
        self.addCleanup(half.close)
        whole = watchlib.message(**self.register_base())
        cut = len(whole) // 2
        while whole[cut - 1:cut] == b"\n":
            cut -= 1
        half.send(whole[:cut])   # cut inside a line, and stays connected
        half.settimeout(1)
        self.assertIn("refused truncated", half.recv(4096).decode(), self.describe())
        # a login registers through the module meanwhile (it would give up
        # after 5 s: 4 stalls of 2 s one after the other)
        start = time.monotonic()
        p, sid = self.start_login()
        took_open = time.monotonic() - start
        start = time.monotonic()
        listed = self.daemon.list()
        took_list = time.monotonic() - start
        self.assertEqual(len(listed), 1, self.describe())
        self.assertLess(took_list, 0.5, self.describe())
        self.assertLess(took_open, 3, self.describe())
        self.login_sink.sync()
        self.assertFalse([l for l in self.login_sink.lines() if "NOT watched" in l])
        # a revocation is acted on within the usual time while new silent
        # peers keep coming
        stop = [False]

        def keep_stalling():
            while not stop[0]:
                silent.append(self.daemon.connect())
                time.sleep(0.2)
        t = threading.Thread(target=keep_stalling, daemon=True)
        t.start()
        try:
            mt.sim().revoke_session(sid)
            self.wait_exit(p, END_WITHIN)
        finally:
            stop[0] = True
            t.join()
        self.assertEqual(p.returncode, -signal.SIGHUP, self.describe())
        # the silent ones were refused at their deadline and hung up on (the
        # first check comes anywhere within the interval: the revocation
        # may be over before their deadline)
        for s in silent[:4]:
            s.settimeout(PEER_TIMEOUT + 1)
            self.assertEqual(s.recv(4096).decode().strip(), "refused nothing sent in time")
            self.assertEqual(s.recv(4096), b"")
        self.assert_daemon_logged("refused a request", "nothing sent in time")

    def test_silent_peer_dropped_at_its_deadline(self):
        self.daemon.start()
        s = self.stall(1)[0]
        start = time.monotonic()
        s.settimeout(PEER_TIMEOUT + 3)
        self.assertEqual(s.recv(4096).decode().strip(), "refused nothing sent in time")
        self.assertEqual(s.recv(4096), b"")
        took = time.monotonic() - start
        self.assertGreater(took, PEER_TIMEOUT - 0.3)
        self.assertLess(took, PEER_TIMEOUT + 1)

    def test_many_stalled_peers_beyond_the_bound(self):
        """More waiting peers than PEERS_MAX: the one waiting longest is
        dropped, with a line; the daemon's descriptors stay bounded, service
        goes on, and every descriptor is back after the deadline."""
        self.daemon.start()
        pid = self.daemon_pid()
        p, sid = self.start_login()
        deadline = time.monotonic() + INTERVAL + 2
        while not self.gets(sid) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertTrue(self.gets(sid), "checked once: Okta's connection is open")
        time.sleep(0.2)
        base = self.fds(pid)
        silent = self.stall(3 * PEERS_MAX)
        start = time.monotonic()
        self.assertEqual(len(self.daemon.list()), 1)
        self.assertLess(time.monotonic() - start, 0.5, self.describe())
        p2, sid2 = self.start_login()
        self.assertEqual(len(self.daemon.list()), 2, self.describe())
        # the daemon holds at most PEERS_MAX of them (+ the new login's pidfd)
        self.assertLessEqual(self.fds(pid), base + PEERS_MAX + 1)
        self.assert_daemon_logged("peers connected without sending their message",
                                  "dropped the one waiting longest")
        told = 0
        for s in silent[:PEERS_MAX]:
            s.settimeout(0.5)
            try:
                told += s.recv(4096).decode().strip() == "refused too many peers waiting"
            except socket.timeout:
                pass
        self.assertGreaterEqual(told, PEERS_MAX, self.describe())
        time.sleep(PEER_TIMEOUT + 0.5)
        deadline = time.monotonic() + 5   # a deadline served late on a loaded machine
        while self.fds(pid) > base + 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertLessEqual(self.fds(pid), base + 1, "every waiting peer closed")
        self.assertIsNone(p.poll(), "the login goes on")

    def test_messages_that_came_while_the_loop_was_busy_are_served(self):
        """W13: the loop busy past the waiting peers' deadlines (here:
        stopped; a slow Okta does it too), then more ready than one epoll
        batch: a peer whose message has come is served, not dropped as the
        one waiting longest nor refused at its deadline unread."""
        self.daemon.start()
        pid = self.daemon_pid()
        time.sleep(0.2)
        base = self.fds(pid)
        waiting = self.stall(PEERS_MAX)
        deadline = time.monotonic() + 3
        while self.fds(pid) < base + PEERS_MAX and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(self.fds(pid), base + PEERS_MAX, "all of them wait")
        os.kill(pid, signal.SIGSTOP)
        try:
            self.stall(1)   # the listening socket is ready before them
            for s in waiting:
                s.sendmsg([watchlib.message(op="list")])
            time.sleep(PEER_TIMEOUT + 0.5)
        finally:
            os.kill(pid, signal.SIGCONT)
        replies = []
        for s in waiting:
            s.settimeout(3)
            try:
                replies.append(s.recv(4096).decode().strip())
            except OSError as e:   # closed with our message unread: reset
                replies.append(repr(e))
        self.assertEqual([r for r in replies if r != "end"], [], self.describe())

    def test_fds_closed_on_every_path(self):
        """Descriptors passed with a refused message, more than one, or by a
        peer that waited first, are all closed: the daemon's count comes
        back to where it was."""
        self.daemon.start()
        pid = self.daemon_pid()
        time.sleep(0.2)
        base = self.fds(pid)
        base_msg = self.register_base()
        good = watchlib.message(**base_msg)
        nulls = [os.open("/dev/null", os.O_RDONLY) for _ in range(6)]
        own = os.pidfd_open(os.getpid())
        self.addCleanup(lambda: [os.close(fd) for fd in nulls + [own]])
        for data, fds, why in [
                (good[:-5], nulls[:1], "truncated"),
                (b"x" * 70000, nulls[:1], "message too long"),
                (good, nulls, "too many file descriptors"),
                (good, nulls[:1], "not a pidfd"),
                (watchlib.message(**dict(base_msg, start_time=1)), [own], "start_time")]:
            self.assertIn(why, self.daemon.send_raw(data, fds=fds), self.describe())
        # the same from peers that waited in the loop first
        waiting = self.stall(4)
        time.sleep(0.3)
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", nulls[:3]))]
        waiting[0].sendmsg([good[:-5]], anc)
        waiting[1].sendmsg([good], anc)
        waiting[2].close()
        for s, why in ((waiting[0], "truncated"), (waiting[1], "not a pidfd")):
            self.assertIn(why, s.recv(4096).decode(), self.describe())
        time.sleep(PEER_TIMEOUT + 0.5)   # waiting[3] is dropped at its deadline
        self.assertEqual(self.daemon.list(), [])
        # A loaded machine may serve the deadline late: a leaked descriptor
        # never comes back, a late close does.
        deadline = time.monotonic() + 5
        while self.fds(pid) != base and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.fds(pid), base, self.describe())


# The keys of okta-watch 1 a daemon knew before invoking_user (W8); its
# parser refuses any other key with "unknown key".
KEYS_BEFORE_INVOKING_USER = {"op", "session_id", "user_id", "expires_at", "user", "service",
                             "rhost", "tty", "logind_session", "pid", "start_time"}


class OlderDaemon:
    """A daemon of the version before invoking_user, still running after the
    package (and with it the module) was upgraded: the packages neither
    start nor restart pam_okta_sessiond. Answers as its parser did."""

    def __init__(self, path):
        self.messages = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.bind(path)
        os.chmod(path, 0o600)
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(2)
                data, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(16))
                for level, kind, fds in anc:
                    if (level, kind) == (socket.SOL_SOCKET, socket.SCM_RIGHTS):
                        for fd in array.array("i", fds[:len(fds) - len(fds) % 4]):
                            os.close(fd)
                keys = {l.split("=", 1)[0] for l in data.decode().split("\n")[1:] if l}
                self.messages.append(data.decode())
                conn.send(b"ok\n" if keys <= KEYS_BEFORE_INVOKING_USER
                          else b"refused unknown key\n")

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


class TestOlderDaemon(WatchTestCase):
    def test_sudo_login_registers_with_a_daemon_older_than_the_module(self):
        """W12: after an upgrade the running daemon is the old one until
        someone restarts it; a sudo registration (invoking_user) is
        registered without the new field, not refused: with watch_required
        every sudo failed (PAM_SESSION_ERR), without it every sudo login
        went unwatched."""
        old = OlderDaemon(self.socket_path)
        self.addCleanup(old.close)
        ph.write_okta_service(self.confdir, mt.SERVICE, self.conf_path,
                              args=("watch_required",))
        r = self.run_pam(mt.sim().mint(mt.LOGIN), "auth,user=root,open")
        self.assert_step(r, "open", "PAM_SUCCESS")
        self.assertEqual(len(old.messages), 2, old.messages)
        self.assertIn("\ninvoking_user=%s\n" % mt.USER, old.messages[0])
        self.assertNotIn("invoking_user", old.messages[1])
        self.assertIn("\nuser=root\n", old.messages[1])
        self.assert_logged(r, "older than the module")
        # a login that is its user's own sends what any daemon knows
        r = self.run_pam(mt.sim().mint(mt.LOGIN), "auth,open")
        self.assert_step(r, "open", "PAM_SUCCESS")
        self.assertEqual(len(old.messages), 3, old.messages)


CONNECT_AS_USER = r"""
import socket, sys
for op in ("register", "deregister", "list"):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        s.connect(sys.argv[1])
        s.send(b"okta-watch 1\nop=" + op.encode() + b"\n")
        print(s.recv(4096).decode().strip())
    except Exception as e:
        print(type(e).__name__, e)
"""


if __name__ == "__main__":
    taprunner.main()
