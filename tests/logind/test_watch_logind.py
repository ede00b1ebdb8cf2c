#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End to end on a booted systemd: pam_okta_sessiond ends an sshd login
through the real systemd-logind.

Runs only inside the Debian root that .ci/logind boots (systemd as PID 1,
journald, dbus, systemd-logind, Debian's ssh.service with its stock PAM
stack, pam_systemd included, and the project installed by `make install`,
the daemon run by its own unit pam_okta_sessiond.service). The test
configures the installed module (watch = yes, watch_interval = 5) against
the simulator on loopback, adds the module to /etc/pam.d/sshd and
/etc/pam.d/sudo after the stock session lines, and logs in two users over
ssh:

- alice runs `sleep` and, escaped from her login's process tree (`setsid
  -f`, SIGHUP ignored: what `nohup cmd &` in a shell does), a second
  `sleep`; only logind knows that process belongs to her login (its
  session scope), so it is gone only if the daemon ended the login through
  logind;
- bob runs `sleep` beside her.

Her Okta session is deleted at the simulator (DELETE /api/v1/sessions/ID,
as an administrator clearing her sessions would). Expected: her ssh client
exits within watch_interval + 5 s, both her sleeps are gone, logind's
session is gone or closing, the daemon's journal says it ended her login
through logind's TerminateSession and its audit line says `revoked`; bob's
login, sleep and logind session are untouched.

sudo in an ssh login (Debian's stock /etc/pam.d/sudo, no pam_systemd, the
module in place of common-auth and its session line last; sudoers for
alice in /etc/sudoers.d beside Debian's, which sets use_pty): deleting
sudo's own Okta session ends sudo and its command only; alice's shell, ssh
login, logind session and Okta session go on and stay watched, and then
end through logind when that session is deleted.

Run: bash .ci/logind   (not by hand on a host: it rewrites /etc/pam.d/sshd and sudo)
"""

import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import e2elib  # noqa: E402
import pamharness  # noqa: E402
import taprunner  # noqa: E402
from simlib import Simulator  # noqa: E402

CONF = os.environ.get("PAM_OKTA_INSTALLED_CONF", "/usr/local/etc/security/pam_okta_session.conf")
MODULE = pamharness.MODULE
STATE_DIR = "/run/pam_okta_session/state"
UNIT = "pam_okta_sessiond.service"
INTERVAL = 5
END_WITHIN = INTERVAL + 5
USERS = ("alice", "bob")
SUFFIX = e2elib.LOGIN_SUFFIX
# The logins' commands: sleeps whose argument is unique to this run.
SLEEP = {"alice": "600001", "alice-escaped": "600002", "bob": "600003",
         "w1-alice": "600004", "w1-bob": "600005", "sudo": "600006", "sudo-shell": "600007"}
SUDOERS = "/etc/sudoers.d/pam-okta-test"
SIM = None


def run(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True).stdout


def booted_by_systemd():
    """Only in .ci/logind's booted root: it rewrites the system's sshd
    setup, so it refuses to run anywhere else (a failure, not a skip)."""
    if os.geteuid() != 0 or not os.path.isdir("/run/systemd/system") or \
            os.environ.get("PAM_OKTA_LOGIND_ROOT") != "1":
        raise RuntimeError("runs only inside the root filesystem that .ci/logind boots")


def setUpModule():
    global SIM
    booted_by_systemd()
    SIM = Simulator()
    SIM.start()
    for user in USERS:
        run("useradd", "--create-home", "--shell", "/bin/sh", user)
    pamharness.write_conf(CONF, org_url=SIM.org_url, api_token=SIM.api_token,
                          ca_file=SIM.ca_file, login_suffix=SUFFIX, timeout=3,
                          watch="yes", watch_interval=INTERVAL)
    write_pam("sshd", "common-session")
    write_pam("sudo", "common-session-noninteractive")
    # As the e2e suite's sudoers has it, beside Debian's stock /etc/sudoers
    # (which includes this directory and sets use_pty).
    pamharness.write_secure_file(SUDOERS, "Defaults:alice !lecture, passwd_tries=1, "
                                 "timestamp_timeout=0\nalice ALL=(ALL:ALL) ALL\n", mode=0o440)
    run("visudo", "-c", "-q")
    with open("/etc/ssh/sshd_config.d/okta.conf", "w") as f:
        f.write("ListenAddress 127.0.0.1\nKbdInteractiveAuthentication yes\n"
                "PasswordAuthentication no\nPubkeyAuthentication no\n"
                "AuthenticationMethods keyboard-interactive\nUseDNS no\nLogLevel VERBOSE\n")
    run("systemctl", "daemon-reload")
    run("systemctl", "restart", "ssh.service")
    run("systemctl", "start", UNIT)
    deadline = time.monotonic() + 15
    while not os.path.exists("/run/pam_okta_session/watch.sock"):
        if time.monotonic() > deadline:
            raise RuntimeError("%s did not start:\n%s" % (UNIT, journal(UNIT)))
        time.sleep(0.1)


def tearDownModule():
    if SIM is not None:
        SIM.stop()


def write_pam(service, session_include):
    """Debian's own /etc/pam.d/SERVICE (sshd: pam_systemd through
    common-session; sudo: common-session-noninteractive), the module in
    place of common-auth, and its session line last (for sshd after
    pam_systemd has set XDG_SESSION_ID)."""
    line = "%s conf=%s debug" % (MODULE, CONF)
    path = "/etc/pam.d/" + service
    with open(path) as f:
        text = f.read()
    if "\n@include common-auth\n" not in text or \
            "@include %s\n" % session_include not in text:
        raise RuntimeError("Debian's %s changed:\n%s" % (path, text))
    text = text.replace("\n@include common-auth\n", "\nauth required %s\n" % line)
    with open(path, "w") as f:
        f.write(text + "session required %s\n" % line)


def pam_stack(service):
    """/etc/pam.d/SERVICE's lines with its @include lines replaced by the
    files', comments left out."""
    with open("/etc/pam.d/" + service) as f:
        lines = [l for l in f.read().splitlines() if not l.lstrip().startswith("#")]
    out = []
    for l in lines:
        if l.startswith("@include "):
            out += pam_stack(l.split()[1]).splitlines()
        else:
            out.append(l)
    return "\n".join(out)


def journal(unit, syslog=False):
    """The unit's journal; syslog=True: only what came through syslog (the
    daemon in the foreground also copies every line to stderr, which the
    journal holds as well)."""
    match = ["_TRANSPORT=syslog"] if syslog else []
    return run("journalctl", "--no-pager", "-o", "cat", "-u", unit, *match, check=False)


def processes_running(argv0, arg):
    """Pids of processes whose command line is exactly [argv0, arg]."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if f.read().split(b"\0")[:-1] == [argv0.encode(), arg.encode()]:
                    found.append(int(pid))
        except (OSError, ValueError):
            continue
    return found


def ancestors(pid):
    found = []
    while pid > 1:
        pid = parent(pid)
        found.append(pid)
    return found


def stat(pid):
    """The fields of /proc/PID/stat after the command name (state first)."""
    with open("/proc/%d/stat" % pid, "rb") as f:
        text = f.read()
    return text[text.rindex(b")") + 2:].split()


def parent(pid):
    return int(stat(pid)[1])


def start_time(pid):
    """The process's start time, or None once it is gone."""
    try:
        return int(stat(pid)[19])
    except OSError:
        return None


def kill_if_same(pid, started):
    """SIGKILL to pid if it is still the process that started then."""
    if started is not None and start_time(pid) == started:
        os.kill(pid, 9)


def cmdline(pid):
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        return f.read().replace(b"\0", b" ").decode(errors="replace").strip()


def logind_session(sid):
    """loginctl show-session's properties, {} once logind forgot it."""
    out = run("loginctl", "show-session", sid, check=False)
    return dict(l.split("=", 1) for l in out.splitlines() if "=" in l)


class Login:
    """An ssh login on a pseudo-terminal, in a thread, answering the
    module's token prompt."""

    def __init__(self, user, command, sudo=False):
        """sudo: the login has a terminal (ssh -tt) and answers a second
        prompt, sudo's, with a token of a session of its own."""
        self.user = user
        minted = SIM.mint_full(user + SUFFIX)
        argv = ["ssh", "-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "PreferredAuthentications=keyboard-interactive",
                "-o", "PubkeyAuthentication=no"] + (["-tt"] if sudo else []) + \
            ["%s@127.0.0.1" % user, command]
        answers = [(e2elib.TOKEN_PROMPT, minted["sessionToken"].encode())]
        if sudo:
            answers.append((e2elib.TOKEN_PROMPT, SIM.mint(user + SUFFIX).encode()))
        self.result = self.error = self.ended = None
        self.thread = threading.Thread(target=self._run, args=(argv, answers), daemon=True)
        self.thread.start()

    def _run(self, argv, answers):
        try:
            self.result = e2elib.run_on_pty(argv, answers, dict(os.environ), 900)
        except Exception as e:   # reported by the test
            self.error = e
        self.ended = time.monotonic()

    def running(self):
        return self.thread.is_alive()


class TestRealLogind(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.addCleanup(self.kill_sleeps)
        # The logins of an earlier test forgotten (an ended one 5 s after
        # its SIGHUP, at the SIGKILL).
        self.wait_for("no login watched", lambda: not os.listdir(STATE_DIR), within=15)
        self.log_mark = len(journal(UNIT, syslog=True).splitlines())

    @staticmethod
    def kill_sleeps():
        """What a failed test left running: its logins end with them."""
        for arg in SLEEP.values():
            for pid in processes_running("sleep", arg):
                os.kill(pid, 9)

    def daemon_log(self):
        """What the daemon logged through syslog since the test began."""
        return "\n".join(journal(UNIT, syslog=True).splitlines()[self.log_mark:])

    def describe(self):
        return "\n--- %s\n%s\n--- ssh.service\n%s\n--- logind\n%s\n--- sessions\n%s" % (
            UNIT, journal(UNIT)[-4000:], journal("ssh.service")[-3000:],
            journal("systemd-logind.service")[-2000:],
            run("loginctl", "list-sessions", "--no-legend", check=False))

    def wait_for(self, what, predicate, within=20):
        deadline = time.monotonic() + within
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("%s: not within %s s%s" % (what, within, self.describe()))
            time.sleep(0.1)

    def session_of(self, user):
        """The user's logind session: (id, properties)."""
        for line in run("loginctl", "list-sessions", "--no-legend").splitlines():
            fields = line.split()
            if len(fields) >= 3 and fields[2] == user:
                return fields[0], logind_session(fields[0])
        self.fail("no logind session of %s%s" % (user, self.describe()))

    def registration(self, **match):
        """The daemon's state file of the login whose fields have the
        given values (user=, service=), as a dict."""
        for name in os.listdir(STATE_DIR):
            with open(os.path.join(STATE_DIR, name)) as f:
                fields = dict(l.split("=", 1) for l in f.read().splitlines() if "=" in l)
            if all(fields.get(k) == v for k, v in match.items()):
                return fields
        self.fail("no registration with %s in %s%s" % (match, STATE_DIR, self.describe()))

    def registered_logind_session(self, user):
        """The logind session the module's registration of the user's
        login names."""
        return self.registration(user=user).get("logind_session", "")

    def okta_session_id(self, user):
        """The Okta session of the user's latest login."""
        for q in reversed(SIM.requests()):
            if q["method"] == "POST" and q["path"] == "/api/v1/sessions" and q["status"] == 200:
                body = json.loads(q["response_body"])
                if body.get("login") == user + SUFFIX:
                    return body["id"]
        self.fail("no Okta session of %s%s" % (user, self.describe()))

    def wait_running(self, *names):
        """The pids of the `sleep`s of SLEEP[name], once they run."""
        pids = []
        for name in names:
            arg = SLEEP[name]
            pids += self.wait_for("`sleep %s` (%s) runs" % (arg, name),
                                  lambda: processes_running("sleep", arg))
        return pids

    def wait_ended(self, login, deleted):
        """The ssh client of `login` ends within watch_interval + 5 s of
        the DELETE at `deleted`."""
        login.thread.join(END_WITHIN + 10)
        if login.running():
            self.fail("%s's ssh client still runs %s s after the revocation%s"
                      % (login.user, END_WITHIN + 10, self.describe()))
        took = login.ended - deleted
        sys.stdout.write("# %s's ssh client ended %.2f s after the DELETE (watch_interval %d)\n"
                         % (login.user, took, INTERVAL))
        self.assertIsNone(login.error, self.describe())
        self.assertNotEqual(login.result.status, 0, self.describe())
        self.assertLess(took, END_WITHIN, self.describe())

    def end_login(self, login, sleep):
        """A login of the test ends as a logout does."""
        os.kill(sleep, 9)
        login.thread.join(30)
        self.assertFalse(login.running(), self.describe())

    def delete_okta_session(self, sid):
        """What an administrator clearing the user's sessions does."""
        host, port = SIM.org_url.split("//")[1].rsplit(":", 1)
        conn = http.client.HTTPSConnection(
            host, int(port), timeout=10,
            context=ssl.create_default_context(cafile=SIM.ca_file))
        conn.request("DELETE", "/api/v1/sessions/" + sid,
                     headers={"Authorization": "SSWS " + SIM.api_token})
        status = conn.getresponse().status
        conn.close()
        self.assertEqual(status, 204)

    def revoke_and_end_through_logind(self, login, okta_sid, sid, leader, pids):
        """Delete the Okta session of the ssh login `login` (logind session
        sid led by sshd's process leader): its client ends within
        watch_interval + 5 s, and so do `pids` (also those only logind's
        scope holds), logind's session is gone or closing, and the daemon
        says it asked logind's TerminateSession, `revoked` then
        `terminated`."""
        user = login.user
        self.delete_okta_session(okta_sid)
        deleted = time.monotonic()
        self.wait_ended(login, deleted)
        left = END_WITHIN - (time.monotonic() - deleted)
        self.wait_for("%s's processes %s gone" % (user, pids),
                      lambda: not any(os.path.exists("/proc/%d" % p) for p in pids),
                      within=max(left, 0.5))
        self.wait_for("logind's session %s gone or closing" % sid,
                      lambda: logind_session(sid).get("State", "gone") in ("gone", "closing"),
                      within=5)
        self.wait_for("the daemon's audit line", lambda: "outcome=terminated" in self.daemon_log(),
                      10)
        log = self.daemon_log()
        self.assertRegex(log, r"ending the login of '%s' \(sshd, pid %d\): logind "
                         r"TerminateSession" % (user, leader), self.describe())
        audit = [l for l in log.splitlines() if "event=watch" in l]
        self.assertEqual([re.search(r"outcome=(\S+)", l).group(1) for l in audit],
                         ["revoked", "terminated"], self.describe())
        for line in audit:
            self.assertIn(" user=%s " % user, line)
            self.assertIn(" service=sshd ", line)
        self.assertNotIn(okta_sid, log, "the daemon logged the session id")

    def test_revocation_ends_login_through_logind(self):
        bob = Login("bob", "exec sleep " + SLEEP["bob"])
        alice = Login("alice", "setsid -f sh -c 'trap \"\" HUP; exec sleep %s' "
                      "</dev/null >/dev/null 2>&1; exec sleep %s"
                      % (SLEEP["alice-escaped"], SLEEP["alice"]))
        sleep, escaped, bob_sleep = self.wait_running("alice", "alice-escaped", "bob")

        # What the daemon is about to rely on: logind's session of alice's
        # login is led by sshd's per-connection process (the one that ran
        # pam_open_session and registered), the registration names it, and
        # the escaped sleep is in that session but not in the process tree.
        sid, props = self.session_of("alice")
        leader = parent(parent(sleep))
        self.assertRegex(cmdline(leader), r"^sshd: alice( \[priv\])?$", self.describe())
        self.assertEqual(props.get("Leader"), str(leader), self.describe())
        self.assertEqual(props.get("State"), "active", self.describe())
        self.wait_for("both logins registered", lambda: len(os.listdir(STATE_DIR)) == 2)
        self.assertEqual(self.registered_logind_session("alice"), sid, self.describe())
        with open("/proc/%d/cgroup" % escaped) as f:
            self.assertIn("/session-%s.scope" % sid, f.read(), "escaped sleep outside the scope")
        self.assertNotIn(parent(escaped), (leader, parent(sleep)))
        bob_sid, _ = self.session_of("bob")
        self.assertNotEqual(bob_sid, sid)

        self.revoke_and_end_through_logind(alice, self.okta_session_id("alice"), sid, leader,
                                           [sleep, escaped])

        # bob: untouched.
        log = self.daemon_log()
        self.assertTrue(bob.running(), "bob's ssh client ended" + self.describe())
        self.assertTrue(os.path.exists("/proc/%d" % bob_sleep), "bob's sleep ended")
        self.assertEqual(logind_session(bob_sid).get("State"), "active", self.describe())
        self.assertNotRegex(log, r"(ending|SIGKILL).*'bob'", self.describe())
        self.assertFalse(SIM.session(self.okta_session_id("bob"))["revoked"])
        self.end_login(bob, bob_sleep)

    def test_revoked_sudo_ends_its_command_not_the_ssh_login(self):
        """alice, logged in over ssh on a terminal (her Okta session, the
        logind session led by sshd), runs `sudo sleep` there, answering
        sudo's prompt with a token of a second Okta session. Debian's stock
        sudo stack has no pam_systemd: sudo opens no logind session, and
        the logind session her shell is in is led by sshd (W1: never
        terminated for sudo's login). Deleting sudo's Okta session must end
        sudo and its command (by signals) within watch_interval + 5 s, with
        `revoked` and `terminated` for service sudo (user root, invoking
        user alice), and nothing else: her shell, ssh client, logind
        session and Okta session go on, still watched. Deleting her ssh
        login's Okta session then ends that login through logind."""
        stack = pam_stack("sudo")
        self.assertIn("pam_okta_session.so", stack)
        self.assertNotIn("pam_systemd", stack, "Debian's sudo stack opens a logind session")
        alice = Login("alice", "sudo -- sleep %s; exec sleep %s"
                      % (SLEEP["sudo"], SLEEP["sudo-shell"]), sudo=True)
        [command] = self.wait_running("sudo")
        self.wait_for("both logins registered", lambda: len(os.listdir(STATE_DIR)) == 2)
        ssh = self.registration(user="alice", service="sshd")
        sudo = self.registration(service="sudo")
        leader, sudo_pid = int(ssh["pid"]), int(sudo["pid"])
        shell = parent(sudo_pid)
        # A failure leaves her shell to run its next sleep once kill_sleeps
        # ended sudo's: it goes first.
        self.addCleanup(kill_if_same, shell, start_time(shell))
        sid, props = self.session_of("alice")

        # The layout: sudo (registered: user root, invoking_user alice)
        # runs the command, her shell (in her logind scope) runs sudo, and
        # logind's session is led by sshd's process.
        self.assertEqual((sudo.get("user"), sudo.get("invoking_user")), ("root", "alice"))
        self.assertRegex(cmdline(sudo_pid), r"^sudo -- sleep ", self.describe())
        self.assertIn(sudo_pid, ancestors(command))
        self.assertIn(leader, ancestors(shell))
        self.assertEqual(props.get("Leader"), str(leader), self.describe())
        self.assertEqual(props.get("State"), "active", self.describe())
        self.assertEqual(ssh.get("logind_session"), sid, self.describe())
        # sudo's PAM environment has no XDG_SESSION_ID of its own; whatever
        # it names, it can only be her ssh login's session.
        sudo_sid = sudo.get("logind_session", "")
        self.assertIn(sudo_sid, ("", sid), self.describe())
        sys.stdout.write("# sudo's registration names logind session %r\n" % sudo_sid)
        with open("/proc/%d/cgroup" % shell) as f:
            self.assertIn("/session-%s.scope" % sid, f.read())

        self.delete_okta_session(sudo["session_id"])
        deleted = time.monotonic()
        self.wait_for("sudo and its command gone",
                      lambda: not os.path.exists("/proc/%d" % sudo_pid) and
                      not os.path.exists("/proc/%d" % command), within=END_WITHIN)
        sys.stdout.write("# sudo's command ended %.2f s after the DELETE (watch_interval %d)\n"
                         % (time.monotonic() - deleted, INTERVAL))
        # Her shell went on to its next command (the same process).
        self.wait_for("her shell runs on", lambda: processes_running(
            "sleep", SLEEP["sudo-shell"]) == [shell], within=5)
        seen = len(SIM.requests())   # her ssh login's session is checked again after this
        self.wait_for("the daemon's audit line", lambda: "outcome=terminated" in self.daemon_log(),
                      10)
        log = self.daemon_log()
        audit = [l for l in log.splitlines() if "event=watch" in l]
        self.assertEqual([re.search(r"outcome=(\S+)", l).group(1) for l in audit],
                         ["revoked", "terminated"], self.describe())
        for line in audit:
            self.assertIn(" user=root ", line)
            self.assertIn(" service=sudo ", line)
            self.assertTrue(line.endswith(" invoking_user=alice"), line)
        self.assertRegex(log, r"ending the login of 'root' \(sudo, pid %d\): SIGHUP to "
                         % sudo_pid, self.describe())
        self.assertNotIn("TerminateSession", log, self.describe())
        self.assertNotIn(sudo["session_id"], log, "the daemon logged the session id")
        if sudo_sid:
            self.assertIn("logind session %s of the login of 'root' (sudo, pid %d) is not led "
                          "by that process" % (sid, sudo_pid), log)

        # Her ssh login: untouched, and still watched.
        self.assertTrue(alice.running(), "her ssh client ended" + self.describe())
        self.assertTrue(os.path.exists("/proc/%d" % leader))
        self.assertEqual(logind_session(sid).get("State"), "active", self.describe())
        self.assertFalse(SIM.session(ssh["session_id"])["revoked"])
        self.assertEqual(self.registration(service="sshd")["pid"], ssh["pid"])
        self.wait_for("her ssh login's session checked again", lambda: any(
            q["method"] == "GET" and q["path"] == "/api/v1/sessions/" + ssh["session_id"]
            for q in SIM.requests()[seen:]), within=END_WITHIN)

        self.log_mark = len(journal(UNIT, syslog=True).splitlines())
        self.revoke_and_end_through_logind(alice, ssh["session_id"], sid, leader, [shell])

    def test_planted_session_id_of_another_login_not_terminated(self):
        """SECURITY.md W1 on the real thing: Debian's stock sshd stack reads
        ~/.pam_environment (pam_env user_readenv=1) after pam_systemd, so
        alice can make the module register bob's logind session as hers.
        Ending her Okta session must end her login (by signals), and must
        not make the daemon terminate bob's logind session."""
        bob = Login("bob", "exec sleep " + SLEEP["w1-bob"])
        [bob_sleep] = self.wait_running("w1-bob")
        bob_sid, _ = self.session_of("bob")
        home = "/home/alice"
        with open(os.path.join(home, ".pam_environment"), "w") as f:
            f.write("XDG_SESSION_ID OVERRIDE=%s\n" % bob_sid)
        try:
            alice = Login("alice", "exec sleep " + SLEEP["w1-alice"])
            [sleep] = self.wait_running("w1-alice")
            leader = parent(parent(sleep))
            self.wait_for("both logins registered", lambda: len(os.listdir(STATE_DIR)) == 2)
        finally:
            os.unlink(os.path.join(home, ".pam_environment"))
        # The attack is mounted: her registration names bob's session.
        self.assertEqual(self.registered_logind_session("alice"), bob_sid, self.describe())

        self.delete_okta_session(self.okta_session_id("alice"))
        deleted = time.monotonic()
        self.wait_ended(alice, deleted)
        self.wait_for("alice's sleep gone", lambda: not os.path.exists("/proc/%d" % sleep), 5)
        time.sleep(1)   # what a TerminateSession of bob's session would have done by now
        self.assertTrue(bob.running(), "bob's ssh client ended" + self.describe())
        self.assertTrue(os.path.exists("/proc/%d" % bob_sleep), "bob's sleep ended")
        self.assertEqual(logind_session(bob_sid).get("State"), "active", self.describe())
        self.wait_for("the daemon's audit line", lambda: "outcome=terminated" in self.daemon_log(),
                      10)
        self.assertIn("logind session %s of the login of 'alice' (sshd, pid %d) is not led by "
                      "that process" % (bob_sid, leader), self.daemon_log(), self.describe())
        self.end_login(bob, bob_sleep)


if __name__ == "__main__":
    taprunner.main()
