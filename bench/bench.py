#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark: a whole login (authenticate + open session) through real libpam.

Compares, over one Okta simulator:
  module, 1 process   tests/pam_driver --steps auth,open (sudo, su, login)
  module, 2 processes --steps auth, then --steps open --setenv OKTA_SESSION_ID (sshd)
  script              pam_exec.so running bench/okta-login.sh (curl + jq), same stack
  floor               an in-process Python client doing the same three requests on
                      one TLS connection: what this test bed itself costs
  ideal               counted round trips x RTT
at a simulated WAN round-trip time (bench/delay_proxy.py) and with no added
delay, plus logins per second of many logins in one process. The trust store
rows compare a one-certificate ca_file with the system store as the module
uses it when ca_file is unset (a hashed directory: a copy of /etc/ssl/certs
plus the simulator's CA, named by ca_dir) and with the system's whole bundle
given as ca_file (what the module parsed per login before). Every login is
checked (PAM results, requests and answers seen by the simulator, the
session refreshed twice); a failed login stops the benchmark.

Run by `make bench` (bench/run). Prints a Markdown report on stdout.
"""

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

import pamharness
import simlib

HERE = os.path.dirname(os.path.abspath(__file__))
USER = "alice"
SUFFIX = "@example.com"
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
SYSTEM_CA_DIR = "/etc/ssl/certs"
HASH_NAME = re.compile(r"^[0-9a-f]{8}\.[0-9]+$")
RUN_MEASURED = os.environ.get("PAM_OKTA_RUN_MEASURED") or os.path.join(
    pamharness.BUILDDIR, "bench", "run_measured")

# Round trips a login cannot avoid: TCP handshake, TLS 1.3 handshake, one per request.
IDEAL_RTTS = {"bare": 0, "loaded": 0,
              "module-1p": 5,   # one connection: TCP, TLS, create, refresh, refresh
              # auth: TCP, TLS, create, refresh; open: TCP, TLS, then getSession (the
              # session process does not hold the id it finds in the PAM environment,
              # so it checks the id is the user's before extending it), refresh
              "module-2p": 8,
              "script": 9,      # three curl runs, each TCP, TLS, request
              "floor": 5}

# What Okta must see for each kind of login, in order (ids as {id}), all 200.
CREATE = ("POST", "/api/v1/sessions")
REFRESH = ("POST", "/api/v1/sessions/{id}/lifecycle/refresh")
GET = ("GET", "/api/v1/sessions/{id}")
REQUESTS = {"module-1p": [CREATE, REFRESH, REFRESH],
            "module-2p": [CREATE, REFRESH, GET, REFRESH],
            "script": [CREATE, REFRESH, REFRESH],
            "floor": [CREATE, REFRESH, REFRESH]}


class BenchError(Exception):
    pass


# -- running one process ---------------------------------------------------------
class Run:
    """One child process, started through bench/run_measured: wall time, CPU
    (user+sys, with the descendants it waited for) and peak RSS (KiB, of the
    largest of those processes), all from wait4()."""

    def __init__(self, cmd, stdin):
        with tempfile.NamedTemporaryFile(prefix="okta-bench-rusage-") as report:
            proc = subprocess.run([RUN_MEASURED, report.name] + cmd, input=stdin,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV)
            self.output = proc.stdout.decode("utf-8", "replace")
            fields = report.read().split()
        if proc.returncode != 0 or len(fields) != 5:
            raise BenchError("run_measured failed:\n" + self.output)
        status, wall_us, user_us, sys_us, self.maxrss = (int(f) for f in fields)
        self.returncode = status
        self.wall = wall_us / 1e6
        self.cpu = (user_us + sys_us) / 1e6
        self.steps = re.findall(r"^step (\w+) (\w+) ", self.output, re.M)
        self.env = dict(re.findall(r"^env (OKTA_\w+)=(.*)$", self.output, re.M))

    def require(self, steps):
        want = [(s, "PAM_SUCCESS") for s in steps]
        if self.returncode != 0 or self.steps != want:
            raise BenchError("login failed: wanted %s, driver said (rc %d):\n%s"
                             % (want, self.returncode, self.output))


def driver(confdir, service, steps, setenv=(), repeat=None):
    cmd = [pamharness.DRIVER, "--confdir", confdir, "--service", service, "--user", USER,
           "--steps", steps]
    for item in setenv:
        cmd += ["--setenv", item]
    if repeat is not None:
        cmd += ["--repeat", str(repeat)]
    return cmd


# -- the test bed ------------------------------------------------------------------
class Bed:
    def __init__(self, tmp, sim, rtt_ms):
        self.tmp, self.sim, self.rtt_ms = tmp, sim, rtt_ms
        self.proxy_port = self.start_proxy()
        self.confdir = os.path.join(tmp, "pam.d")
        os.makedirs(self.confdir)
        state_dir = os.path.join(tmp, "script-state")
        os.makedirs(state_dir, mode=0o700)
        header = pamharness.write_secure_file(os.path.join(tmp, "okta-auth-header"),
                                              "Authorization: SSWS %s\n" % sim.api_token)
        # "lan-sysca": the system trust store as ca_file (what a deployment without
        # ca_file loads), plus the simulator's CA so that it verifies
        bundle = os.path.join(tmp, "system-bundle-and-sim-ca.pem")
        with open(bundle, "w") as out:
            for path in (SYSTEM_BUNDLE, sim.ca_file):
                with open(path) as f:
                    out.write(f.read())
        # "-sys": the system store as the module uses it without ca_file, a
        # hashed directory (here a copy of the system's, plus the simulator's CA)
        self.ca_dir = system_store_with(os.path.join(tmp, "system-certs"), sim.ca_file)
        for net, port, ca, ca_dir in (("wan", self.proxy_port, sim.ca_file, None),
                                      ("lan", sim.https_port, sim.ca_file, None),
                                      ("wan-sys", self.proxy_port, None, self.ca_dir),
                                      ("lan-sys", sim.https_port, None, self.ca_dir),
                                      ("lan-sysca", sim.https_port, bundle, None)):
            url = "https://127.0.0.1:%d" % port
            conf = pamharness.write_conf(os.path.join(tmp, "okta-%s.conf" % net), org_url=url,
                                         api_token=sim.api_token, ca_file=ca, ca_dir=ca_dir,
                                         login_suffix=SUFFIX, timeout=10)
            module = "%s conf=%s" % (pamharness.MODULE, conf)
            pamharness.write_service(self.confdir, "module-" + net, [
                "auth required " + module, "account required pam_permit.so",
                "session required " + module])
            sconf = pamharness.write_secure_file(
                os.path.join(tmp, "script-%s.conf" % net),
                "ORG_URL=%s\nCA_FILE=%s\nAUTH_HEADER_FILE=%s\nLOGIN_SUFFIX=%s\nSTATE_DIR=%s\n"
                % (url, sim.ca_file, header, SUFFIX, state_dir))
            script = "/bin/bash %s %s" % (os.path.join(HERE, "okta-login.sh"), sconf)
            pamharness.write_service(self.confdir, "script-" + net, [
                "auth required pam_exec.so expose_authtok quiet " + script,
                "account required pam_permit.so",
                "session required pam_exec.so quiet " + script])
        permit = ["auth required pam_permit.so", "account required pam_permit.so",
                  "session required pam_permit.so"]
        pamharness.write_service(self.confdir, "bare", permit)
        # no OKTA_SESSION_ID, so the module answers PAM_IGNORE without a request
        pamharness.write_service(self.confdir, "loaded", permit + [
            "session optional %s conf=%s" % (pamharness.MODULE, conf)])

    def start_proxy(self):
        state = os.path.join(self.tmp, "proxy.json")
        self.proxy = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "delay_proxy.py"), "--target-port",
             str(self.sim.https_port), "--rtt-ms", str(self.rtt_ms), "--state-file", state],
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(state):
            if self.proxy.poll() is not None or time.monotonic() > deadline:
                raise BenchError("delay proxy did not start")
            time.sleep(0.02)
        with open(state) as f:
            return json.load(f)["port"]

    def stop(self):
        self.proxy.terminate()
        self.proxy.wait(10)

    def port(self, net):
        return self.proxy_port if net.startswith("wan") else self.sim.https_port

    # -- one login of each kind, checked -----------------------------------------
    def login(self, kind, net):
        """Returns {"wall", "cpu", "rss", "conns", "tls", "requests"}."""
        self.sim.reset()
        token = self.sim.mint(USER + SUFFIX).encode()
        if kind == "module-1p":
            runs = [Run(driver(self.confdir, "module-" + net, "auth,open"), token)]
            runs[0].require(["auth", "open"])
        elif kind == "module-2p":
            first = Run(driver(self.confdir, "module-" + net, "auth"), token)
            first.require(["auth"])
            sid = first.env.get("OKTA_SESSION_ID", "")
            second = Run(driver(self.confdir, "module-" + net, "open",
                                setenv=["OKTA_SESSION_ID=" + sid]), b"")
            second.require(["open"])
            runs = [first, second]
        elif kind == "script":
            runs = [Run(driver(self.confdir, "script-" + net, "auth,open"), token)]
            runs[0].require(["auth", "open"])
        elif kind in ("bare", "loaded"):
            # where a login's fixed cost goes: the process with libpam alone,
            # then with the module loaded (libcurl and its libraries) but idle
            runs = [Run(driver(self.confdir, kind, "auth,open"), token)]
            runs[0].require(["auth", "open"])
        else:
            start = time.perf_counter()
            in_process_login(self.port(net), self.sim, token.decode())
            runs = []
            floor_wall = time.perf_counter() - start
        if kind in ("bare", "loaded"):
            figures = self.check_nothing_sent()
        else:
            figures = self.check_okta_side(kind)
        if runs:
            figures.update(wall=sum(r.wall for r in runs), cpu=sum(r.cpu for r in runs),
                           rss=max(r.maxrss for r in runs))
        else:
            figures.update(wall=floor_wall, cpu=None, rss=None)
        return figures

    def check_nothing_sent(self):
        if self.sim.requests() or self.sim.connections():
            raise BenchError("an idle module talked to Okta")
        return {"conns": 0, "tls": 0, "requests": 0}

    def check_okta_side(self, kind):
        """What Okta saw: REQUESTS[kind], all 200, the session refreshed twice."""
        reqs = self.sim.requests()
        routes = [(r["method"], re.sub(r"/sessions/[^/]+", "/sessions/{id}", r["path"]),
                   r["status"]) for r in reqs]
        want = [route + (200,) for route in REQUESTS[kind]]
        if routes != want:
            raise BenchError("%s: Okta saw %s, wanted %s" % (kind, routes, want))
        sid = json.loads(reqs[0]["response_body"])["id"]
        if self.sim.session(sid)["refresh_count"] != 2:
            raise BenchError("session was not refreshed twice")
        conns = self.sim.connections()
        return {"conns": len(conns), "tls": sum(1 for c in conns if c["tls"]),
                "requests": len(reqs)}


def system_store_with(path, ca_pem):
    """A copy of the system's hashed CA directory (its links kept: they point
    into /usr/share/ca-certificates) plus ca_pem under its subject hash."""
    shutil.copytree(SYSTEM_CA_DIR, path, symlinks=True)
    os.chmod(path, 0o755)
    subject_hash = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", ca_pem],
                                  check=True, capture_output=True, text=True).stdout.strip()
    n = 0
    while os.path.lexists(os.path.join(path, "%s.%d" % (subject_hash, n))):
        n += 1
    shutil.copyfile(ca_pem, os.path.join(path, "%s.%d" % (subject_hash, n)))
    return path


def in_process_login(port, sim, token):
    """The three requests from an already running process on one connection:
    no process start, no PAM; the cost of the simulator and the network."""
    ctx = ssl.create_default_context(cafile=sim.ca_file)
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    headers = {"Authorization": "SSWS " + sim.api_token, "Accept": "application/json",
               "Content-Type": "application/json"}
    try:
        conn.request("POST", "/api/v1/sessions", json.dumps({"sessionToken": token}), headers)
        resp = conn.getresponse()
        sid = json.loads(resp.read())["id"]
        for _ in range(2):
            conn.request("POST", "/api/v1/sessions/%s/lifecycle/refresh" % sid, "", headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise BenchError("floor client: refresh HTTP %d" % resp.status)
    finally:
        conn.close()


# -- statistics and report ---------------------------------------------------------
def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def p95(xs):
    xs = sorted(xs)
    return xs[max(0, -(-95 * len(xs) // 100) - 1)]   # nearest rank


def ms(x):
    return "-" if x is None else "%.1f" % (x * 1000)


def summarise(samples):
    walls = [s["wall"] for s in samples]
    cpus = [s["cpu"] for s in samples if s["cpu"] is not None]
    rss = [s["rss"] for s in samples if s["rss"] is not None]
    per = lambda key: sorted({s[key] for s in samples})
    return {"wall_med": median(walls), "wall_p95": p95(walls),
            "cpu_med": median(cpus) if cpus else None,
            "rss": max(rss) if rss else None,
            "conns": per("conns"), "tls": per("tls"), "n": len(samples)}


def fmt_set(values):
    return "/".join(str(v) for v in values)


LABELS = {"bare": "cost of the process: pam_driver + libpam + pam_permit, no Okta",
          "loaded": "... + the module loaded (libcurl & its libraries), idle",
          "module-1p": "module, 1 process (sudo/su/login)",
          "module-2p": "module, 2 processes (sshd)",
          "script": "pam_exec + curl + jq script",
          "floor": "floor: in-process client, no PAM"}


def report(args, results, tps, loads):
    rtt = args.rtt_ms / 1000
    out = []
    out.append("### Per login (authenticate + open session), %d logins each\n" % args.logins)
    out.append("| variant | RTT ms | wall median ms | wall p95 ms | ideal ms | median/ideal "
               "| CPU median ms | peak RSS KiB | TCP conns | TLS handshakes |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for (kind, net), s in results.items():
        r = rtt if net.startswith("wan") else 0
        label = LABELS[kind] + (ca_label(args, net) if kind.startswith("module") else "")
        ideal = IDEAL_RTTS[kind] * r
        ratio = "%.3f" % (s["wall_med"] / ideal) if ideal else "-"
        out.append("| %s | %g | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, r * 1000, ms(s["wall_med"]), ms(s["wall_p95"]),
            "%d x %g = %s" % (IDEAL_RTTS[kind], r * 1000, ms(ideal)) if r else "0",
            ratio, ms(s["cpu_med"]), s["rss"] if s["rss"] is not None else "-",
            fmt_set(s["conns"]), fmt_set(s["tls"])))
    out.append("")
    if ("module-1p", "wan") in results:
        out += ratios(args, results, tps)
    out += many_logins_table(args, tps)
    out.append("Load average (1/5/15 min) before: %s; after: %s." % loads)
    return "\n".join(out)


def ratios(args, results, tps):
    """The ratios table; needs the WAN rows (not in --quick)."""
    rtt = args.rtt_ms / 1000
    out = ["### Ratios\n"]
    out.append("| ratio | value | target |")
    out.append("|---|---|---|")
    m1, m2, sc = (results[("module-1p", "wan")], results[("module-2p", "wan")],
                  results[("script", "wan")])
    out.append("| module 1 process / ideal, wall median, RTT %g ms | %.3f | <= 1.10 |"
               % (args.rtt_ms, m1["wall_med"] / (IDEAL_RTTS["module-1p"] * rtt)))
    out.append("| module 2 processes / ideal, wall median, RTT %g ms | %.3f | <= 1.10 |"
               % (args.rtt_ms, m2["wall_med"] / (IDEAL_RTTS["module-2p"] * rtt)))
    out.append("| module 2 processes / ideal without the ownership check (%d x %g ms), wall "
               "median | %.3f | |" % (IDEAL_RTTS["module-2p"] - 1, args.rtt_ms, m2["wall_med"]
                                      / ((IDEAL_RTTS["module-2p"] - 1) * rtt)))
    out.append("| floor (test bed alone) / ideal, RTT %g ms | %.3f | |"
               % (args.rtt_ms, results[("floor", "wan")]["wall_med"]
                  / (IDEAL_RTTS["floor"] * rtt)))
    out.append("| script / module 1 process, wall median, RTT %g ms | %.2f | |"
               % (args.rtt_ms, sc["wall_med"] / m1["wall_med"]))
    lm, ls = results[("module-1p", "lan")], results[("script", "lan")]
    out.append("| script / module 1 process, wall median, no delay | %.2f | >= 5 |"
               % (ls["wall_med"] / lm["wall_med"]))
    out.append("| script / module 1 process, CPU median, no delay | %.2f | >= 5 |"
               % (ls["cpu_med"] / lm["cpu_med"]))
    lb, lsys = results[("module-1p", "lan-sysca")], results[("module-1p", "lan-sys")]
    floor = results[("floor", "wan")]
    out.append("| module 1 process, CPU median, system store (hashed dir) / 1-cert CA file, "
               "no delay | %.3f | <= 1.10 |" % (lsys["cpu_med"] / lm["cpu_med"]))
    out.append("| module 1 process, CPU median, whole system bundle as ca_file / 1-cert CA file"
               ", no delay | %.2f | |" % (lb["cpu_med"] / lm["cpu_med"]))
    out.append("| module 1 process, system store (hashed dir) / floor, wall median, RTT %g ms "
               "| %.3f | <= 1.15 |" % (args.rtt_ms, results[("module-1p", "wan-sys")]["wall_med"]
                                       / floor["wall_med"]))
    out.append("| module 1 process, 1-cert CA file / floor, wall median, RTT %g ms | %.3f | |"
               % (args.rtt_ms, m1["wall_med"] / floor["wall_med"]))
    out.append("| many logins in one process, logins/s, system store (hashed dir) / 1-cert CA "
               "file | %.3f | 0.90 .. 1.10 |" % (tps["lan"]["wall"] / tps["lan-sys"]["wall"]))
    out.append("| many logins in one process, CPU per login, system store (hashed dir) / 1-cert "
               "CA file | %.3f | |" % (tps["lan-sys"]["cpu"] / tps["lan"]["cpu"]))
    out.append("")
    return out


def many_logins_table(args, tps):
    out = []
    out.append("### Many logins in one process, no added delay\n")
    out.append("`pam_driver --repeat %d --steps auth,open`: each login its own PAM handle "
               "(pam_start .. pam_end), so its own connection. Each row: the median of %d "
               "runs, the rows' runs interleaved (every other round in reverse order).\n"
               % (args.tps_logins, args.tps_rounds))
    out.append("| CA | logins | wall s | logins/s | wall per login ms | CPU per login ms "
               "| TCP conns | TLS handshakes |")
    out.append("|---|---|---|---|---|---|---|---|")
    for net, t in tps.items():
        out.append("| %s | %d | %.2f | %.1f | %s | %s | %d | %d |" % (
            ca_label(args, net)[2:],
            t["n"], t["wall"], t["n"] / t["wall"], ms(t["wall"] / t["n"]),
            ms(t["cpu"] / t["n"]), t["conns"], t["tls"]))
    out.append("")
    return out


def ca_label(args, net):
    if net.endswith("-sysca"):
        return ", whole system CA bundle as ca_file (%d certs)" % args.bundle_certs
    if net.endswith("-sys"):
        return ", system store: hashed dir (%d hashed entries)" % args.hashed_entries
    return ", 1-cert CA file"


def first_line(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "?"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    tools = "".join(first_line(["dpkg-query", "-W", "-f=%s ${Version}, " % pkg, pkg])
                    for pkg in ("curl", "jq"))
    return ("%s, nproc %d, CPU %s, kernel %s, %sPython %s"
            % (os_release(), os.cpu_count(), cpu, platform.release(), tools,
               platform.python_version()))


def os_release():
    """The distribution (.ci/chroot --bench runs the benchmark in other ones)."""
    try:
        with open("/etc/os-release") as f:
            return re.search(r'^PRETTY_NAME="?([^"\n]*)', f.read(), re.M).group(1)
    except (OSError, AttributeError):
        return "system ?"


# The libraries whose versions the figures depend on, as the module's ldd names them.
LIBRARIES = (("Linux-PAM", "libpam.so"), ("libcurl", "libcurl.so"),
             ("OpenSSL", "libssl.so"), ("json-c", "libjson-c.so"))


def library_versions():
    """The libraries the module under test really loads (ldd): each with the
    package that owns the file and its version, plus what libcurl and json-c
    say of themselves at run time (curl_version() names the TLS library)."""
    loaded = dict(re.findall(r"^\s*(\S+) => (\S+)", first_ldd(pamharness.MODULE), re.M))
    parts = []
    for name, soname in LIBRARIES:
        path = next((p for s, p in loaded.items() if s.startswith(soname)), None)
        if path is None:
            parts.append("%s: not linked" % name)
            continue
        owner = package_of(path)
        version = first_line(["dpkg-query", "-W", "-f=${Version}", owner]) if owner else "?"
        parts.append("%s: %s (%s %s)" % (name, path, owner or "?", version))
    return "; ".join(parts) + "; at run time: " + runtime_versions(loaded)


def package_of(path):
    """The Debian package owning a library: dpkg knows the path as packaged,
    which with a merged /usr may be the link's name, not its target's."""
    real = os.path.realpath(path)
    for candidate in (path, real, os.path.join(os.path.dirname(path), os.path.basename(real))):
        owner = first_line(["dpkg-query", "-S", candidate]).split(":")[0]
        if owner and owner != "?" and not owner.startswith("dpkg-query"):
            return owner
    return None


def first_ldd(path):
    try:
        return subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    except OSError:
        return ""


def runtime_versions(loaded):
    import ctypes
    said = []
    for soname, func in (("libcurl.so", "curl_version"), ("libjson-c.so", "json_c_version")):
        path = next((p for s, p in loaded.items() if s.startswith(soname)), None)
        try:
            f = getattr(ctypes.CDLL(path), func)
            f.restype = ctypes.c_char_p
            said.append("%s() = %s" % (func, f().decode()))
        except (OSError, TypeError, AttributeError):
            said.append("%s() unknown" % func)
    return ", ".join(said)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rtt-ms", type=float, default=50)
    p.add_argument("--logins", type=int, default=30)
    p.add_argument("--tps-logins", type=int, default=200)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--tps-rounds", type=int, default=5,
                   help="runs of each many-logins row, interleaved; the median is reported")
    p.add_argument("--quick", action="store_true",
                   help="check that every variant still logs in with the requests it should "
                   "(few logins, no WAN delay, no ratios): what .ci/test runs")
    args = p.parse_args()
    if args.quick:
        args.logins, args.warmup, args.tps_logins, args.tps_rounds = 2, 0, 5, 1
    if os.geteuid() != 0:
        sys.exit("bench: must run as root (the module wants root-owned 0600 files)")

    loads_before = loadavg()
    kinds = ["module-1p", "module-2p", "script", "floor"]
    nets = ["lan"] if args.quick else ["wan", "lan"]
    plan = ([(k, net) for net in nets for k in kinds]
            + ([] if args.quick else [("module-1p", "wan-sys")])
            + [("module-1p", "lan-sys"), ("module-1p", "lan-sysca"),
               ("bare", "lan"), ("loaded", "lan")])
    with open(SYSTEM_BUNDLE) as f:
        args.bundle_certs = f.read().count("BEGIN CERTIFICATE")
    args.hashed_entries = 1 + sum(1 for n in os.listdir(SYSTEM_CA_DIR) if HASH_NAME.match(n))
    results = {key: [] for key in plan}
    with simlib.Simulator(lifetime=7200) as sim, \
            tempfile.TemporaryDirectory(prefix="okta-bench-") as tmp:
        bed = Bed(tmp, sim, args.rtt_ms)
        try:
            for key in plan:
                for _ in range(args.warmup):
                    bed.login(*key)
            # interleaved, so that load changes on the machine hit every variant alike
            for i in range(args.logins):
                for key in plan:
                    results[key].append(bed.login(*key))
                print("bench: round %d/%d done" % (i + 1, args.logins), file=sys.stderr)
            tps = many_logins(bed, ("lan", "lan-sys", "lan-sysca"), args)
        finally:
            bed.stop()
    summary = {key: summarise(v) for key, v in results.items()}
    print("## pam_okta_session benchmark%s\n" % (" (quick: a check, not figures)"
                                                 if args.quick else ""))
    print("Machine: %s.\n" % machine())
    print("Libraries: %s.\n" % library_versions())
    print("Command: `%s` (bench/bench.py %s). WAN delay: %s.\n"
          % ("bench/run --quick" if args.quick else "make bench", " ".join(sys.argv[1:]) or
             "with its defaults: --rtt-ms %g --logins %d --tps-logins %d --tps-rounds %d"
             % (args.rtt_ms, args.logins, args.tps_logins, args.tps_rounds),
             "none (--quick)" if args.quick else
             "bench/delay_proxy.py (RTT %g ms)" % args.rtt_ms))
    print(report(args, summary, tps, (loads_before, loadavg())))
    return 0


def many_logins(bed, nets, args):
    """args.tps_rounds runs of each net's many-logins row, interleaved so that
    the load of a shared machine hits every row alike; medians of wall and CPU."""
    runs = {net: [] for net in nets}
    for i in range(args.tps_rounds):
        # every other round backwards: no row always follows the same one
        for net in (nets if i % 2 == 0 else nets[::-1]):
            runs[net].append(logins_per_second(bed, net, args.tps_logins))
        print("bench: many-logins round %d/%d done" % (i + 1, args.tps_rounds), file=sys.stderr)
    return {net: {"n": args.tps_logins, "wall": median([r["wall"] for r in rs]),
                  "cpu": median([r["cpu"] for r in rs]),
                  "conns": max(r["conns"] for r in rs), "tls": max(r["tls"] for r in rs)}
            for net, rs in runs.items()}


def logins_per_second(bed, net, n):
    bed.sim.reset()
    tokens = [bed.sim.mint(USER + SUFFIX) for _ in range(n)]
    run = Run(driver(bed.confdir, "module-" + net, "auth,open", repeat=n),
              ("\n".join(tokens) + "\n").encode())
    ok = run.steps.count(("open", "PAM_SUCCESS"))
    if run.returncode != 0 or ok != n or run.steps.count(("auth", "PAM_SUCCESS")) != n:
        raise BenchError("repeat run: %d of %d logins succeeded:\n%s"
                         % (ok, n, run.output[-2000:]))
    reqs = bed.sim.requests()
    if len(reqs) != 3 * n or any(r["status"] != 200 for r in reqs):
        raise BenchError("repeat run: Okta saw %d requests, wanted %d, all 200"
                         % (len(reqs), 3 * n))
    conns = bed.sim.connections()
    return {"n": n, "wall": run.wall, "cpu": run.cpu, "conns": len(conns),
            "tls": sum(1 for c in conns if c["tls"])}


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        sys.exit("bench: FAILED: %s" % e)
