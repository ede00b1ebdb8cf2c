# SPDX-License-Identifier: BSD-3-Clause
"""Test-side wrapper around tests/sim/okta_sim.py (the Okta simulator).

    with Simulator() as sim:
        token = sim.mint("alice@example.com")
        sim.fault("create", "status", status=500, count=1)
        ... sim.requests() ...

Talks to the simulator's control port with http.client only (never urllib:
it would honour *_proxy environment variables).
"""

import atexit
import http.client
import json
import os
import secrets
import shutil
import socket
import ssl
import string
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings

import secretlog

sys.path.insert(0, os.path.join(
    os.environ.get("PAM_OKTA_SRCDIR") or os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "tests", "sim"))
import okta_sim  # noqa: E402  (for its TOTP: tests compute the codes it accepts)

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("PAM_OKTA_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
SIM_DIR = os.path.join(SRCDIR, "tests", "sim")
SIM_SCRIPT = os.path.join(SIM_DIR, "okta_sim.py")
GEN_CERTS = os.path.join(SIM_DIR, "gen_certs.sh")


def make_certs(directory):
    """Create the TLS test material in `directory` (see gen_certs.sh)."""
    subprocess.run(["sh", GEN_CERTS, directory], check=True,
                   stdout=subprocess.DEVNULL)
    return directory


def closed_port():
    """A 127.0.0.1 TCP port nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def random_api_token():
    chars = string.ascii_letters + string.digits
    return "00" + "".join(secrets.choice(chars) for _ in range(40))


class SimError(Exception):
    pass


_RUNNING = set()


@atexit.register
def _stop_all():
    for sim in list(_RUNNING):
        sim.stop()


class Simulator:
    """Starts okta_sim.py in a temporary directory with fresh certificates.

    cert: which leaf the HTTPS server presents (server, expired, wronghost,
    selfsigned: see gen_certs.sh). tls_max: "1.0" or "1.1" for a server that
    speaks only that old TLS version. bind: the HTTPS listener's address
    (default 127.0.0.1; "::1" listens on IPv6 only, and org_url is then
    https://[::1]:port).
    """

    def __init__(self, cert="server", idle_lifetime=None, lifetime=900,
                 api_token=None, verbose=False, tls_max=None, bind=None, rate_limit=None):
        self.cert = cert
        self.bind = bind
        self.tls_max = tls_max
        self.idle_lifetime = idle_lifetime
        self.rate_limit = rate_limit
        self.lifetime = lifetime
        self.api_token = api_token or random_api_token()
        self.verbose = verbose
        self.dir = None
        self.proc = None
        self.https_port = self.control_port = None

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="okta-sim-")
        self.cert_dir = make_certs(os.path.join(self.dir, "certs"))
        state = os.path.join(self.dir, "state.json")
        cmd = [sys.executable, SIM_SCRIPT,
               "--cert", os.path.join(self.cert_dir, self.cert + ".pem"),
               "--key", os.path.join(self.cert_dir, self.cert + ".key"),
               "--api-token", self.api_token, "--state-file", state,
               "--lifetime", str(self.lifetime), "--exit-with-parent"]
        if self.idle_lifetime is not None:
            cmd += ["--idle-lifetime", str(self.idle_lifetime)]
        if self.rate_limit is not None:
            cmd += ["--rate-limit", str(self.rate_limit)]
        if self.verbose:
            cmd.append("--verbose")
        if self.tls_max:
            cmd += ["--tls-max", self.tls_max]
        if self.bind:
            cmd += ["--bind", self.bind]
        self.stderr_path = os.path.join(self.dir, "sim.stderr")
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err)
        _RUNNING.add(self)
        deadline = time.monotonic() + 10
        while not os.path.exists(state):
            if self.proc.poll() is not None:
                raise SimError("simulator exited early (%s): %s"
                               % (self.proc.returncode, self.stderr_text()))
            if time.monotonic() > deadline:
                self.stop()
                raise SimError("simulator did not start within 10 s")
            time.sleep(0.02)
        with open(state) as f:
            st = json.load(f)
        self.https_port = st["https_port"]
        self.control_port = st["control_port"]
        self.pid = st["pid"]
        secretlog.record_secrets("simulator api token", [self.api_token])

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            if secretlog.enabled():
                try:
                    secretlog.record_secrets("simulator sessions and tokens",
                                             self._call("GET", "/secrets")[1])
                except (OSError, SimError, http.client.HTTPException, ValueError):
                    pass
            try:
                self._call("POST", "/shutdown")
            except (OSError, SimError, http.client.HTTPException):
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        self.proc = None
        _RUNNING.discard(self)
        if self.dir and not os.environ.get("PAM_OKTA_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def stderr_text(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # -- properties ----------------------------------------------------------
    @property
    def org_url(self):
        host = self.bind or "127.0.0.1"
        return "https://%s:%d" % ("[%s]" % host if ":" in host else host, self.https_port)

    @property
    def ca_file(self):
        return os.path.join(self.cert_dir, "ca.pem")

    @property
    def other_ca_file(self):
        return os.path.join(self.cert_dir, "other-ca.pem")

    def cert_file(self, name):
        return os.path.join(self.cert_dir, name + ".pem")

    def negotiate_tls(self, oldest="1.2"):
        """Handshake with a Python client that allows TLS `oldest` (1.0, 1.1
        or 1.2) and newer; returns the version agreed ("TLSv1", ...), or
        raises ssl.SSLError."""
        ctx = ssl.create_default_context(cafile=self.ca_file)
        if oldest != "1.2":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                ctx.minimum_version = {"1.0": ssl.TLSVersion.TLSv1,
                                       "1.1": ssl.TLSVersion.TLSv1_1}[oldest]
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")   # OpenSSL 3: old TLS needs level 0
        with socket.create_connection(("127.0.0.1", self.https_port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                return tls.version()

    # -- control API -----------------------------------------------------------
    def _call(self, method, path, body=None, ok=(200,)):
        conn = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=30)
        try:
            data = None if body is None else json.dumps(body).encode()
            hdrs = {"Content-Type": "application/json"} if data is not None else {}
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        obj = json.loads(raw.decode()) if raw else None
        if resp.status not in ok:
            raise SimError("%s %s -> %d %s" % (method, path, resp.status, raw[:200]))
        return resp.status, obj

    def mint_full(self, login, ttl=None, session=None, token=None, **extra):
        """Returns the control API answer {"sessionToken", "userId"}."""
        spec = dict(extra, login=login)
        if ttl is not None:
            spec["ttl"] = ttl
        if session is not None:
            spec["session"] = session
        if token is not None:
            spec["token"] = token
        minted = self._call("POST", "/tokens", spec)[1]
        secretlog.record_secrets("mint", [minted["sessionToken"]])
        return minted

    def mint_bulk(self, specs):
        """Mint many tokens in one control call (specs: dicts as for /tokens);
        returns [{"sessionToken", "userId"}] in the same order."""
        minted = self._call("POST", "/tokens/bulk", list(specs))[1]
        secretlog.record_secrets("mint_bulk", [m["sessionToken"] for m in minted])
        return minted

    def mint(self, login, **kw):
        """Mint a session token for `login`; returns the token string."""
        return self.mint_full(login, **kw)["sessionToken"]

    def add_user(self, login, groups=(), **extra):
        """Register an Okta user with group memberships (names or
        {"name","id"?,"type"?}); extra: link_base, next_link. Returns
        {"userId", "groups": [{"id","name"}]}."""
        spec = dict(extra, login=login, groups=list(groups))
        return self._call("POST", "/users", spec)[1]

    # -- Authentication API (sign_in = password) -------------------------------
    def add_authn_user(self, login, password, factors=(), state=None, links=None):
        """Register a user of the authn state machine (see tests/sim/README.md):
        factors are dicts such as {"type": "push", "number_matching": True,
        "auto": "approve"} or {"type": "totp", "secret": BASE32}. Returns
        {"userId", "factors": [{"id", "factorType"}]}."""
        spec = {"login": login, "password": password, "factors": list(factors)}
        if state is not None:
            spec["state"] = state
        if links is not None:
            spec["links"] = links
        secretlog.record_secrets("authn user", [password])
        return self._call("POST", "/authn/users", spec)[1]

    def pushes(self):
        return self._call("GET", "/authn/pushes")[1]

    def transactions(self):
        return self._call("GET", "/authn/transactions")[1]

    def answer_push(self, login, action="approve", answer=None):
        """Approve or reject the newest waiting push of login; None when there
        is none (yet)."""
        body = {} if answer is None else {"answer": answer}
        status, obj = self._call("POST", "/authn/pushes/%s/%s" % (
            urllib.parse.quote(login, safe=""), action), body, ok=(200, 404))
        return obj if status == 200 else None

    def wait_for_push(self, login, timeout=10):
        """The newest waiting push of login, once there is one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = [p for p in self.pushes() if p["login"] == login and p["state"] == "WAITING"]
            if waiting:
                return waiting[-1]
            time.sleep(0.05)
        raise SimError("no push for %s within %s s" % (login, timeout))

    @staticmethod
    def totp(secret, at=None):
        """The RFC 6238 code the simulator accepts now for a base32 secret."""
        return okta_sim.totp_code(secret, at)

    def fault(self, route, action, count=None, **params):
        spec = dict(params, route=route, action=action)
        if count is not None:
            spec["count"] = count
        self._call("POST", "/faults", spec)

    def requests(self):
        return self._call("GET", "/requests")[1]

    def connections(self):
        return self._call("GET", "/connections")[1]

    def reset(self):
        self._call("POST", "/reset")

    @staticmethod
    def _sid_path(sid):
        return urllib.parse.quote(sid, safe="")

    def session(self, sid):
        """Internal view of a session, or None if the simulator never made it."""
        status, obj = self._call("GET", "/sessions/" + self._sid_path(sid), ok=(200, 404))
        return obj if status == 200 else None

    def expire_session(self, sid):
        return self._call("POST", "/sessions/%s/expire" % self._sid_path(sid))[1]

    def revoke_session(self, sid):
        return self._call("POST", "/sessions/%s/revoke" % self._sid_path(sid))[1]
