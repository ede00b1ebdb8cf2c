#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""What a login leaves in the host process, in both modes (sign_in = token
and sign_in = password with a push), through real libpam:

- no descriptor a child inherits: after every PAM step (and after pam_end)
  the driver forks and execs itself, as an application that drops privileges
  and starts a program would, and the child lists what it inherited: the TLS
  connection to Okta and libcurl's own descriptors must not be among them
  (SECURITY.md T5);
- no secret in memory after pam_end: the driver dumps every private
  writable mapping of its process (heap, anonymous mappings, the libraries'
  data; not the main stack) and no copy of the password, the session token,
  the API token or the session id may be in it (SECURITY.md T7).

Run: python3 tests/integration/test_leftovers.py [name-substring...]   (as root)
Env: as tests/lib/moduletest.py.
"""

import ctypes
import json
import os
import socket
import ssl
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)

import pamharness as ph  # noqa: E402
import taprunner  # noqa: E402
import test_signin as ts  # noqa: E402  (its SignInTestCase, on moduletest's simulator)
from moduletest import setUpModule, sim, tearDownModule  # noqa: E402,F401

STEPS = "auth,open,close"
# What a child must not get: the connection to Okta, libcurl's socketpair
# or eventfd, any pipe. (Regular files are not the module's: it opens none
# that outlive a call.)
KINDS = ("socket:", "pipe:", "anon_inode:")


class Leftovers(ts.SignInTestCase):
    def defaults(self):
        keys = super().defaults()
        keys.update(revoke_on_close="yes")   # close revokes: one more request, the id again
        return keys

    def token_login(self, **kw):
        """sign_in = token: auth, open, close in one process."""
        self.write_conf(sign_in=None)
        minted = sim().mint_full(ts.LOGIN)
        r = self.run_pam(minted["sessionToken"], steps=STEPS, **kw)
        secrets = {"session token": minted["sessionToken"]}
        return r, secrets

    def password_login(self, **kw):
        """sign_in = password with an approved push: auth, open, close."""
        self.user([ts.PUSH])
        r = self.sign_in("", steps=STEPS, **kw)
        create = next(q for q in sim().requests() if q.get("route") == "create")
        verify = next(q for q in sim().requests() if q.get("route") == "authn_verify")
        secrets = {"password": self.password,
                   "session token": json.loads(create["body"])["sessionToken"],
                   "state token": json.loads(verify["body"])["stateToken"]}
        return r, secrets

    def check_steps(self, r):
        self.assertEqual([(s, c) for s, c, _ in r.step_list],
                         [(s, "PAM_SUCCESS") for s in STEPS.split(",")], r.describe())


class TestNoDescriptorInherited(Leftovers):
    def check(self, r):
        self.check_steps(r)
        whens = {when for when, _, _ in r.inherited}
        leaked = [i for i in r.inherited if i[2].startswith(KINDS) or i[1] < 0]
        self.assertEqual(leaked, [], "inherited by a child:\n%s\n%s"
                         % ("\n".join(map(str, leaked)), r.describe()))
        # The check ran at all: after each step a child ran and listed.
        self.assertEqual(r.stdout.count("inherited "), len(r.inherited))
        self.assertLessEqual(whens, set(STEPS.split(",")) | {"end"})

    def test_token_mode(self):
        r, _ = self.token_login(exec_check=True)
        self.check(r)

    def test_password_mode(self):
        r, _ = self.password_login(exec_check=True)
        self.check(r)


# The answers a login reads (create, refresh, and on open a getSession and
# a refresh) each leave at most one copy in the TLS library's read buffer.
TLS_READ_BUFFER_COPIES_MAX = 4


def tls_library():
    """The TLS library the module's libcurl uses, as libcurl names it
    ("OpenSSL/3.0.19", "OpenSSL/1.1.1w", "GnuTLS/3.7.9")."""
    libcurl = ctypes.CDLL("libcurl.so.4")
    libcurl.curl_version.restype = ctypes.c_char_p
    words = libcurl.curl_version().decode().split()
    return next((w for w in words if w.split("/")[0] in ("OpenSSL", "GnuTLS")), "unknown")


def tls_cleanses_plaintext():
    return tls_library().startswith("OpenSSL/3.")


class TestNoSecretAfterPamEnd(Leftovers):
    def check(self, r, secrets, dump):
        self.check_steps(r)
        secrets = dict(secrets)
        secrets["API token"] = sim().api_token
        secrets["session id"] = self.created_session_id()
        with open(dump, "rb") as f:
            memory = f.read()
        # The dump is real: it holds what the driver still has (its own
        # service name) and is the size of a process's heap.
        self.assertIn(ts.tm.SERVICE.encode(), memory)
        self.assertGreater(len(memory), 64 * 1024)
        counts = {name: memory.count(value.encode()) for name, value in secrets.items()}
        print("# copies after pam_end: %s (%d KiB searched)"
              % (", ".join("%s %d" % kv for kv in sorted(counts.items())), len(memory) // 1024))
        if not tls_cleanses_plaintext():
            # SECURITY.md, Secrets: only OpenSSL 3 wipes the records it
            # decrypted (SSL_OP_CLEANSE_PLAINTEXT); with OpenSSL 1.1 (Debian
            # 11, RHEL 8) or GnuTLS the last answers stay in the TLS
            # library's freed read buffer, and of the secrets only the
            # session id comes in an answer. Everything else must be gone.
            print("# %s: the session id may stay in its read buffer" % tls_library())
            self.assertLessEqual(counts.pop("session id"), TLS_READ_BUFFER_COPIES_MAX)
        self.assertEqual({k: v for k, v in counts.items() if v}, {}, r.describe())

    def test_token_mode(self):
        dump = os.path.join(self.tmp, "memory")
        r, secrets = self.token_login(dump_memory=dump)
        self.check(r, secrets, dump)

    def test_password_mode(self):
        dump = os.path.join(self.tmp, "memory")
        r, secrets = self.password_login(dump_memory=dump)
        self.check(r, secrets, dump)


class TestHostInitialisedLibcurl(Leftovers):
    """A host application that initialised libcurl before the module keeps
    libcurl's allocator, and libcurl's buffers are then not wiped (the
    exception SECURITY.md lists under "Secrets"): the module says so, once,
    so that the administrator knows it applies (before: nothing in the log
    told that case from the usual one)."""

    NOTICE = "the application initialised libcurl before this module"

    def test_notice_when_libcurl_was_initialised_first(self):
        shim = os.path.join(ph.BUILDDIR, "tests", ".libs", "curl_init_first.so")
        self.assertTrue(os.path.exists(shim), "make check builds " + shim)
        preload = ":".join(filter(None, [shim, os.environ.get("LD_PRELOAD")]))
        asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"),
                                      "verify_asan_link_order=0"]))
        r, _ = self.token_login(env={"LD_PRELOAD": preload, "ASAN_OPTIONS": asan})
        self.check_steps(r)
        self.assertEqual(r.describe().count(self.NOTICE), 1, r.describe())

    def test_no_notice_otherwise(self):
        r, _ = self.token_login()
        self.check_steps(r)
        self.assertNotIn(self.NOTICE, r.describe())


class TestHttp11Only(Leftovers):
    """No HTTP/2: libcurl before 8.12 gives nghttp2 the C library's
    allocator, not the wiping one, so the API token, the session id and the
    request bodies would stay in nghttp2's freed frame buffers (T7); and the
    suite, the simulator and the benchmark speak HTTP/1.1 only. A server that
    prefers h2 in ALPN, as Okta's edge may, must be offered only
    http/1.1."""

    def offered_h2(self):
        """Run one login against a TLS listener that prefers h2; returns the
        protocol ALPN settled on (None: none offered that it knows)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sim().cert_file("server"),
                            os.path.join(sim().cert_dir, "server.key"))
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(30)
        port = listener.getsockname()[1]
        chosen = []

        def serve():
            try:
                conn, _ = listener.accept()
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    chosen.append(tls.selected_alpn_protocol())
            except (OSError, ssl.SSLError) as e:
                chosen.append("error: %s" % e)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            self.write_conf(sign_in=None, org_url="https://127.0.0.1:%d" % port)
            r = self.run_pam(sim().mint_full(ts.LOGIN)["sessionToken"])
        finally:
            thread.join(30)
            listener.close()
        self.assertEqual(len(chosen), 1, r.describe())
        return chosen[0], r

    def test_no_h2_offered(self):
        chosen, r = self.offered_h2()
        self.assertEqual(chosen, "http/1.1", r.describe())


if __name__ == "__main__":
    taprunner.main()
