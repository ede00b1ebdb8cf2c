# SPDX-License-Identifier: BSD-3-Clause
"""pam_okta_sessiond from a test: start, stop, restart, and talk to its socket.

    d = Daemon(conf_path, socket_path, sink)   # sink: a logcapture.LogSink
    d.start()                 # waits until the socket answers
    d.list()                  # the lines of op=list
    d.send_raw(b"...", fds=[pidfd], as_uid=None)   # a hand-made message -> reply
    d.stop()

The daemon runs in the foreground in a private mount namespace whose
/dev/log is `sink` (logcapture.run_logged), so that its syslog lines
(audit lines included) can be asserted on.  Its socket and state directory
live wherever watch_socket says: tests put them in a private root-owned
directory.
"""

import array
import os
import socket
import subprocess
import time

import logcapture
import pamharness

DAEMON = os.environ.get("PAM_OKTA_SESSIOND") or os.path.join(pamharness.BUILDDIR,
                                                               "pam_okta_sessiond")
MAGIC = b"okta-watch 1\n"


def message(**fields):
    """A protocol message from keyword fields (op first)."""
    text = MAGIC + b"op=" + fields.pop("op").encode() + b"\n"
    for k, v in fields.items():
        text += ("%s=%s\n" % (k, v)).encode()
    return text


def proc_start_time(pid):
    """Field 22 of /proc/PID/stat."""
    with open("/proc/%d/stat" % pid, "rb") as f:
        text = f.read()
    return int(text[text.rindex(b")") + 2:].split()[19])


class Daemon:
    def __init__(self, conf, socket_path, sink, mounts=(), env=None):
        self.conf, self.socket_path, self.sink = conf, socket_path, sink
        self.mounts = list(mounts)
        self.env = env   # the daemon's environment (None: the test's)
        self.preexec = None  # run in the daemon's process before exec (rlimits)
        self.proc = None
        self.stderr_path = socket_path + ".stderr"

    def command(self):
        return [DAEMON, "--config", self.conf, "--foreground"]

    def start(self, timeout=10):
        with open(self.stderr_path, "ab") as err:
            self.proc = logcapture.run_logged(self.command(), self.sink, wait=False,
                                              mounts=self.mounts, die_with_parent=True,
                                              env=self.env, preexec_fn=self.preexec,
                                              stdin=subprocess.DEVNULL,
                                              stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.list()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("pam_okta_sessiond did not start:\n" + self.stderr())
                time.sleep(0.05)

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self, sig=None):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            if sig is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code, self.proc = self.proc.returncode, None
        self.sink.sync()
        return code

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        s.connect(self.socket_path)
        return s

    def send_raw(self, data, fds=()):
        """Send one message (with fds by SCM_RIGHTS); returns the first reply."""
        with self.connect() as s:
            anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
            s.sendmsg([data], anc)
            return s.recv(4096).decode(errors="replace").strip()

    def list(self):
        lines = []
        with self.connect() as s:
            s.sendmsg([message(op="list")])
            while True:
                line = s.recv(4096).decode(errors="replace").strip()
                if line == "end" or line == "":
                    return lines
                lines.append(line)


def running(pid):
    """Is pid running, not a zombie (an orphan's reaper may be slow)?"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False
