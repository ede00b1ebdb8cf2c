# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end harness: real sshd, sudo and su in a sandboxed mount namespace.

    box = Sandbox()                       # root only
    alice = box.add_user("alice")
    box.write_pam_service("sudo", box.okta_stack(conf_path))
    box.write_sudoers("alice ALL=(ALL:ALL) ALL")
    proc = box.run(["sudo", "-S", "id", "-u"], user="alice", input=b"token\\n")
    res = box.run_pty(["su", "-", "alice"], user="bob", answers=[(TOKEN_PROMPT, b"...")])
    box.close()

Every command runs through nsrun.py (see logcapture.py) in its own private
mount namespace in which:

- a test directory is bind-mounted over /etc/pam.d, and modified copies of
  /etc/passwd, /etc/shadow, /etc/group and /etc/gshadow (the host's entries
  plus the test users) over the originals, a test sudoers over /etc/sudoers.
  The sandbox owns the names it uses: a host user or group of the same name
  (a workstation's own alice) is dropped from the copies, and a test user's
  name from the host groups' member lists; its ids are free on the host too.
  (/etc/subuid and /etc/subgid are not replaced: sshd, sudo, su and login
  never read them.)
- /run and /var/log are empty tmpfs (sshd's privilege separation directory
  /run/sshd is created there; sudo timestamps, utmp, wtmp, btmp and lastlog
  written by sshd, sudo and su land there and vanish);
- /dev/log is the sandbox's LogSink.

The host's files are never written.  Test users exist only inside these
namespaces; their home directories are in the sandbox's temporary directory.
"""

import atexit
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import logcapture
import pamharness
from simlib import Simulator

TOKEN_PROMPT = rb"Okta session token: ?"
LOGIN_SUFFIX = "@example.com"
CREATE = ("POST", "/api/v1/sessions")
ACCOUNT_FILES = ("passwd", "shadow", "group", "gshadow")
BASE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
FIRST_TEST_ID = 61000
LOG_WARNING = 4


def require_root_and_programs(*programs):
    """SkipTest (with the reason) when the end-to-end tests cannot run here.

    Without root they are skipped (taprunner turns that into a failure under
    CI=true).  A missing program is a skip on a developer machine but an
    error under CI=true: .ci/deps installs them, so CI must run these tests.
    """
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root (mount namespaces, sshd, setuid programs)")
    missing = [p for p in programs if shutil.which(p, path=BASE_PATH) is None]
    if missing:
        why = "programs not installed: %s (bash .ci/deps installs them)" % " ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            raise RuntimeError(why)
        raise unittest.SkipTest(why)
    if not os.path.exists(pamharness.MODULE):
        raise RuntimeError("module not built: %s (set PAM_OKTA_MODULE)" % pamharness.MODULE)


class User:
    def __init__(self, name, uid, gid, home):
        self.name, self.uid, self.gid, self.home = name, uid, gid, home


def rewrite_account_file(path, edit):
    """Rewrite a passwd-style file line by line: edit(fields) returns the new
    fields, or None to drop the line."""
    with open(path) as f:
        rows = [edit(line.split(":")) for line in f.read().splitlines()]
    with open(path, "w") as f:
        f.write("".join(":".join(r) + "\n" for r in rows if r is not None))


def drop_name(etc, name, user=True):
    """Make `name` free in the account files under `etc` (the sandbox's
    copies): its user (if `user`) and group lines go, and a user's name
    leaves every group's member lists, so that an account added afterwards
    gets neither the old one's home, keys and password nor its supplementary
    groups (a workstation's own alice, an account another tool made)."""
    files = ("passwd", "shadow", "group", "gshadow") if user else ("group", "gshadow")
    for file in files:
        rewrite_account_file(os.path.join(etc, file),
                             lambda fields: None if fields[0] == name else fields)
    if user:
        # group: name:pw:gid:members; gshadow: name:pw:admins:members
        for file, lists in (("group", (3,)), ("gshadow", (2, 3))):
            rewrite_account_file(os.path.join(etc, file),
                                 lambda fields: _without_member(fields, lists, name))


def _without_member(fields, lists, name):
    """fields of a group or gshadow line with `name` taken out of the
    comma-separated lists at the indices `lists`."""
    fields = list(fields)
    for i in lists:
        if i < len(fields):
            fields[i] = ",".join(m for m in fields[i].split(",") if m and m != name)
    return fields


class PtyResult:
    """What a command run on a terminal printed, and when.

    output: everything read from the terminal (bytes)
    answered: [(prompt regex, monotonic time the answer was written)]
    ended: monotonic time the terminal closed; status: exit code (or -signal)
    """

    def __init__(self, output, answered, started, ended, status):
        self.output, self.answered = output, answered
        self.started, self.ended, self.status = started, ended, status

    @property
    def text(self):
        return self.output.decode("utf-8", "backslashreplace")

    def since_last_answer(self):
        """Seconds from the last answer to the end: how long the verdict took."""
        return self.ended - self.answered[-1][1]

    def describe(self):
        return "exit %s after %.2fs; answered %d prompt(s); terminal output:\n%s" % (
            self.status, self.ended - self.started, len(self.answered), self.text)


def _exit_code(status):
    return os.waitstatus_to_exitcode(status)


class Terminal:
    """A command on a new pseudo-terminal (its controlling terminal) that a
    test reads and types into while it runs, as a person at the keyboard:

        term = Terminal(argv, env)
        term.expect(rb"token: ?", timeout=30)   # the re.Match
        term.type(b"...\\n")
        term.wait(timeout)                      # exit code; None: still runs
        term.kill()                             # if it still runs; closes

    output: everything read from the terminal (bytes); expect() searches it
    from `mark` (the end of the previous match) on.
    """

    def __init__(self, argv, env):
        self.started = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:   # child: never returns
            try:
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.output, self.mark = b"", 0
        self.ended = self.status = None

    @property
    def text(self):
        return self.output.decode("utf-8", "backslashreplace")

    def read(self, until):
        """Wait for output until the monotonic time `until` (at most 0.5 s)
        and read it; False once the terminal has closed."""
        if self.ended is not None:
            return False
        left = min(until - time.monotonic(), 0.5)
        ready, _, _ = select.select([self.fd], [], [], max(left, 0))
        if not ready:
            return True
        try:
            data = os.read(self.fd, 4096)
        except OSError:   # EIO: the terminal's last user closed it
            data = b""
        if not data:
            self.ended = time.monotonic()
            return False
        self.output += data
        return True

    def expect(self, regex, timeout):
        """Read until `regex` matches the output after the last match."""
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(regex, self.output[self.mark:])
            if match:
                self.mark += match.end()
                return match
            if not self.read(deadline) or time.monotonic() >= deadline:
                raise AssertionError("no %r on the terminal within %ss (%s); output:\n%s"
                                     % (regex, timeout, "closed" if self.ended else "open",
                                        self.text))

    def type(self, data):
        os.write(self.fd, data)

    def wait(self, timeout):
        """Read until the terminal closes, then reap the command: its exit
        code (or -signal), or None when it still runs after `timeout`."""
        deadline = time.monotonic() + timeout
        while self.read(deadline):
            if time.monotonic() >= deadline:
                return None
        return self.reap()

    def reap(self):
        if self.status is None:
            _, status = os.waitpid(self.pid, 0)
            self.status = _exit_code(status)
        return self.status

    def kill(self):
        """SIGKILL to its process group if it still runs; close the terminal."""
        if self.status is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.reap()
        self.close()

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def run_on_pty(argv, answers, env, timeout):
    """Run argv with a new pseudo-terminal as its controlling terminal.

    answers: [(regex bytes, reply bytes)], answered in order, each once, when
    the regex matches the output since the previous answer (a reply gets a
    newline).  A reply may be a function of the re.Match that returns the
    bytes (to answer with what the prompt said).  Returns a PtyResult; kills the process group after `timeout`.
    """
    term = Terminal(argv, env)
    answered, pending = [], list(answers)
    deadline = term.started + timeout
    try:
        while term.read(deadline):
            if time.monotonic() >= deadline:
                term.kill()
                raise TimeoutError("%s: no end after %ss; output so far:\n%s"
                                   % (argv[-1], timeout, term.output.decode(errors="replace")))
            match = re.search(pending[0][0], term.output[term.mark:]) if pending else None
            if match:
                regex, reply = pending.pop(0)
                if callable(reply):
                    reply = reply(match)
                term.type(reply + b"\n")
                answered.append((regex, time.monotonic()))
                term.mark = len(term.output)
    finally:
        term.close()
    return PtyResult(term.output, answered, term.started, term.ended, term.reap())


_OPEN_SANDBOXES = set()


@atexit.register
def _close_all():   # also after SIGTERM (taprunner turns it into an exit)
    for box in list(_OPEN_SANDBOXES):
        box.close()


class Sandbox:
    """A temporary directory holding the namespace's /etc replacements,
    the test users' homes and a LogSink; see the module docstring."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="okta-e2e-")
        self.sink = None
        _OPEN_SANDBOXES.add(self)
        os.chmod(self.dir, 0o755)   # test users must reach their homes
        self.etc = os.path.join(self.dir, "etc")
        self.pam_dir = os.path.join(self.etc, "pam.d")
        os.makedirs(self.pam_dir)
        for name in ACCOUNT_FILES:
            src, dst = os.path.join("/etc", name), os.path.join(self.etc, name)
            shutil.copy2(src, dst)
            st = os.stat(src)
            os.chown(dst, st.st_uid, st.st_gid)
        self.host_ids = {name: self._ids(name) for name in ("passwd", "group")}
        self.write_pam_service("other", ["auth required pam_deny.so",
                                          "account required pam_deny.so",
                                          "password required pam_deny.so",
                                          "session required pam_deny.so"])
        self.sudoers = os.path.join(self.etc, "sudoers")
        self.write_sudoers("")
        self.users = {}
        self.extra_mounts = []   # more nsrun.py operations, applied after the others
        self.sink = logcapture.LogSink(os.path.join(self.dir, "log"))

    def close(self):
        if self not in _OPEN_SANDBOXES:
            return
        _OPEN_SANDBOXES.discard(self)
        if self.sink is not None:
            self.sink.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- accounts ------------------------------------------------------------------
    def _ids(self, name):
        with open(os.path.join(self.etc, name)) as f:
            return {int(line.split(":")[2]) for line in f if line.count(":") >= 3}

    def _free_id(self, files):
        """The first id from FIRST_TEST_ID that neither the sandbox's copies
        nor the host's files (as copied, before drop_name dropped entries)
        use: a replaced host account's uid is never handed out again."""
        taken = set()
        for name in files:
            taken |= self._ids(name) | self.host_ids[name]
        n = FIRST_TEST_ID
        while n in taken:
            n += 1
        return n

    def _append(self, name, line):
        with open(os.path.join(self.etc, name), "a") as f:
            f.write(line + "\n")

    def add_user(self, name, shell="/bin/sh"):
        """A user that exists only in the sandbox: locked password (tokens
        only), home directory in the sandbox.  A host account of the same
        name is replaced (drop_name); the ids are free on the host as well."""
        uid = self._free_id(["passwd"])
        gid = self._free_id(["group"])
        drop_name(self.etc, name, user=True)
        home = os.path.join(self.dir, "home", name)
        os.makedirs(home)
        os.chown(home, uid, gid)
        self._append("passwd", "%s:x:%d:%d:okta e2e test user:%s:%s" % (name, uid, gid, home, shell))
        self._append("shadow", "%s:!:19000:0:99999:7:::" % name)
        self._append("group", "%s:x:%d:" % (name, gid))
        self._append("gshadow", "%s:!::" % name)
        user = User(name, uid, gid, home)
        self.users[name] = user
        return user

    def _replace_line(self, name, key, line):
        """Replace the line of /etc/`name` (sandbox copy) whose first field is `key`."""
        rewrite_account_file(os.path.join(self.etc, name),
                             lambda fields: line.split(":") if fields[0] == key else fields)

    def set_password(self, name, password):
        """Give a sandbox user a local (pam_unix) password: SHA-512 crypt
        from `openssl passwd -6`, in the sandbox's shadow copy."""
        hashed = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password.encode(),
                                capture_output=True, check=True).stdout.decode().strip()
        self._replace_line("shadow", name, "%s:%s:19000:0:99999:7:::" % (name, hashed))

    def add_group(self, name, members=()):
        """A local group that exists only in the sandbox, with `members` (a
        host group of the same name is replaced)."""
        gid = self._free_id(["group"])
        drop_name(self.etc, name, user=False)
        self._append("group", "%s:x:%d:%s" % (name, gid, ",".join(members)))
        self._append("gshadow", "%s:!::%s" % (name, ",".join(members)))
        return gid

    def user_file(self, user, relpath, text, mode=0o600):
        """Write a file in a test user's home, owned by the user (directories 0700)."""
        path = os.path.join(user.home, relpath)
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            os.makedirs(parent, 0o700)
            os.chown(parent, user.uid, user.gid)
        with open(path, "w") as f:
            f.write(text)
        os.chown(path, user.uid, user.gid)
        os.chmod(path, mode)
        return path

    # -- PAM and sudo configuration ---------------------------------------------------------
    def write_pam_service(self, name, lines):
        return pamharness.write_service(self.pam_dir, name, lines)

    @staticmethod
    def okta_stack(conf, account="pam_unix.so"):
        """A service the way the README tells administrators to set it up:
        the module alone in auth, in session before pam_unix."""
        module = "%s conf=%s debug" % (pamharness.MODULE, conf)
        return ["auth     required  " + module,
                "account  required  " + account,
                "password required  pam_deny.so",
                "session  required  " + module,
                "session  required  pam_unix.so"]

    @property
    def conf_path(self):
        return os.path.join(self.dir, "okta.conf")

    def write_okta_conf(self, sim, **overrides):
        """The module's configuration for `sim` (root:0600), with `overrides`."""
        keys = {"org_url": sim.org_url, "api_token": sim.api_token, "ca_file": sim.ca_file,
                "login_suffix": LOGIN_SUFFIX, "timeout": 3}
        keys.update(overrides)
        return pamharness.write_conf(self.conf_path, **keys)

    def write_sudoers(self, rules):
        pamharness.write_secure_file(self.sudoers,
                                     "Defaults !lecture, !fqdn, passwd_tries=1, "
                                     "timestamp_timeout=0\n" + rules + "\n", mode=0o440)

    # -- running -----------------------------------------------------------------------------
    def mounts(self):
        ops = [("tmpfs", "/run"), ("mkdir", "/run/sshd"), ("tmpfs", "/var/log"),
               ("bind", self.pam_dir, "/etc/pam.d"), ("bind", self.sudoers, "/etc/sudoers")]
        ops += [("bind", os.path.join(self.etc, n), os.path.join("/etc", n)) for n in ACCOUNT_FILES]
        return ops + list(self.extra_mounts)

    def command(self, argv, user=None, die_with_parent=False):
        """The argv running `argv` in the sandbox, as `user` (a name) if given."""
        if user is not None:
            u = self.users[user]
            argv = ["setpriv", "--reuid=%d" % u.uid, "--regid=%d" % u.gid, "--init-groups",
                    "--reset-env", "--"] + list(argv)
        return logcapture.logged_command(argv, self.sink, mounts=self.mounts(),
                                         die_with_parent=die_with_parent)

    @staticmethod
    def env():
        return {"PATH": BASE_PATH, "LC_ALL": "C"}

    def run(self, argv, user=None, timeout=60, **kw):
        """subprocess.run in the sandbox (output captured), then sync the log."""
        proc = subprocess.run(self.command(argv, user), env=self.env(), capture_output=True,
                              timeout=timeout, **kw)
        self.sink.sync()
        return proc

    def start(self, argv, **popen_kw):
        """A daemon in the sandbox that gets SIGTERM if the test process dies."""
        return subprocess.Popen(self.command(argv, die_with_parent=True), env=self.env(),
                                **popen_kw)

    def terminal(self, argv, user=None):
        """A Terminal running `argv` in the sandbox (sync the log after it)."""
        return Terminal(self.command(argv, user), self.env())

    def run_pty(self, argv, user=None, answers=(), timeout=60):
        """run_on_pty() in the sandbox, then sync the log."""
        res = run_on_pty(self.command(argv, user), answers, self.env(), timeout)
        self.sink.sync()
        return res

    def log_lines(self):
        self.sink.sync()
        return self.sink.lines()

    def module_complaints(self):
        """pam_okta_session's log lines at warning level or worse."""
        self.sink.sync()
        with self.sink._lock:
            records = list(self.sink.records)
        return [r.raw for r in records
                if "pam_okta_session(" in r.message and r.severity is not None
                and r.severity <= LOG_WARNING]


# -- test fixtures -------------------------------------------------------------------------
def refresh(sid):
    return ("POST", "/api/v1/sessions/%s/lifecycle/refresh" % sid)


def start_world(users, services, timeout=3):
    """A running simulator and a Sandbox with `users` and the PAM `services`
    using the module (okta_stack) with a configuration for that simulator."""
    sim = Simulator()   # both are cleaned up at exit if what follows fails
    sim.start()
    box = Sandbox()
    for name in users:
        box.add_user(name)
    box.write_okta_conf(sim, timeout=timeout)
    for service in services:
        box.write_pam_service(service, box.okta_stack(box.conf_path))
    return sim, box


def stop_world(sim, box):
    if box is not None:
        box.close()
    if sim is not None:
        sim.stop()


class E2ETestCase(unittest.TestCase):
    """Base for the end-to-end tests: the test module's setUpModule sets
    E2ETestCase.sim and .box (start_world).  Per test: simulator log and
    faults reset, configuration rewritten, syslog cleared.  Subclasses set
    self.last to the command's result and may extend describe()."""

    sim = box = None
    timeout = 3
    maxDiff = None

    def setUp(self):
        self.sim.reset()
        self.box.write_okta_conf(self.sim, timeout=self.timeout)
        self.box.sink.clear()
        self.last = None

    def describe(self):
        out = self.last.describe() if hasattr(self.last, "describe") else repr(self.last)
        return "%s\n--- simulator requests\n%s\n--- syslog\n%s" % (
            out, self.request_summary(), "\n".join(self.box.log_lines()))

    def request_summary(self):
        return [(q["method"], q["path"], q["status"], q["conn"]) for q in self.sim.requests()]

    def api_requests(self):
        return [(q["method"], q["path"]) for q in self.sim.requests()]

    def assert_logged(self, *needles):
        """Some syslog line contains every needle."""
        for line in self.box.log_lines():
            if all(n in line for n in needles):
                return line
        self.fail("no syslog line contains all of %r\n%s" % (needles, self.describe()))

    def assert_only_create(self, status):
        """The simulator saw one create request, answered with `status`."""
        self.assertEqual([(q["method"], q["path"], q["status"]) for q in self.sim.requests()],
                         [CREATE + (status,)], self.describe())

    def assert_workflow(self, user, session_in_same_process):
        """create + refresh (auth, one connection) then refresh (session open),
        all 200, logged as established for `user` with no module complaint;
        returns the session id.

        session_in_same_process: sudo and su open the session in the process
        that authenticated, so the connection is reused; sshd opens it in
        another process, so it takes a second connection, and the id it
        finds in the PAM environment is checked to be the user's (GET)
        before the refresh."""
        reqs = self.sim.requests()
        self.assertTrue(reqs and reqs[0]["status"] == 200, self.describe())
        sid = json.loads(reqs[0]["response_body"])["id"]
        opened = [refresh(sid)] if session_in_same_process else [
            ("GET", "/api/v1/sessions/" + sid), refresh(sid)]
        self.assertEqual(self.api_requests(), [CREATE, refresh(sid)] + opened,
                         self.describe())
        self.assertTrue(all(q["status"] == 200 for q in reqs), self.describe())
        self.assertEqual(reqs[0]["conn"], reqs[1]["conn"],
                         "auth: create and refresh on one connection\n" + self.describe())
        if session_in_same_process:
            self.assertEqual(reqs[2]["conn"], reqs[0]["conn"],
                             "session open in the same process reuses the connection\n"
                             + self.describe())
            self.assertEqual(len(self.sim.connections()), 1, "one TLS handshake")
        else:
            self.assertNotEqual(reqs[2]["conn"], reqs[0]["conn"],
                                "session open ran in another process: another connection\n"
                                + self.describe())
            self.assertEqual(reqs[3]["conn"], reqs[2]["conn"],
                             "session open: GET and refresh on one connection\n"
                             + self.describe())
        self.assertEqual(self.sim.session(sid)["refresh_count"], 2)
        self.assert_logged("Okta session established for '%s'" % user)
        self.assertEqual(self.box.module_complaints(), [],
                         "the module logged no problem\n" + self.describe())
        return sid
