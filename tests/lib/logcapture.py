# SPDX-License-Identifier: BSD-3-Clause
"""Capture syslog (pam_syslog) output of a process tree without a syslog daemon.

There is no /dev/log on the test machines.  `run_logged()` starts a command
through nsrun.py in a private mount namespace (root only) whose /dev/log is a
datagram socket owned by a `LogSink`; the host's /dev is not touched.

    sink = LogSink(tmpdir)
    proc = run_logged(["sshd", "-D", ...], sink, ...)   # or subprocess options
    ...
    sink.lines()     # ["<86>Nov 25 20:31:10 pam_driver[123]: ...", ...]
    sink.messages()  # the text after "ident[pid]: "
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NSRUN = os.path.join(HERE, "nsrun.py")

# RFC 3164 style, as glibc syslog() formats it: <PRI>Mmm dd hh:mm:ss ident[pid]: msg
SYSLOG_RE = re.compile(r"^<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) ([^:\[]*)(?:\[(\d+)\])?: ?(.*)$",
                       re.S)
_SENTINEL = b"--logcapture-sentinel--"


class LogRecord:
    def __init__(self, raw):
        self.raw = raw
        m = SYSLOG_RE.match(raw)
        if m:
            pri = int(m.group(1))
            self.facility, self.severity = pri >> 3, pri & 7
            self.ident, self.pid = m.group(3), m.group(4) and int(m.group(4))
            self.message = m.group(5)
        else:
            self.facility = self.severity = self.ident = self.pid = None
            self.message = raw

    def __repr__(self):
        return "LogRecord(%r)" % self.raw


class LogSink:
    """A SOCK_DGRAM Unix socket collecting syslog datagrams in a thread."""

    def __init__(self, directory=None):
        self._own_dir = directory is None
        self.dir = directory or tempfile.mkdtemp(prefix="logsink-")
        self.path = os.path.join(self.dir, "log.sock")
        self.stage = os.path.join(self.dir, "realdev")
        os.makedirs(self.stage, exist_ok=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o666)   # sshd/sudo children may log as non-root
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        self.records = []
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._sentinels = 0
        self._thread = threading.Thread(target=self._reader, daemon=True)
        self._thread.start()

    def _reader(self):
        while True:
            try:
                data = self.sock.recv(1 << 17)
            except OSError:
                return
            with self._cond:
                if data == _SENTINEL:
                    self._sentinels += 1
                    self._cond.notify_all()
                    continue
                text = data.decode("utf-8", "backslashreplace").rstrip("\n\0")
                self.records.append(LogRecord(text))

    def sync(self, timeout=5):
        """Wait until every datagram sent so far has been collected."""
        with self._cond:
            want = self._sentinels + 1
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(_SENTINEL, self.path)
        with self._cond:
            deadline = time.monotonic() + timeout
            while self._sentinels < want:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError("log sink %s: sync timed out" % self.path)
                self._cond.wait(left)

    def lines(self):
        with self._lock:
            return [r.raw for r in self.records]

    def messages(self):
        with self._lock:
            return [r.message for r in self.records]

    def clear(self):
        with self._lock:
            self.records = []

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self._thread.join(2)
        try:
            os.unlink(self.path)
        except OSError:
            pass
        try:
            os.rmdir(self.stage)
        except OSError:
            pass
        if self._own_dir:
            try:
                os.rmdir(self.dir)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def logged_command(cmd, sink, chdir=None, mounts=(), die_with_parent=False):
    """The argv that runs `cmd` with /dev/log connected to `sink`.

    mounts: nsrun.py operations applied in order after /dev is set up:
    ("tmpfs", dir), ("mkdir", dir), ("bind", src, dst).
    die_with_parent: the command gets SIGTERM when this process dies.
    """
    argv = [sys.executable, NSRUN, "--log-socket", sink.path, "--stage", sink.stage]
    if chdir:
        argv += ["--chdir", chdir]
    if die_with_parent:
        argv += ["--die-with-parent", str(os.getpid())]
    for op in mounts:
        argv += ["--" + op[0]] + list(op[1:])
    return argv + ["--"] + list(cmd)


def run_logged(cmd, sink, wait=True, mounts=(), die_with_parent=False, **popen_kw):
    """Run `cmd` in the log namespace (with `mounts`, see logged_command()).

    wait=True: subprocess.run(**popen_kw) (pass input=, timeout=, capture_output=...),
    then sink.sync(); returns the CompletedProcess.
    wait=False: returns the Popen (call sink.sync() after it has exited).
    """
    argv = logged_command(cmd, sink, popen_kw.pop("chdir", None), mounts, die_with_parent)
    if not wait:
        return subprocess.Popen(argv, **popen_kw)
    proc = subprocess.run(argv, **popen_kw)
    sink.sync()
    return proc
