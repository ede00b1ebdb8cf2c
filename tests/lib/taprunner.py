# SPDX-License-Identifier: BSD-3-Clause
"""Run the calling module's unittest tests and report TAP on stdout.

    if __name__ == "__main__":
        taprunner.main()

Output: `ok N - name`, `not ok N - name`, `ok N - name # SKIP reason`,
`not ok N - name # TODO reason` (expected failure), failure details as `# `
lines, and the plan `1..N` at the end.  Exit status 0 when nothing failed.

Skips: a skip must state a reason; with CI=true and not running as root
every skip is reported as a failure (CI must run the whole suite).
Command-line arguments select tests whose id contains any of them.
"""

import os
import signal
import sys
import time
import unittest


def _ci_forbids_skips():
    return os.environ.get("CI", "").lower() == "true" and os.geteuid() != 0


class TapResult(unittest.TestResult):
    def __init__(self, stream=None, descriptions=None, verbosity=0):
        super().__init__(stream, descriptions, verbosity)
        self.n = 0
        self.bad = 0
        self._subfail = {}
        self._t0 = {}
        self._emitted = set()

    # -- output ---------------------------------------------------------------
    def _emit(self, ok, test, directive="", detail=None):
        self._emitted.add(getattr(test, "id", lambda: str(test))())
        self.n += 1
        if not ok:
            self.bad += 1
        name = _name(test).replace("#", "\\#")
        line = "%s %d - %s" % ("ok" if ok else "not ok", self.n, name)
        if directive:
            line += " # " + directive
        sys.stdout.write(line + "\n")
        if detail:
            for l in detail.rstrip("\n").split("\n"):
                sys.stdout.write("# " + l + "\n")
        sys.stdout.flush()

    def _elapsed(self, test):
        t0 = self._t0.pop(test.id(), None)
        return "" if t0 is None else "time: %.2fs" % (time.monotonic() - t0)

    # -- unittest hooks ---------------------------------------------------------
    def startTest(self, test):
        super().startTest(test)
        self._t0[test.id()] = time.monotonic()

    def stopTest(self, test):
        # a failed subTest leaves the test without addSuccess/addFailure
        fails = self._subfail.pop(test.id(), None)
        if fails and test.id() not in self._emitted:
            self._emit(False, test, detail="\n".join(fails) + self._elapsed(test))
        super().stopTest(test)

    def addSuccess(self, test):
        super().addSuccess(test)
        fails = self._subfail.pop(test.id(), None)
        if fails:
            self._emit(False, test, detail="\n".join(fails))
        else:
            took = self._elapsed(test)
            self._emit(True, test, detail=took if os.environ.get("TAP_TIMES") else None)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err)

    def _fail(self, test, err):
        detail = self._exc_info_to_string(err, test)
        fails = self._subfail.pop(getattr(test, "id", lambda: None)(), None)
        if fails:
            detail = "\n".join(fails) + "\n" + detail
        self._emit(False, test, detail=detail + self._elapsed(test))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._subfail.setdefault(test.id(), []).append(
                "subtest %s failed:\n%s" % (subtest._subDescription(),
                                            self._exc_info_to_string(err, test)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        reason = (reason or "").strip()
        if not reason:
            self._emit(False, test, detail="skipped without a reason")
        elif _ci_forbids_skips():
            self._emit(False, test, detail="skip not allowed with CI=true when not root: "
                       + reason)
        else:
            self._emit(True, test, "SKIP " + reason.replace("\n", " "))
        self._elapsed(test)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._emit(False, test, "TODO expected failure",
                   self._exc_info_to_string(err, test))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._emit(True, test, "TODO unexpectedly passed")


def _name(test):
    if isinstance(test, unittest.TestCase):
        return "%s.%s" % (type(test).__name__, test._testMethodName)
    return str(test)   # _ErrorHolder for setUpModule/setUpClass failures


def _filter(suite, patterns):
    out = unittest.TestSuite()
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            out.addTests(_filter(t, patterns))
        elif any(p in t.id() for p in patterns):
            out.addTest(t)
    return out


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt   # unittest does not swallow this one


def main(module="__main__", argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # SIGTERM (make's or CI's timeout) exits through atexit, which stops
    # simulators and other helpers started by the tests.
    signal.signal(signal.SIGTERM, _on_sigterm)
    # The logins the tests start stand in for sshd, sudo and su, which
    # take SIGHUP's default action: an ignored SIGHUP inherited from
    # whoever started the suite (nohup, some CI runners) would turn the
    # session watch's SIGHUP into its SIGKILL 5 s later.
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    mod = sys.modules[module] if isinstance(module, str) else module
    suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
    if argv:
        suite = _filter(suite, argv)
    result = TapResult()
    try:
        suite.run(result)
    except KeyboardInterrupt:
        sys.stdout.write("Bail out! interrupted\n")
        sys.stdout.flush()
        sys.exit(130)
    if result.n == 0:
        sys.stdout.write("not ok 1 - no tests ran\n")
        result.n, result.bad = 1, 1
    sys.stdout.write("1..%d\n" % result.n)
    sys.stdout.flush()
    sys.exit(1 if result.bad else 0)
