#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""No secret in anything the module logged during the whole integration suite.

The other integration tests (debug on) leave their evidence in
PAM_OKTA_SECRETS_DIR (see tests/lib/secretlog.py): every syslog line caught
on the private /dev/log and the stderr of every driver and stress run, plus
every secret that existed: API tokens (the simulators' and every one written
into a configuration file), every session token minted, every session id a
simulator created. make runs this test after them (a dependency between
their .log files in Makefile.am).

Checked: no secret appears in any log line or stderr, and every run in which
a PAM step failed logged at least one line of its own above debug level
besides the audit line (so that the first check is not passing on silence,
and every failure is explained, not only recorded).
"""

import glob
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import taprunner  # noqa: E402

SUCCESS_CODES = ("PAM_SUCCESS", "PAM_IGNORE")
# Shorter "secrets" are the hostile session ids some tests make the
# simulator hand out ("../x", "a b"); they are not secrets and would match
# innocent text. Every real token and id is longer.
MIN_SECRET_LEN = 12
# At least this many module runs must have been captured: fewer means the
# capture is broken, and a test that saw nothing proves nothing.
MIN_RUNS = 50


def load_capture(directory):
    runs, secrets, files = [], set(), []
    for path in sorted(glob.glob(os.path.join(directory, "*.jsonl"))):
        if os.path.basename(path) == "test_secrets.jsonl":
            continue
        files.append(os.path.basename(path))
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                if entry["kind"] == "run":
                    runs.append(entry)
                elif entry["kind"] == "secrets":
                    secrets.update(s for s in entry["secrets"] if len(s) >= MIN_SECRET_LEN)
    return runs, secrets, files


def module_lines(run, above_debug=False):
    """Log lines written by pam_okta_session (pam_syslog prefixes its name).
    above_debug: only the lines that explain, above debug level and other
    than the audit line (README "Audit lines"), which every call writes."""
    lines = [line for line in run["logs"] if "pam_okta_session(" in line]
    if above_debug:   # "<PRI>...": severity is PRI & 7, LOG_DEBUG is 7
        lines = [line for line in lines if int(line[1:line.index(">")]) & 7 != 7
                 and "): audit: " not in line]
    return lines


class TestSecretsNeverLogged(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        directory = os.environ.get("PAM_OKTA_SECRETS_DIR")
        if not directory:
            raise unittest.SkipTest("PAM_OKTA_SECRETS_DIR is not set: run through make check, "
                                    "which sets it and runs the integration tests first")
        if os.geteuid() != 0:
            raise unittest.SkipTest("the integration tests that feed this one need root")
        cls.runs, cls.secrets, cls.files = load_capture(directory)

    def test_capture_is_complete(self):
        self.assertIn("test_module.jsonl", self.files)
        self.assertGreaterEqual(len(self.runs), MIN_RUNS, "captured runs: %d" % len(self.runs))
        logged = sum(len(module_lines(r)) for r in self.runs)
        self.assertGreaterEqual(logged, len(self.runs), "the module logged almost nothing: "
                                "is the /dev/log capture broken?")
        self.assertGreaterEqual(len(self.secrets), len(self.runs) // 2)
        print("# %d runs from %s, %d module log lines, %d secrets checked"
              % (len(self.runs), ", ".join(self.files), logged, len(self.secrets)))

    def test_no_secret_in_logs_or_stderr(self):
        leaks = []
        for run in self.runs:
            text = "\n".join(run["logs"]) + "\n" + run["stderr"]
            for secret in self.secrets:
                if secret in text:
                    line = next((l for l in text.split("\n") if secret in l), "")
                    leaks.append("%s: %s... in: %s" % (run["what"], secret[:4],
                                                       line.replace(secret, "<SECRET>")[:300]))
        self.assertEqual(leaks, [], "%d secrets in logs:\n%s" % (len(leaks), "\n".join(leaks[:20])))

    def test_every_failure_logged(self):
        silent, failures = [], 0
        for run in self.runs:
            failed = [(step, code) for step, code in run["steps"] if code not in SUCCESS_CODES]
            if not failed:
                continue
            failures += 1
            if not module_lines(run, above_debug=True):
                silent.append("%s: %s failed without a log line above debug; logged: %s"
                              % (run["what"], failed, module_lines(run)[:5]))
        print("# %d runs with a failed step, each logged" % failures)
        self.assertGreater(failures, 0, "no failing run captured")
        self.assertEqual(silent, [], "\n".join(silent[:20]))

    def test_one_audit_line_per_authentication(self):
        """Every pam_authenticate of every captured run, whatever its
        outcome, wrote exactly one auth audit line (README "Audit lines"),
        at LOG_INFO for a success and LOG_NOTICE otherwise."""
        wrong, checked = [], 0
        for run in self.runs:
            auths = [code for step, code in run["steps"] if step == "auth"]
            if not auths or not module_lines(run):
                continue   # not a module run (another module's stack, the check tool)
            checked += len(auths)
            audits = [line for line in module_lines(run) if "): audit: event=auth " in line]
            severities = [int(line[1:line.index(">")]) & 7 for line in audits]
            expected = [6 if code == "PAM_SUCCESS" else 5 for code in auths]
            if severities != expected:
                wrong.append("%s: steps %s, audit lines %s" % (run["what"], auths, audits[:3]))
        print("# %d authentications, each with one audit line" % checked)
        self.assertGreater(checked, 0)
        self.assertEqual(wrong, [], "\n".join(wrong[:20]))


if __name__ == "__main__":
    taprunner.main()
