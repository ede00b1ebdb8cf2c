#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End to end: pam_okta_sessiond ends real sshd and sudo logins when Okta
ends their session.

The sandbox of tests/lib/e2elib.py runs Debian's sshd (as test_sshd.py
does), sudo, and the daemon, all with the same configuration: watch = yes,
watch_interval = 5, the socket in the sandbox's root-owned directory. A
login runs a long `sleep`; the test deletes the Okta session at the
simulator (as an administrator clearing a user's sessions would) and
expects the ssh client (or sudo) to end within watch_interval + 5 s, the
sleep to be gone, and the daemon's audit line to say `revoked`. With su,
the caller (bob) first SIGKILLs su's waiting parent (W5 of SECURITY.md).

keep_alive = active (the default) with a 20 s idle lifetime: sudo's idle
terminal is not kept alive (TestKeepAliveTerminal); an interactive
`ssh -tt` login that the test types into every 2 s for 60 s keeps its
session ACTIVE, and left untyped it expires and is ended
(TestKeepAliveTyping).

Run: python3 tests/e2e/test_watch_e2e.py [name-substring...]   (as root)
"""

import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import e2elib  # noqa: E402
import pamharness  # noqa: E402
import taprunner  # noqa: E402
import test_sshd  # noqa: E402
import watchlib  # noqa: E402

USER, LOGIN = test_sshd.USER, test_sshd.LOGIN
CALLER = "bob"   # su's caller
CHECK = os.environ.get("PAM_OKTA_CHECK") or os.path.join(pamharness.BUILDDIR,
                                                          "pam_okta_session_check")
INTERVAL = 5
END_WITHIN = INTERVAL + 5
SSHD = DAEMON = None
SOCKET = None
# The logins' commands: `sleep N` with N unique to this run, so that the
# test finds its own processes only.
SLEEP_BASE = 100000 + os.getpid() * 10


def sleep_arg(n):
    return str(SLEEP_BASE + n)


def conf_keys():
    return {"timeout": test_sshd.TIMEOUT, "watch": "yes", "watch_socket": SOCKET,
            "watch_interval": INTERVAL}


def setUpModule():
    global SSHD, SOCKET, DAEMON
    e2elib.require_root_and_programs("sshd", "ssh", "ssh-keygen", "setpriv", "timeout", "sudo",
                                     "su")
    sim, box = e2elib.start_world([USER, CALLER], ["sshd", "sudo", "su"],
                                  timeout=test_sshd.TIMEOUT)
    e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box = sim, box
    sockdir = os.path.join(box.dir, "watch")
    os.mkdir(sockdir, 0o755)
    SOCKET = os.path.join(sockdir, "watch.sock")
    box.write_okta_conf(sim, **conf_keys())
    box.write_sudoers("%s ALL=(ALL:ALL) ALL" % USER)
    SSHD = test_sshd.Sshd(box, box.users[USER])
    SSHD.start()
    DAEMON = watchlib.Daemon(box.conf_path, SOCKET, box.sink)
    DAEMON.command = lambda: box.command([watchlib.DAEMON, "--config", box.conf_path,
                                          "--foreground"], die_with_parent=True)
    DAEMON.start = lambda timeout=10: start_daemon(box, timeout)


def start_daemon(box, timeout):
    """The daemon in the sandbox's namespace (its /run, /dev/log)."""
    import subprocess
    with open(DAEMON.stderr_path, "ab") as err:
        DAEMON.proc = subprocess.Popen(DAEMON.command(), env=box.env(),
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=err)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return DAEMON.list()
        except OSError:
            if DAEMON.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("pam_okta_sessiond did not start:\n" + DAEMON.stderr())
            time.sleep(0.05)


def tearDownModule():
    for n in (1, 2, 3, 4):   # what a failed test may have left running
        for pid in processes_running("sleep", sleep_arg(n)):
            os.kill(pid, 9)
    if DAEMON is not None:
        DAEMON.stop()
    if SSHD is not None:
        SSHD.stop()
    e2elib.stop_world(e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box)


def processes_running(argv0, arg):
    """Pids of processes whose command line is exactly [argv0, arg]."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().split(b"\0")[:-1]
        except OSError:
            continue
        if cmd == [argv0.encode(), arg.encode()]:
            found.append(int(pid))
    return found


def login_processes(root):
    """(pid, start time) of `root` and its descendants now, from /proc:
    this login's processes only (other e2e files may run beside this one,
    with the same test uid)."""
    parents = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % pid, "rb") as f:
                text = f.read()
        except OSError:
            continue
        fields = text[text.rindex(b")") + 2:].split()
        parents[int(pid)] = (int(fields[1]), int(fields[19]))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in parents:
            found.add((pid, parents[pid][1]))
            todo.extend(p for p, (ppid, _) in parents.items() if ppid == pid)
    return found


def still_alive(procs):
    """Those of (pid, start time) still running (the same start time)."""
    alive = []
    for pid, start in procs:
        try:
            if watchlib.proc_start_time(pid) == start:
                alive.append(pid)
        except (OSError, ValueError, IndexError):
            continue
    return alive


class Background:
    """A call in a thread: the login that lasts while the test acts."""

    def __init__(self, fn):
        self.result, self.error, self.ended = None, None, None
        self.thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self.thread.start()

    def _run(self, fn):
        try:
            self.result = fn()
        except Exception as e:   # reported by the test
            self.error = e
        self.ended = time.monotonic()

    def join(self, timeout):
        self.thread.join(timeout)
        return not self.thread.is_alive()


class WatchE2E(e2elib.E2ETestCase):
    def setUp(self):
        self.sim.reset()
        self.box.write_okta_conf(self.sim, **conf_keys())
        self.box.sink.clear()
        self.last = None
        if DAEMON.proc is None or DAEMON.proc.poll() is not None:
            DAEMON.start()
        self.wait_watched(0)   # the logins of earlier tests are closed

    def describe(self):
        return "%s\n--- daemon stderr\n%s\n--- sshd\n%s" % (
            super().describe(), DAEMON.stderr()[-3000:], SSHD.stderr()[-3000:])

    def wait_watched(self, count=1, within=20):
        """Until the daemon watches exactly `count` logins."""
        deadline = time.monotonic() + within
        while len(DAEMON.list()) != count:
            if time.monotonic() > deadline:
                self.fail("not registered with the daemon\n" + self.describe())
            time.sleep(0.1)
        return self.sim.requests()

    def wait_running(self, arg, within=10):
        """Until the login's `sleep arg` runs (open_session registered the
        login a moment before its command starts)."""
        deadline = time.monotonic() + within
        while not processes_running("sleep", arg):
            if time.monotonic() > deadline:
                self.fail("the login's command does not run\n" + self.describe())
            time.sleep(0.1)

    def created_sid(self):
        import json
        for q in self.sim.requests():
            if q["method"] == "POST" and q["path"] == "/api/v1/sessions" and q["status"] == 200:
                return json.loads(q["response_body"])["id"]
        self.fail("no session created\n" + self.describe())

    def revoke_and_wait(self, bg, what):
        sid = self.created_sid()
        self.sim.revoke_session(sid)
        revoked = time.monotonic()
        if not bg.join(END_WITHIN + 10):
            self.fail("%s still runs %ss after the revocation\n%s"
                      % (what, END_WITHIN + 10, self.describe()))
        took = bg.ended - revoked
        sys.stdout.write("# %s ended %.2fs after the revocation (watch_interval %d)\n"
                         % (what, took, INTERVAL))
        self.assertLess(took, END_WITHIN, self.describe())
        return sid


class TestSshdRevoked(WatchE2E):
    def ssh_login(self, command, wait=True):
        """ssh with a fresh token running `command`: in the background (a
        Background, once the daemon watches it and `sleep ARG` runs), or
        to its end (wait=False: the PtyResult)."""
        minted = self.sim.mint_full(LOGIN)
        argv = SSHD.client_argv(SSHD.port_token, "keyboard-interactive", False)
        argv[-1] = command
        answers = [(e2elib.TOKEN_PROMPT, minted["sessionToken"].encode())]
        if not wait:
            return self.box.run_pty(argv, user=USER, answers=answers, timeout=60)
        bg = Background(lambda: self.box.run_pty(argv, user=USER, answers=answers,
                                                 timeout=120))
        self.wait_watched()
        self.wait_running(command.split()[1])
        return bg

    def test_revocation_ends_ssh_login(self):
        bg = self.ssh_login("sleep " + sleep_arg(1))
        self.revoke_and_wait(bg, "the ssh client")
        self.last = bg.result
        self.assertNotEqual(bg.result.status, 0, self.describe())
        time.sleep(0.5)
        self.assertEqual(processes_running("sleep", sleep_arg(1)), [], "the sleep is gone")
        self.assert_logged("event=watch", "outcome=revoked", "service=sshd", "user=alice")
        self.assertEqual(DAEMON.list(), [])

    def test_logout_deregisters(self):
        res = self.ssh_login("sleep 3", wait=False)
        self.assertEqual(res.status, 0, res.describe() + self.describe())
        self.wait_watched(0)   # sshd's close_session runs after the client has gone
        self.assert_logged("pam_okta_sessiond", "watching the login of 'alice' (sshd")
        self.assert_logged("pam_okta_sessiond", "the login of 'alice' (sshd", "closed")
        self.assertEqual(DAEMON.list(), [])

    def test_daemon_restart_mid_login(self):
        bg = self.ssh_login("sleep " + sleep_arg(2))
        import signal
        DAEMON.stop(signal.SIGKILL)
        DAEMON.start()
        self.assertEqual(len(DAEMON.list()), 1, self.describe())
        self.revoke_and_wait(bg, "the ssh client")
        time.sleep(0.5)
        self.assertEqual(processes_running("sleep", sleep_arg(2)), [])


class TestSudoRevoked(WatchE2E):
    def test_revocation_ends_sudo_command(self):
        token = self.sim.mint(LOGIN)
        bg = Background(lambda: self.box.run(["sudo", "-S", "--", "sleep", sleep_arg(3)], user=USER,
                                             input=token.encode() + b"\n", timeout=120))
        self.wait_watched()
        self.wait_running(sleep_arg(3))
        # W8: sudo opens the session as root; who it is shows too
        out = subprocess.run([CHECK, "--conf", self.box.conf_path, "--watch"],
                             capture_output=True, text=True, timeout=30)
        self.assertIn("user=root invoking_user=%s service=sudo" % USER, out.stdout,
                      out.stdout + out.stderr + self.describe())
        self.revoke_and_wait(bg, "sudo")
        self.last = bg.result
        self.assertNotEqual(bg.result.returncode, 0)
        time.sleep(0.5)
        self.assertEqual(processes_running("sleep", sleep_arg(3)), [], "the command is gone")
        line = self.assert_logged("event=watch", "outcome=revoked", "service=sudo")
        self.assertIn(" user=root ", line)
        self.assertTrue(line.endswith(" invoking_user=" + USER), line)


def stat_fields(pid):
    """(comm, ppid) of pid."""
    with open("/proc/%d/stat" % pid) as f:
        text = f.read()
    return text[text.index("(") + 1:text.rindex(")")], int(text.rsplit(")", 1)[1].split()[1])


class TestSuKilled(WatchE2E):
    def test_killed_su_parent_leaves_command_watched(self):
        """W5: bob runs `su alice -c 'sleep N'` and, as bob, SIGKILLs su's
        waiting parent (its real uid is bob's) once the command runs; the
        revocation of alice's session still ends the command."""
        token = self.sim.mint(LOGIN)
        arg = sleep_arg(4)
        bg = Background(lambda: self.box.run_pty(
            ["su", USER, "-c", "sleep " + arg], user=CALLER,
            answers=[(e2elib.TOKEN_PROMPT, token.encode())], timeout=120))
        self.wait_watched()
        self.wait_running(arg)
        time.sleep(1.5)   # the daemon's first recording of the login's processes
        sleeper = processes_running("sleep", arg)[0]
        su = sleeper
        while stat_fields(su)[0] != "su":
            su = stat_fields(su)[1]
            self.assertGreater(su, 1, "no su above the command\n" + self.describe())
        killed = self.box.run(["kill", "-9", str(su)], user=CALLER)
        self.assertEqual(killed.returncode, 0, killed.stderr.decode() + self.describe())
        time.sleep(2)   # the pty stays open: the command holds it
        self.assertFalse(watchlib.running(su), "su survived its SIGKILL\n" + self.describe())
        self.assertEqual(processes_running("sleep", arg), [sleeper], self.describe())
        self.sim.revoke_session(self.created_sid())
        deadline = time.monotonic() + END_WITHIN + 1
        while processes_running("sleep", arg) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(processes_running("sleep", arg), [],
                         "the orphaned command outlived the revocation\n" + self.describe())
        self.assert_logged("event=watch", "outcome=revoked", "service=su")
        self.wait_watched(0, within=8)   # forgotten after the SIGKILL round
        bg.join(10)


class TestKeepAliveTerminal(WatchE2E):
    IDLE = 20

    def test_idle_terminal_not_kept_alive(self):
        """keep_alive = active: sudo on a terminal running `cat`, nothing
        typed after the token; the session (idle lifetime 20 s) is not
        refreshed by the daemon and expires, and the login is ended."""
        minted = self.sim.mint_full(LOGIN, idle_lifetime=self.IDLE)
        bg = Background(lambda: self.box.run_pty(
            ["sudo", "--", "cat"], user=USER,
            answers=[(e2elib.TOKEN_PROMPT, minted["sessionToken"].encode())], timeout=120))
        self.wait_watched()
        sid = self.created_sid()
        refreshes = self.sim.session(sid)["refresh_count"]
        if not bg.join(self.IDLE + END_WITHIN + 5):
            self.fail("the idle login still runs\n" + self.describe())
        self.assertEqual(self.sim.session(sid)["refresh_count"], refreshes,
                         "the daemon refreshed an idle terminal's session\n" + self.describe())
        self.assert_logged("event=watch", "outcome=expired", "service=sudo")


class TestKeepAliveTyping(WatchE2E):
    """keep_alive = active through sshd: an interactive `ssh -tt` login (a
    login shell on the pty sshd allocates). sshd's PAM_TTY is "ssh", so the
    daemon finds the terminal as the controlling terminal of the login's
    processes (the shell's), whose atime the kernel moves when the shell
    reads typed input (at most every 8 s). The idle lifetime is 20 s,
    watch_interval 5 s. (test_watch.py's TestKeepAlive covers a login
    without a terminal and keep_alive = no; TestKeepAliveTerminal above,
    sudo's own terminal named by PAM_TTY.)"""

    IDLE = 20
    TYPE_EVERY = 2   # seconds: the atime moves at most 8 s after input

    def setUp(self):
        super().setUp()
        self.term = None

    def tearDown(self):
        if self.term is not None:
            self.term.kill()
        super().tearDown()

    def describe(self):
        out = self.term.text[-2000:] if self.term is not None else ""
        return "--- terminal\n%s\n%s" % (out, super().describe())

    def interactive_login(self):
        """ssh -tt with a fresh token (idle lifetime IDLE) and no command:
        returns its session id once the daemon watches it and the shell
        prompts. Nothing is typed after the token."""
        minted = self.sim.mint_full(LOGIN, idle_lifetime=self.IDLE)
        argv = SSHD.client_argv(SSHD.port_token, "keyboard-interactive", False)[:-1]
        argv.insert(1, "-tt")
        self.term = self.box.terminal(argv, user=USER)
        self.term.expect(e2elib.TOKEN_PROMPT, 30)
        self.term.type(minted["sessionToken"].encode() + b"\n")
        self.wait_watched()
        self.term.expect(rb"\$ $", 20)   # the login shell (sh) prompts
        return self.created_sid()

    def test_typing_keeps_session_and_login_alive(self):
        """A line typed every 2 s for 3x the idle lifetime: the daemon
        refreshes the session (kept_alive), it stays ACTIVE, the shell
        answers to the end, and `exit` logs out normally."""
        sid = self.interactive_login()
        refreshes = self.sim.session(sid)["refresh_count"]
        end, n = time.monotonic() + 3 * self.IDLE, 0
        while time.monotonic() < end:
            n += 1
            self.term.type(b"echo typed-$((%d + 1))\n" % n)
            self.term.expect(rb"\btyped-%d\r?\n" % (n + 1), 10)   # the shell ran it
            time.sleep(self.TYPE_EVERY)
        s = self.sim.session(sid)
        self.assertFalse(s["expired"] or s["revoked"],
                         "the session of a login in use expired\n" + self.describe())
        kept = s["refresh_count"] - refreshes
        sys.stdout.write("# %d lines typed in %ds: %d keep-alive refreshes (idle lifetime %ds)\n"
                         % (n, 3 * self.IDLE, kept, self.IDLE))
        self.assertGreaterEqual(kept, 3, self.describe())
        self.assertIsNone(self.term.wait(0), "the login ended\n" + self.describe())
        self.assert_logged("event=watch", "outcome=kept_alive", "service=sshd", "user=alice")
        self.term.type(b"exit\n")
        self.assertEqual(self.term.wait(20), 0, self.describe())
        self.wait_watched(0)
        self.assertFalse([line for line in self.box.log_lines()
                          if "event=watch" in line and "outcome=expired" in line],
                         self.describe())

    def test_untyped_login_expires_and_ends(self):
        """The same login with nothing typed after the token: no
        keep-alive refresh, the session expires, the daemon ends the login
        (the ssh client exits, no process of alice's is left) and its audit
        line says expired."""
        sid = self.interactive_login()
        [line] = DAEMON.list()
        procs = login_processes(int(line.split(" pid=")[1].split()[0]))
        self.assertGreater(len(procs), 1, "the shell is among them\n" + self.describe())
        refreshes = self.sim.session(sid)["refresh_count"]
        status = self.term.wait(self.IDLE + END_WITHIN + 5)
        if status is None:
            self.fail("the untyped login still runs\n" + self.describe())
        self.assertNotEqual(status, 0, self.describe())
        self.assertEqual(self.sim.session(sid)["refresh_count"], refreshes,
                         "the daemon refreshed an untyped login's session\n" + self.describe())
        self.assertTrue(self.sim.session(sid)["expired"], self.describe())
        self.assert_logged("event=watch", "outcome=expired", "service=sshd", "user=alice")
        # The shell and sshd's user process may outlive SIGHUP: the SIGKILL
        # follows 5 s after it.
        ended, left = time.monotonic(), still_alive(procs)
        while left and time.monotonic() < ended + 5 + 2:
            time.sleep(0.2)
            left = still_alive(procs)
        self.assertEqual(left, [], "a process of the ended login is left\n" + self.describe())
        sys.stdout.write("# the login's last process was gone %.1fs after the client\n"
                         % (time.monotonic() - ended))


if __name__ == "__main__":
    taprunner.main()
