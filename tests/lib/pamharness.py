# SPDX-License-Identifier: BSD-3-Clause
"""Drive pam_okta_session.so through real libpam with the C test driver.

The driver (tests/pam_driver, env PAM_OKTA_DRIVER) runs inside a private
mount namespace whose /dev/log is a socket owned by the harness (see
logcapture.py), so tests can assert on the module's log lines.

libpam never returns PAM_IGNORE from pam_authenticate() & co: a stack whose
only module ignores the call fails with PAM_PERM_DENIED.  So the service
files written by `write_okta_service()` put each pam_okta_session line in a
*probe* stack:

    auth [success=done ignore=ignore default=die] /abs/pam_okta_session.so conf=... debug
    auth requisite pam_debug.so auth=module_unknown cred=module_unknown

A module PAM_SUCCESS returns PAM_SUCCESS, any failure code X is returned
as X, and PAM_IGNORE falls through to pam_debug.so which answers
PAM_MODULE_UNKNOWN (28) -- a code pam_okta_session never returns.
`run_driver()` translates 28 back to PAM_IGNORE in `result.steps` (the raw
driver lines stay in `result.raw_steps`).
"""

import os
import shlex
import tempfile
import time

import logcapture
import secretlog

SRCDIR = os.environ.get("PAM_OKTA_SRCDIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILDDIR = os.environ.get("PAM_OKTA_BUILDDIR") or SRCDIR

def _default_module():
    for sub in (("src", ".libs"), (".libs",)):
        path = os.path.join(BUILDDIR, *sub, "pam_okta_session.so")
        if os.path.exists(path):
            return path
    return os.path.join(BUILDDIR, "src", ".libs", "pam_okta_session.so")


MODULE = os.environ.get("PAM_OKTA_MODULE") or _default_module()
DRIVER = os.environ.get("PAM_OKTA_DRIVER") or os.path.join(BUILDDIR, "tests", "pam_driver")

PAM_CODES = {
    "PAM_SUCCESS": 0, "PAM_OPEN_ERR": 1, "PAM_SYMBOL_ERR": 2, "PAM_SERVICE_ERR": 3,
    "PAM_SYSTEM_ERR": 4, "PAM_BUF_ERR": 5, "PAM_PERM_DENIED": 6, "PAM_AUTH_ERR": 7,
    "PAM_CRED_INSUFFICIENT": 8, "PAM_AUTHINFO_UNAVAIL": 9, "PAM_USER_UNKNOWN": 10,
    "PAM_MAXTRIES": 11, "PAM_NEW_AUTHTOK_REQD": 12, "PAM_ACCT_EXPIRED": 13,
    "PAM_SESSION_ERR": 14, "PAM_CRED_UNAVAIL": 15, "PAM_CRED_EXPIRED": 16,
    "PAM_CRED_ERR": 17, "PAM_NO_MODULE_DATA": 18, "PAM_CONV_ERR": 19,
    "PAM_AUTHTOK_ERR": 20, "PAM_AUTHTOK_RECOVERY_ERR": 21, "PAM_AUTHTOK_LOCK_BUSY": 22,
    "PAM_AUTHTOK_DISABLE_AGING": 23, "PAM_TRY_AGAIN": 24, "PAM_IGNORE": 25,
    "PAM_ABORT": 26, "PAM_AUTHTOK_EXPIRED": 27, "PAM_MODULE_UNKNOWN": 28,
    "PAM_BAD_ITEM": 29, "PAM_CONV_AGAIN": 30, "PAM_INCOMPLETE": 31,
}
PAM_NAMES = {v: k for k, v in PAM_CODES.items()}
IGNORE_MARKER = PAM_CODES["PAM_MODULE_UNKNOWN"]
PROBE_CONTROL = "[success=done ignore=ignore default=die]"
PROBE_ARGS = {
    "auth": "auth=module_unknown cred=module_unknown",
    "account": "acct=module_unknown",
    "session": "open_session=module_unknown close_session=module_unknown",
    "password": "prechauthtok=module_unknown chauthtok=module_unknown",
}

# Environment passed through to the driver (everything else is dropped so the
# developer's *_proxy etc. cannot leak in).  Add per call with env=.
PASS_ENV = ("PATH", "LD_LIBRARY_PATH", "LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS",
            "LSAN_OPTIONS", "MSAN_OPTIONS", "TSAN_OPTIONS", "VALGRIND_OPTS")


# What AddressSanitizer, LeakSanitizer, UBSan and ThreadSanitizer print when
# they find something.  A test run against a sanitizer build must fail on
# any of them, whatever the exit status says.
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "WARNING: ThreadSanitizer", "ERROR: ThreadSanitizer")


