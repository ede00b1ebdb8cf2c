#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Integration tests: the files the module trusts (configuration, api_token_file,
ca_file), through real libpam against the simulator.

Each of them is opened without following a symbolic link, in directories that
only root can change (a writable directory with the sticky bit, like /tmp,
is accepted), and must be root-owned and not writable by others. A refusal is
PAM_SERVICE_ERR with a log line naming the path and the reason, and no
request reaches Okta.

Run: python3 tests/integration/test_files.py [name-substring...]   (as root)
"""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import pamharness as ph  # noqa: E402
import taprunner  # noqa: E402
import moduletest as mt  # noqa: E402
from moduletest import LOGIN, SERVICE, USER, sim  # noqa: E402
from moduletest import setUpModule, tearDownModule  # noqa: E402,F401  (one simulator)

NOBODY = 65534


class FileRulesTestCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        sim().reset()
        self.tmp = tempfile.mkdtemp(prefix="okta-files-")
        os.chmod(self.tmp, 0o755)
        self.confdir = os.path.join(self.tmp, "pam.d")
        self.secure = self.mkdir("secure", 0o755)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def mkdir(self, name, mode, uid=0):
        path = os.path.join(self.tmp, name)
        os.mkdir(path)
        os.chown(path, uid, 0)
        os.chmod(path, mode)   # after mkdir: the umask does not apply
        return path

    def copy_ca(self, directory, mode=0o644, uid=0):
        path = os.path.join(directory, "ca.pem")
        shutil.copyfile(sim().ca_file, path)
        os.chown(path, uid, 0)
        os.chmod(path, mode)
        return path

    def write_token(self, directory, mode=0o600, uid=0):
        return ph.write_secure_file(os.path.join(directory, "okta.token"),
                                    sim().api_token + "\n", mode, uid)

    def write_conf(self, directory, mode=0o600, uid=0, **overrides):
        keys = mt.conf_defaults()
        keys.update(overrides)
        return ph.write_conf(os.path.join(directory, "okta.conf"), mode, uid, **keys)

    def login(self, conf):
        ph.write_okta_service(self.confdir, SERVICE, conf)
        r = ph.run_driver(self.confdir, SERVICE, USER, stdin=sim().mint(LOGIN), steps="auth")
        self.assertEqual(r.returncode, 0, r.describe())
        return r

    def assert_accepted(self, conf):
        r = self.login(conf)
        self.assertEqual(r.steps.get("auth"), "PAM_SUCCESS", r.describe())
        return r

    def assert_refused(self, conf, *needles):
        """PAM_SERVICE_ERR, a configuration error naming every needle (the
        path and the reason), and no request sent."""
        r = self.login(conf)
        self.assertEqual(r.steps.get("auth"), "PAM_SERVICE_ERR", r.describe())
        self.assertTrue(any("configuration error" in m and all(n in m for n in needles)
                            for m in r.messages),
                        "no configuration error naming %r\n%s" % (needles, r.describe()))
        self.assertEqual(sim().requests(), [], "no request may be sent\n" + r.describe())
        self.assertEqual(sim().connections(), [], "no connection may be made\n" + r.describe())
        return r


class TestSymbolicLinks(FileRulesTestCase):
    """A symbolic link is never followed, whoever owns it and wherever it points."""

    def test_config_file_symlink(self):
        real = self.write_conf(self.secure)
        self.assert_accepted(real)
        sim().reset()
        link = os.path.join(self.secure, "link.conf")
        os.symlink(real, link)
        self.assert_refused(link, link, "symbolic link")

    def test_token_file_symlink(self):
        real = self.write_token(self.secure)
        self.assert_accepted(self.write_conf(self.secure, api_token=None, api_token_file=real))
        sim().reset()
        link = os.path.join(self.secure, "link.token")
        os.symlink(real, link)
        conf = self.write_conf(self.secure, api_token=None, api_token_file=link)
        self.assert_refused(conf, link, "symbolic link")

    def test_ca_file_symlink(self):
        real = self.copy_ca(self.secure)
        self.assert_accepted(self.write_conf(self.secure, ca_file=real))
        sim().reset()
        link = os.path.join(self.secure, "link.pem")
        os.symlink(real, link)
        self.assert_refused(self.write_conf(self.secure, ca_file=link), "ca_file", link,
                            "symbolic link")

    def test_symlinked_directory(self):
        self.write_conf(self.secure)
        linked = os.path.join(self.tmp, "linked")
        os.symlink(self.secure, linked)
        self.assert_refused(os.path.join(linked, "okta.conf"), linked, "symbolic link")


class TestDirectories(FileRulesTestCase):
    """Whoever can write a directory above a file can replace the file."""

    def cases(self):
        # (directory name, mode, owner uid, reason)
        return [("user-owned", 0o755, NOBODY, "is not owned by root"),
                ("world-writable", 0o777, 0, "without the sticky bit"),
                ("group-writable", 0o775, 0, "without the sticky bit")]

    def test_config_file_in_unsafe_directory(self):
        for name, mode, uid, reason in self.cases():
            with self.subTest(directory=name):
                sim().reset()
                d = self.mkdir(name, mode, uid)
                self.assert_refused(self.write_conf(d), d, reason)

    def test_token_file_in_unsafe_directory(self):
        for name, mode, uid, reason in self.cases():
            with self.subTest(directory=name):
                sim().reset()
                token = self.write_token(self.mkdir(name, mode, uid))
                conf = self.write_conf(self.secure, api_token=None, api_token_file=token)
                self.assert_refused(conf, token, reason)

    def test_ca_file_in_unsafe_directory(self):
        for name, mode, uid, reason in self.cases():
            with self.subTest(directory=name):
                sim().reset()
                ca = self.copy_ca(self.mkdir(name, mode, uid))
                self.assert_refused(self.write_conf(self.secure, ca_file=ca), "ca_file", ca,
                                    reason)

    def test_unsafe_directory_higher_up(self):
        top = self.mkdir("open", 0o777)
        inner = os.path.join(top, "inner")
        os.mkdir(inner, 0o755)
        self.assert_refused(self.write_conf(inner), inner, top, "without the sticky bit")

    def test_sticky_world_writable_directory_accepted(self):
        # like /tmp: others may create entries but not replace root's
        sticky = self.mkdir("sticky", 0o1777)
        token = self.write_token(sticky)
        ca = self.copy_ca(sticky)
        conf = self.write_conf(sticky, api_token=None, api_token_file=token, ca_file=ca)
        self.assert_accepted(conf)


class TestCaFileOwnership(FileRulesTestCase):
    """ca_file gets the configuration file's owner rule and may be world-readable,
    but no one but root may write it: whoever adds a CA forges Okta."""

    def test_writable_by_others(self):
        for mode in (0o666, 0o664, 0o646, 0o620):
            with self.subTest(mode=oct(mode)):
                sim().reset()
                ca = self.copy_ca(self.secure, mode=mode)
                self.assert_refused(self.write_conf(self.secure, ca_file=ca), "ca_file", ca,
                                    "mode %04o" % mode, "must not be group- or world-writable")
                os.unlink(ca)

    def test_owned_by_a_user(self):
        ca = self.copy_ca(self.secure, uid=NOBODY)
        self.assert_refused(self.write_conf(self.secure, ca_file=ca), "ca_file", ca,
                            "owned by uid %d" % NOBODY)

    def test_readable_by_all_accepted(self):
        ca = self.copy_ca(self.secure, mode=0o444)
        self.assert_accepted(self.write_conf(self.secure, ca_file=ca))


if __name__ == "__main__":
    taprunner.main()
