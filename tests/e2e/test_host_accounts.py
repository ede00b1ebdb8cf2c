#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End to end: the sandbox owns the accounts it uses, whatever the host has.

A workstation, or a host where another tool made them, may already have
accounts named like the tests' (alice, bob).  Here the host gets them first,
made by the real useradd: another uid and home, a supplementary group of the
host's own (`okta-host-only`), a password, and in alice's home an
authorized_keys with a key of the host's own.  Then, through the sandbox of
tests/lib/e2elib.py, sshd (`publickey,keyboard-interactive`) and `su - alice`
from bob must use the sandbox's alice: her key, her uid, her home, her
groups, her session; the host alice's key must not pass sshd's publickey
step.

The host is never changed: before anything else the test re-runs itself in
a private mount namespace (`unshare --mount --propagation private`) over a
copy of /etc and empty tmpfs on /var/log, /var/mail, /run (and /var/lib/sss
where it exists): useradd writes only the copies, and refuses to run unless
/etc is the copy.  Everything goes with the namespace and the temporary
directory.

Run: python3 tests/e2e/test_host_accounts.py [name-substring...]   (as root)
"""

import atexit
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import e2elib  # noqa: E402
import taprunner  # noqa: E402
import test_sshd  # noqa: E402  (its Sshd class)

USER, CALLER = "alice", "bob"
LOGIN = "alice@example.com"
HOST_GROUP = "okta-host-only"
HOST_PASSWORD = "host-alice-e2e"   # so that the host accounts are usable ones
NAMESPACE_MARK = "PAM_OKTA_HOST_ACCOUNTS_NS"   # set to our pid once inside the namespace
SHOW = 'echo "e2e-account user=$(id -un) uid=$(id -u) home=$HOME groups=$(id -Gn | tr " " ,)' \
       ' sid=${OKTA_SESSION_ID-}"'
SHOW_RE = re.compile(r"e2e-account user=(\S*) uid=(\d+) home=(\S*) groups=(\S*) sid=(\S*)")
# What a host's useradd may write besides /etc: lastlog, faillog, the mail
# spool, nscd's socket, sssd's cache. Each is an empty tmpfs in the namespace.
HOST_SCRATCH = ("/var/log", "/var/mail", "/run", "/var/lib/sss")

SSHD = None
HOST = None   # the host's accounts: {"alice": pwd entry, "bob": ..., "dir": tmp, "key": path}


def reexec_in_private_namespace():
    """Run this file again in its own mount namespace (same pid: unshare
    execs), so that nothing it mounts or writes under /etc reaches the host."""
    if os.environ.get(NAMESPACE_MARK) == str(os.getpid()) or os.geteuid() != 0:
        return   # inside already; or not root, and setUpModule skips
    if shutil.which("unshare") is None:
        return   # setUpModule names the missing program
    os.environ[NAMESPACE_MARK] = str(os.getpid())
    sys.stdout.flush()
    os.execvp("unshare", ["unshare", "--mount", "--propagation", "private", "--",
                          sys.executable, os.path.abspath(__file__)] + sys.argv[1:])


def make_host_accounts():
    """In this process's private namespace: /etc replaced by a copy, the
    scratch directories by tmpfs; then the host's own alice and bob, by
    useradd.  Returns HOST."""
    if os.environ.get(NAMESPACE_MARK) != str(os.getpid()):
        raise RuntimeError("not in the test's private mount namespace: refusing to add "
                           "accounts to the host")
    tmp = tempfile.mkdtemp(prefix="okta-e2e-host-")
    atexit.register(shutil.rmtree, tmp, True)
    os.chmod(tmp, 0o755)
    etc = os.path.join(tmp, "etc")
    subprocess.run(["cp", "-a", "/etc", etc], check=True)
    marker = ".okta-e2e-copy-%d" % os.getpid()
    open(os.path.join(etc, marker), "w").close()
    subprocess.run(["mount", "--bind", etc, "/etc"], check=True)
    for path in HOST_SCRATCH:
        if os.path.isdir(path):
            subprocess.run(["mount", "-t", "tmpfs", "tmpfs", path], check=True)
    if not os.path.exists(os.path.join("/etc", marker)):
        raise RuntimeError("/etc is not the test's copy: refusing to run useradd")
    subprocess.run(["groupadd", "--force", HOST_GROUP], check=True)
    hashed = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=HOST_PASSWORD.encode(),
                            capture_output=True, check=True).stdout.decode().strip()
    host = {"dir": tmp}
    for name in (USER, CALLER):
        if name in {p.pw_name for p in pwd.getpwall()}:
            # a real host account of that name: replaced in the copy, never touched
            e2elib.drop_name("/etc", name)
        subprocess.run(["useradd", "--create-home", "--home-dir",
                        os.path.join(tmp, "home", name), "--shell", "/bin/sh", "--groups",
                        HOST_GROUP, "--password", hashed, name], check=True)
        host[name] = pwd.getpwnam(name)
    # alice's authorized_keys on the host holds a key of the host's own
    alice = host[USER]
    ssh_dir = os.path.join(alice.pw_dir, ".ssh")
    os.makedirs(ssh_dir, 0o700)
    host["key"] = os.path.join(tmp, "host_alice_ed25519")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "okta-e2e-host-alice",
                    "-f", host["key"]], check=True)
    shutil.copyfile(host["key"] + ".pub", os.path.join(ssh_dir, "authorized_keys"))
    for path in (ssh_dir, os.path.join(ssh_dir, "authorized_keys")):
        os.chown(path, alice.pw_uid, alice.pw_gid)
    return host


def setUpModule():
    global SSHD, HOST
    e2elib.require_root_and_programs("sshd", "ssh", "ssh-keygen", "su", "setpriv", "timeout",
                                     "unshare", "mount", "useradd", "groupadd", "openssl")
    HOST = make_host_accounts()
    sim, box = e2elib.start_world([USER, CALLER], ["sshd", "su", "su-l"])
    e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box = sim, box
    SSHD = test_sshd.Sshd(box, box.users[USER])
    SSHD.start()
    # the host alice's key, readable by the sandbox's alice (the ssh client runs as her)
    for path in (HOST["key"], HOST["key"] + ".pub"):
        os.chown(path, box.users[USER].uid, box.users[USER].gid)


def tearDownModule():
    if SSHD is not None:
        SSHD.stop()
    e2elib.stop_world(e2elib.E2ETestCase.sim, e2elib.E2ETestCase.box)


class HostAccountsTestCase(e2elib.E2ETestCase):
    def sandbox_user(self, name):
        return self.box.users[name]

    def assert_sandbox_alice(self, res, sid):
        """The command ran as the sandbox's alice: her uid, home and groups
        (not the host alice's), with the session Okta created."""
        self.assertEqual(res.status, 0, self.describe())
        m = SHOW_RE.search(res.text)
        self.assertIsNotNone(m, self.describe())
        alice = self.sandbox_user(USER)
        self.assertEqual(m.group(1, 2, 3), (USER, str(alice.uid), alice.home),
                         "the sandbox's alice, not the host's (uid %d, home %s)\n%s"
                         % (HOST[USER].pw_uid, HOST[USER].pw_dir, self.describe()))
        self.assertNotIn(HOST_GROUP, m.group(4).split(","),
                         "the host alice's groups do not follow the name\n" + self.describe())
        self.assertEqual(m.group(5), sid, self.describe())


class TestTheHostHasThem(HostAccountsTestCase):
    """The precondition: without it the other tests prove nothing."""

    def test_host_accounts_exist_outside_the_sandbox(self):
        for name in (USER, CALLER):
            entry = pwd.getpwnam(name)
            self.assertEqual(entry.pw_dir, os.path.join(HOST["dir"], "home", name))
            self.assertNotEqual(entry.pw_uid, self.sandbox_user(name).uid)
        self.assertTrue(os.path.exists(os.path.join(HOST[USER].pw_dir, ".ssh",
                                                    "authorized_keys")))

    def test_sandbox_files_name_each_account_once(self):
        for name in e2elib.ACCOUNT_FILES:
            with open(os.path.join(self.box.etc, name)) as f:
                names = [line.split(":", 1)[0] for line in f if line.strip()]
            for user in (USER, CALLER):
                self.assertEqual(names.count(user), 1, "%s: %r" % (name, user))


class TestSshd(HostAccountsTestCase):
    def ssh(self, key, token=None):
        argv = SSHD.client_argv(SSHD.port_key, "publickey,keyboard-interactive", key=True)
        argv[argv.index("-i") + 1] = key
        answers = [] if token is None else [(e2elib.TOKEN_PROMPT, token.encode())]
        self.last = self.box.run_pty(argv[:-1] + [SHOW], user=USER, answers=answers)
        return self.last

    def test_key_then_token_logs_in_the_sandbox_alice(self):
        res = self.ssh(SSHD.client_key, self.sim.mint(LOGIN))
        self.assertEqual(len(res.answered), 1, "one token prompt\n" + self.describe())
        sid = self.assert_workflow(USER, session_in_same_process=False)
        self.assert_sandbox_alice(res, sid)
        self.assertIn("Partial publickey for %s" % USER, SSHD.stderr())

    def test_host_alices_key_is_not_accepted(self):
        res = self.ssh(HOST["key"], self.sim.mint(LOGIN))
        self.assertNotEqual(res.status, 0, self.describe())
        self.assertIn("Permission denied", res.text, self.describe())
        self.assertEqual(res.answered, [], "no token prompt: the key did not pass\n"
                         + self.describe())
        self.assertEqual(self.api_requests(), [])


class TestSu(HostAccountsTestCase):
    def test_su_from_bob_reaches_the_sandbox_alice(self):
        self.last = self.box.run_pty(["su", "-", USER, "-c", SHOW], user=CALLER,
                                     answers=[(e2elib.TOKEN_PROMPT, self.sim.mint(LOGIN).encode())])
        sid = self.assert_workflow(USER, session_in_same_process=True)
        self.assert_sandbox_alice(self.last, sid)


if __name__ == "__main__":
    reexec_in_private_namespace()
    taprunner.main()