class SanitizerReport(AssertionError):
    pass


def check_sanitizer_report(stderr, what):
    """Raise SanitizerReport if `stderr` (text) holds a sanitizer report."""
    for marker in SANITIZER_MARKERS:
        if marker in stderr:
            raise SanitizerReport("%s: sanitizer report (%r) on stderr:\n%s"
                                  % (what, marker, stderr[-12000:]))


# -- files ---------------------------------------------------------------------
def write_secure_file(path, text, mode=0o600, uid=0, gid=0):
    """Write `text` to `path`, then chown/chmod (the module insists on root:0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chown(path, uid, gid)
    os.chmod(path, mode)
    return path


def write_conf(path, _mode=0o600, _uid=0, _gid=0, _extra_lines=(), **keys):
    """Write a pam_okta_session config file: one `key = value` line per key.

    Keys whose value is None are left out; `_extra_lines` are appended
    verbatim (for duplicate or malformed lines).
    """
    secretlog.record_secrets("write_conf", [keys.get("api_token")])
    lines = ["%s = %s" % (k, v) for k, v in keys.items() if v is not None]
    lines += list(_extra_lines)
    return write_secure_file(path, "".join(l + "\n" for l in lines), _mode, _uid, _gid)


def write_service(confdir, name, lines):
    """Write PAM service file `confdir/name`.  lines: strings or tuples
    (type, control, module, args...)."""
    os.makedirs(confdir, exist_ok=True)
    text = ""
    for line in lines:
        if not isinstance(line, str):
            line = " ".join(str(x) for x in line if x)
        text += line + "\n"
    path = os.path.join(confdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def okta_line(pam_type, conf, module=MODULE, debug=True, args=()):
    """The probe lines for pam_okta_session in stack `pam_type` (see module doc)."""
    modargs = ["conf=" + conf] + (["debug"] if debug else []) + list(args)
    return [" ".join([pam_type, PROBE_CONTROL, module] + modargs),
            "%s requisite pam_debug.so %s" % (pam_type, PROBE_ARGS[pam_type])]


def write_okta_service(confdir, name, conf, types=("auth", "session"), module=MODULE,
                       debug=True, args=()):
    """Service file using pam_okta_session for `types`; pam_permit.so for the rest."""
    lines = []
    for t in ("auth", "account", "session"):
        if t in types:
            lines += okta_line(t, conf, module, debug, args)
        else:
            lines.append("%s required pam_permit.so" % t)
    return write_service(confdir, name, lines)


# -- the driver -----------------------------------------------------------------
class DriverResult:
    """Parsed output of one pam_driver run.

    steps:     {step: code name} (PAM_IGNORE translated, see module doc)
    codes:     {step: int}
    step_list: [(step, name, int)] in order
    env:       PAM environment at the end, {name: value}
    prompts:   [(style, text)] excluding pam_debug.so's own messages
    logs:      syslog lines (raw, with <PRI> and ident), messages: the text part
    inherited: [(after_step, fd, target)] descriptors a child exec'd after
               that step inherited (exec_check=True; "end" is after pam_end)
    """

    def __init__(self, proc, elapsed, log_records):
        self.returncode = proc.returncode
        self.stdout = proc.stdout.decode("utf-8", "backslashreplace")
        self.stderr = proc.stderr.decode("utf-8", "backslashreplace")
        self.elapsed = elapsed
        self.logs = [r.raw for r in log_records]
        self.messages = [r.message for r in log_records]
        self.log_records = log_records
        self.steps, self.codes, self.step_list, self.raw_steps = {}, {}, [], []
        self.env, self.prompts, self.raw_prompts, self.inherited = {}, [], [], []
        for line in self.stdout.split("\n"):
            kind, _, rest = line.partition(" ")
            if kind == "prompt":
                style, _, text = rest.partition(" ")
                self.raw_prompts.append((int(style), text))
                if not _is_probe_message(text):
                    self.prompts.append((int(style), text))
            elif kind == "step":
                step, name, num = rest.split(" ")
                num = int(num)
                self.raw_steps.append((step, name, num))
                name = PAM_NAMES.get(num, name)
                if num == IGNORE_MARKER:
                    name, num = "PAM_IGNORE", PAM_CODES["PAM_IGNORE"]
                self.steps[step], self.codes[step] = name, num
                self.step_list.append((step, name, num))
            elif kind == "env":
                k, _, v = rest.partition("=")
                self.env[k] = v
            elif kind == "inherited":
                when, fd, target = rest.split(" ", 2)
                self.inherited.append((when, int(fd), target))

    def okta_env(self):
        return {k: v for k, v in self.env.items() if k.startswith("OKTA_")}

    def describe(self):
        return ("driver rc=%s elapsed=%.2fs\n--- stdout\n%s--- stderr\n%s--- logs\n%s"
                % (self.returncode, self.elapsed, self.stdout, self.stderr,
                   "\n".join(self.logs)))


def _is_probe_message(text):
    return any(text.startswith(fn + "=") for fn in
               ("auth", "cred", "acct", "open_session", "close_session",
                "prechauthtok", "chauthtok"))


def driver_command(confdir, service, user, steps="auth", setenv=(), rhost=None,
                   answer_lines=False, silent=False, keep_going=False, conv_again=False,
                   exec_check=False, dump_memory=None, conv_rc=None):
    cmd = [DRIVER, "--confdir", confdir, "--service", service, "--user", user,
           "--steps", steps if isinstance(steps, str) else ",".join(steps)]
    if rhost is not None:
        cmd += ["--rhost", rhost]
    if answer_lines:
        cmd += ["--answer-lines", "yes"]
    if silent:
        cmd += ["--silent", "yes"]
    if keep_going:
        cmd += ["--keep-going", "yes"]
    if conv_again:
        cmd += ["--conv-again", "yes"]
    if exec_check:
        cmd += ["--exec-check", "yes"]
    if dump_memory is not None:
        cmd += ["--dump-memory", dump_memory]
    if conv_rc is not None:
        cmd += ["--conv-rc", str(conv_rc)]
    for item in setenv:
        cmd += ["--setenv", item]
    wrapper = os.environ.get("PAM_OKTA_WRAPPER")
    return shlex.split(wrapper) + cmd if wrapper else cmd


def run_driver(confdir, service, user, stdin=b"", steps="auth", setenv=(), env=None,
               timeout=60, mounts=(), rhost=None, answers=None, silent=False,
               keep_going=False, conv_again=False, exec_check=False, dump_memory=None,
               conv_rc=None):
    """Run the driver once, capturing its syslog output.

    stdin: bytes (or str, UTF-8 encoded) answered to every prompt.
    setenv: iterable of "NAME=VALUE" (or a dict) for --setenv.
    env: extra environment variables for the driver process.
    mounts: nsrun.py mount operations in the driver's namespace (see
    logcapture.logged_command), e.g. [("bind", my_hosts, "/etc/hosts")].
    answers: a list of strings, prompt i answered with answers[i] (instead of
    stdin to every prompt); a further prompt fails.
    keep_going: run every step, also after a failed one (steps may include
    "user=NAME": PAM_USER set on the same handle, as login(1) retries).
    conv_again: the conversation answers PAM_CONV_AGAIN.
    conv_rc: the conversation answers this code (a name of PAM_CODES' or int).
    rhost: PAM_RHOST.  silent: pam_authenticate with PAM_SILENT.
    exec_check: after every step and after pam_end a child is forked and
    exec'd; what it inherited is in result.inherited.
    dump_memory: a file the driver writes its writable memory to after
    pam_end (see tests/pam_driver.c).
    """
    if answers is not None:
        stdin = "".join(a + "\n" for a in answers)
    if isinstance(stdin, str):
        stdin = stdin.encode("utf-8")
    if isinstance(setenv, dict):
        setenv = ["%s=%s" % kv for kv in setenv.items()]
    penv = {k: os.environ[k] for k in PASS_ENV if k in os.environ}
    penv.setdefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    penv.update(env or {})
    with tempfile.TemporaryDirectory(prefix="pamdrv-") as tmp, logcapture.LogSink(tmp) as sink:
        start = time.monotonic()
        proc = logcapture.run_logged(driver_command(confdir, service, user, steps, setenv,
                                                    rhost, answers is not None, silent,
                                                    keep_going, conv_again, exec_check,
                                                    dump_memory,
                                                    PAM_CODES.get(conv_rc, conv_rc)),
                                     sink, input=stdin, capture_output=True, env=penv,
                                     timeout=timeout, mounts=mounts)
        elapsed = time.monotonic() - start
        with sink._lock:
            records = list(sink.records)
    result = DriverResult(proc, elapsed, records)
    secretlog.record_run("pam_driver --user %s --steps %s" % (user, steps), result.logs,
                         result.stderr, [(step, name) for step, name, _ in result.step_list])
    check_sanitizer_report(result.stderr, "pam_driver")
    return result
