#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Integration tests: the system trust store as a hashed CA directory
(`ca_dir`, and the system's /etc/ssl/certs when neither ca_file nor ca_dir
is set), through real libpam against the simulator.

- a directory holding (by subject hash) the CA that signed the simulator's
  certificate verifies it; one holding only another CA, or only a bundle
  file without hash-named entries, is refused (PAM_AUTHINFO_UNAVAIL, no
  request passes the handshake): the directory alone is the trust store;
- the directory gets ca_file's rules: root-owned, not group- or
  world-writable (sticky or not: whoever writes it can add a CA), not a
  symbolic link, every directory above it root-only; a refusal is
  PAM_SERVICE_ERR naming the path and the reason, and nothing is sent;
- SSL_CERT_FILE / SSL_CERT_DIR change nothing;
- with neither key, /etc/ssl/certs (bind-mounted in a mount namespace) is
  the store, checked the same way.

Run: python3 tests/integration/test_ca_dir.py [name-substring...]   (as root)
"""

import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import pamharness as ph  # noqa: E402
import taprunner  # noqa: E402
import test_files as tf  # noqa: E402
from moduletest import setUpModule, tearDownModule, sim  # noqa: E402,F401  (one simulator)
from moduletest import BadCertificateServers  # noqa: E402

SERVICE, USER, LOGIN, NOBODY = tf.SERVICE, tf.USER, tf.LOGIN, tf.NOBODY


def subject_hash(pem):
    return subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", pem], check=True,
                          capture_output=True, text=True).stdout.strip()


class CaDirTestCase(tf.FileRulesTestCase):
    def hashed_dir(self, name, ca_pem, mode=0o755, uid=0, as_link=False):
        """A directory in OpenSSL's hashed layout holding ca_pem as <hash>.0;
        as_link: as on Debian, <hash>.0 is a symbolic link to the certificate
        in a root-owned directory elsewhere."""
        path = self.mkdir(name, 0o755)
        entry = os.path.join(path, subject_hash(ca_pem) + ".0")
        if as_link:
            store = self.mkdir(name + "-share", 0o755)
            target = os.path.join(store, "okta-ca.crt")
            shutil.copyfile(ca_pem, target)
            os.chmod(target, 0o644)
            os.symlink(target, entry)
        else:
            shutil.copyfile(ca_pem, entry)
            os.chmod(entry, 0o644)
        os.chown(path, uid, 0)
        os.chmod(path, mode)
        return path

    def conf_with_dir(self, ca_dir, **overrides):
        return self.write_conf(self.secure, ca_file=None, ca_dir=ca_dir, **overrides)

    def run_auth(self, conf, env=None, mounts=()):
        ph.write_okta_service(self.confdir, SERVICE, conf)
        r = ph.run_driver(self.confdir, SERVICE, USER, stdin=sim().mint(LOGIN), steps="auth",
                          env=env, mounts=mounts)
        self.assertEqual(r.returncode, 0, r.describe())
        return r

    def assert_certificate_refused(self, r):
        self.assertEqual(r.steps.get("auth"), "PAM_AUTHINFO_UNAVAIL", r.describe())
        self.assertEqual(sim().requests(), [], "no request may pass the handshake\n" + r.describe())
        self.assertTrue(any("curl error 60" in m for m in r.messages), r.describe())


class TestVerification(CaDirTestCase):
    def test_genuine_ca_accepted(self):
        self.assert_accepted(self.conf_with_dir(self.hashed_dir("certs", sim().ca_file)))

    def test_hash_link_to_root_owned_file_accepted(self):
        # Debian's layout: /etc/ssl/certs/<hash>.0 -> ... -> /usr/share/ca-certificates/...
        self.assert_accepted(self.conf_with_dir(self.hashed_dir("certs", sim().ca_file,
                                                                as_link=True)))

    def test_unknown_ca_refused(self):
        # the directory holds a CA, but not the one that signed the server
        r = self.run_auth(self.conf_with_dir(self.hashed_dir("certs", sim().other_ca_file)))
        self.assert_certificate_refused(r)

    def test_bundle_file_in_dir_not_used(self):
        # only the hash-named entries count: a bundle lying in the directory
        # (as ca-certificates.crt does in /etc/ssl/certs) is not read
        path = self.mkdir("certs", 0o755)
        shutil.copyfile(sim().ca_file, os.path.join(path, "ca-certificates.crt"))
        r = self.run_auth(self.conf_with_dir(path))
        self.assert_certificate_refused(r)

    def test_ssl_cert_env_changes_nothing(self):
        # the environment names the genuine CA; ca_dir holds another one
        good = self.hashed_dir("good", sim().ca_file)
        r = self.run_auth(self.conf_with_dir(self.hashed_dir("certs", sim().other_ca_file)),
                          env={"SSL_CERT_FILE": sim().ca_file, "SSL_CERT_DIR": good})
        self.assert_certificate_refused(r)


class TestServerCertificates(BadCertificateServers, CaDirTestCase):
    """The directory replaces only where the CAs come from: with CAPATH alone
    libcurl still checks the host name, OpenSSL the expiry and the whole
    chain (security review: the network attacker against ca_dir)."""

    def assert_refused_by(self, cert, *reasons):
        bad = self.bad[cert]
        bad.reset()
        conf = self.conf_with_dir(self.hashed_dir("certs", bad.ca_file),
                                  org_url=bad.org_url, api_token=bad.api_token)
        ph.write_okta_service(self.confdir, SERVICE, conf)
        r = ph.run_driver(self.confdir, SERVICE, USER, stdin=bad.mint(LOGIN), steps="auth")
        self.assertEqual(r.steps.get("auth"), "PAM_AUTHINFO_UNAVAIL", r.describe())
        self.assertEqual(bad.requests(), [], "no request may pass the handshake\n" + r.describe())
        # CURLE_PEER_FAILED_VERIFICATION: 60; before libcurl 7.62 a host
        # name mismatch was 51 (RHEL 8's 7.61.1).
        self.assertTrue(any(re.search(r"\(curl error (60|51)\)", m)
                            and all(x in m for x in reasons) for m in r.messages),
                        r.describe())

    def test_expired_certificate(self):
        self.assert_refused_by("expired", "certificate has expired")

    def test_certificate_for_another_host(self):
        self.assert_refused_by("wronghost", "no alternative certificate subject name matches")

    def test_self_signed_certificate(self):
        # OpenSSL 1.1.1 says "self signed certificate", 3.x "self-signed".
        self.assert_refused_by("selfsigned", "self", "signed certificate")


class TestEntries(CaDirTestCase):
    def test_entry_target_not_checked_per_login(self):
        # Standing review finding C1 (SECURITY.md): the module checks the
        # directory, not where each hash link leads (OpenSSL opens the
        # entries by path during the handshake; checking all of them per
        # login would cost what the hashed directory saves). Here the CA sits
        # in a group-writable directory: whoever is in that group could
        # replace it with their own CA of the same subject. The module
        # accepts; pam_okta_session_check fails it
        # (test_check_tool.py test_ca_dir_entry_others_could_replace). If
        # this test fails, the module now checks entries: update SECURITY.md.
        path = self.mkdir("certs", 0o755)
        local = self.mkdir("local-cas", 0o2775)
        target = os.path.join(local, "corp.crt")
        shutil.copyfile(sim().ca_file, target)
        os.chmod(target, 0o644)
        os.symlink(target, os.path.join(path, subject_hash(sim().ca_file) + ".0"))
        self.assert_accepted(self.conf_with_dir(path))


class TestDirectoryRules(CaDirTestCase):
    def test_group_writable_refused(self):
        path = self.hashed_dir("certs", sim().ca_file, mode=0o775)
        self.assert_refused(self.conf_with_dir(path), path, "group or others add a CA")

    def test_world_writable_sticky_refused(self):
        # unlike /tmp above a file: here the directory's entries are the CAs
        path = self.hashed_dir("certs", sim().ca_file, mode=0o1777)
        self.assert_refused(self.conf_with_dir(path), path, "group or others add a CA")

    def test_owned_by_user_refused(self):
        path = self.hashed_dir("certs", sim().ca_file, uid=NOBODY)
        self.assert_refused(self.conf_with_dir(path), path, "must be owned by root")

    def test_in_user_writable_parent_refused(self):
        parent = self.mkdir("userdir", 0o755, uid=NOBODY)
        path = os.path.join(parent, "certs")
        os.mkdir(path, 0o755)
        shutil.copyfile(sim().ca_file, os.path.join(path, subject_hash(sim().ca_file) + ".0"))
        self.assert_refused(self.conf_with_dir(path), path, parent, "not owned by root")

    def test_symlink_refused(self):
        real = self.hashed_dir("certs", sim().ca_file)
        link = os.path.join(self.tmp, "certs-link")
        os.symlink(real, link)
        self.assert_refused(self.conf_with_dir(link), link, "symbolic link")

    def test_missing_refused(self):
        path = os.path.join(self.tmp, "nowhere")
        self.assert_refused(self.conf_with_dir(path), path, "No such file")

    def test_with_ca_file_refused(self):
        path = self.hashed_dir("certs", sim().ca_file)
        conf = self.write_conf(self.secure, ca_dir=path)   # ca_file stays set
        self.assert_refused(conf, "ca_file or ca_dir, not both")


class TestSystemDirectory(CaDirTestCase):
    """Neither ca_file nor ca_dir: /etc/ssl/certs (the driver runs in a mount
    namespace where it is our directory; this Debian host has no
    /etc/pki/ca-trust, which would come first)."""

    def run_system(self, certs):
        return self.run_auth(self.write_conf(self.secure, ca_file=None),
                             mounts=[("bind", certs, "/etc/ssl/certs")])

    def test_system_dir_genuine_ca(self):
        self.assertFalse(os.path.exists("/etc/pki/ca-trust/extracted/pem/directory-hash"))
        r = self.run_system(self.hashed_dir("certs", sim().ca_file, as_link=True))
        self.assertEqual(r.steps.get("auth"), "PAM_SUCCESS", r.describe())

    def test_system_dir_unknown_ca(self):
        r = self.run_system(self.hashed_dir("certs", sim().other_ca_file))
        self.assert_certificate_refused(r)

    def test_system_dir_insecure(self):
        r = self.run_system(self.hashed_dir("certs", sim().ca_file, mode=0o777))
        self.assertEqual(r.steps.get("auth"), "PAM_SERVICE_ERR", r.describe())
        self.assertTrue(any("/etc/ssl/certs" in m and "group or others add a CA" in m
                            for m in r.messages), r.describe())
        self.assertEqual(sim().connections(), [], r.describe())

    def test_real_system_dir_refuses_simulator(self):
        # the host's own /etc/ssl/certs: public CAs only, the simulator's
        # private CA is not among them
        r = self.run_auth(self.write_conf(self.secure, ca_file=None))
        self.assert_certificate_refused(r)


if __name__ == "__main__":
    taprunner.main()
