#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Load figure for pam_okta_sessiond: N watched logins against the simulator.

    python3 bench/watch_load.py [--logins 1000] [--interval 60] [--minutes 4]
                                [--others N]   (root)
    python3 bench/watch_load.py --quick   # make bench-quick: 100 logins, interval 5, 1 minute

Creates N Okta sessions at the simulator (POST /api/v1/sessions), starts the
daemon (watch_interval = --interval), and registers N logins: each a child
process that registers itself exactly as the module does (its own pid,
start time and pidfd over the socket) and then execs `sleep` (same pid and
start time: the daemon watches a real process). Then it measures, over
--minutes after the registrations: the daemon's requests per minute (from
the simulator's log), the pacing rule (a quarter of X-Rate-Limit-Remaining
until -Reset; the simulator allows --rate-limit a minute, default 600), the daemon's CPU time
(utime + stime from /proc/PID/stat) as a share of one core, and its VmRSS
and VmHWM. With --others N, N more processes (sleeping, not watched) run
during the whole run, so that a look at every process in /proc costs what
it does on a busy host; the table says how many processes the host had.
PAM_OKTA_SESSIOND=PATH runs another build of the daemon. Prints one table
(Markdown) for bench/RESULTS.md.

Then it checks what must hold whatever the machine's speed, and exits 1
(saying which) when one does not: every login was watched, the daemon
still runs and watches them all at the end, it made requests, each a GET
of a watched session answered 200 (expiresAt is two hours ahead: no
keep-alive refresh is due), and no rate-limit window, counted from the
first registration and cut ones included, holds more than the pacing rule
allows (a quarter of the limit). CPU and RSS are figures, never checked.
--quick is the same run, smaller and shorter (tests/test_watch_bench.sh,
run by make bench-quick and .ci/test): 100 logins at watch_interval = 5
want 1,200 checks a minute, so the pacing binds as in the full run.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))

import logcapture  # noqa: E402
import pamharness  # noqa: E402
import watchlib  # noqa: E402
from simlib import Simulator  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def create_sessions(sim, n):
    minted = sim.mint_bulk([{"login": "user%d@example.com" % i} for i in range(n)])
    ctx = ssl.create_default_context(cafile=sim.ca_file)
    host, port = sim.org_url[len("https://"):].rsplit(":", 1)
    conn = http.client.HTTPSConnection(host, int(port), context=ctx)
    sessions = []
    for m in minted:
        conn.request("POST", "/api/v1/sessions", json.dumps({"sessionToken": m["sessionToken"]}),
                     {"Authorization": "SSWS " + sim.api_token,
                      "Content-Type": "application/json", "Accept": "application/json"})
        resp = conn.getresponse()
        body = json.loads(resp.read())
        sessions.append(body)
    conn.close()
    return sessions


def register_child(socket_path, session, i):
    """Fork a login: the child registers itself, tells the parent, execs sleep."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            me = os.getpid()
            msg = watchlib.message(op="register", session_id=session["id"],
                                   user_id=session["userId"], expires_at=session["expiresAt"],
                                   user="user%d" % i, service="bench", rhost="192.0.2.1",
                                   pid=me, start_time=watchlib.proc_start_time(me))
            fd = os.pidfd_open(me)
            d = watchlib.Daemon(None, socket_path, None)
            answer = d.send_raw(msg, fds=[fd])
            os.close(fd)
            os.write(w, answer.encode() + b"\n")
            os.close(w)
            os.execv("/bin/sleep", ["sleep", "100000"])
        finally:
            os._exit(1)
    os.close(w)
    with os.fdopen(r) as f:
        answer = f.read().strip()
    if answer != "ok":
        raise RuntimeError("registration %d: %s" % (i, answer))
    return pid


def tally(sim, windows, watched_paths, odd):
    """Add the simulator's requests since its last reset to `windows` (by
    rate-limit window), note in `odd` each that is not a 200 GET of a
    watched session, clear its log; the number of new connections."""
    for q in sim.requests():
        key = int(q["time"]) // 60
        windows[key] = windows.get(key, 0) + 1
        if q["method"] != "GET" or q["path"] not in watched_paths or q["status"] != 200:
            odd.append("%s %s %s" % (q["method"], q["path"], q["status"]))
    conns = len(sim.connections())
    sim.reset()
    return conns


def problems(args, watched, windows, odd, daemon):
    """What must hold whatever the machine's speed; [] when all does."""
    found = []
    if watched != args.logins:
        found.append("%d of %d logins watched after the registrations" % (watched, args.logins))
    if daemon.proc.poll() is not None:
        found.append("the daemon exited (status %s)" % daemon.proc.returncode)
    else:
        at_end = len(daemon.list())
        if at_end != args.logins:
            found.append("the daemon watches %d of %d logins at the end" % (at_end, args.logins))
    if not windows:
        found.append("no request while watching")
    over = {k: n for k, n in windows.items() if n > args.rate_limit // 4}
    if over:
        found.append("pacing rule broken: %s requests in a window (at most %d)"
                     % (", ".join(map(str, over.values())), args.rate_limit // 4))
    if odd:
        found.append("%d requests not a 200 GET of a watched session, e.g. %s"
                     % (len(odd), odd[0]))
    return found


def start_others(n):
    """n sleeping processes that nobody watches (a busy host's others)."""
    return [subprocess.Popen(["sleep", "100000"], stdin=subprocess.DEVNULL) for _ in range(n)]


def host_processes():
    return sum(1 for d in os.listdir("/proc") if d.isdigit())


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        text = f.read()
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])   # utime, stime (fields 14, 15)


def status_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logins", type=int, default=1000)
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--minutes", type=float, default=4)
    ap.add_argument("--rate-limit", type=int, default=600,
                    help="the simulator's X-Rate-Limit-Limit a minute (Okta: 750 Workforce)")
    ap.add_argument("--others", type=int, default=0,
                    help="processes besides the logins, so that /proc is as large as a busy host's")
    ap.add_argument("--quick", action="store_true",
                    help="the defaults --logins 100 --interval 5 --minutes 1 (make bench-quick)")
    args = ap.parse_args()
    if args.quick:
        ap.set_defaults(logins=100, interval=5, minutes=1)
        args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="okta-watch-bench-")
    os.chmod(tmp, 0o755)
    children = []
    others = start_others(args.others)
    sim = Simulator(lifetime=int(args.minutes * 60) + 1200, rate_limit=args.rate_limit)
    sim.start()
    sink = logcapture.LogSink(os.path.join(tmp, "log"))
    daemon = None
    try:
        sockdir = os.path.join(tmp, "watch")
        os.mkdir(sockdir, 0o755)
        socket_path = os.path.join(sockdir, "watch.sock")
        conf = os.path.join(tmp, "okta.conf")
        pamharness.write_conf(conf, org_url=sim.org_url, api_token=sim.api_token,
                              ca_file=sim.ca_file, login_suffix="@example.com", timeout=3,
                              watch="yes", watch_socket=socket_path,
                              watch_interval=args.interval)
        t0 = time.monotonic()
        sessions = create_sessions(sim, args.logins)
        sys.stderr.write("%d sessions in %.1f s\n" % (len(sessions), time.monotonic() - t0))
        daemon = watchlib.Daemon(conf, socket_path, sink).start()
        dpid = daemon.proc.pid
        sim.reset()
        t0, cpu_reg0 = time.monotonic(), cpu_ticks(dpid)
        for i, s in enumerate(sessions):
            children.append(register_child(socket_path, s, i))
        reg_s = time.monotonic() - t0
        cpu_reg = (cpu_ticks(dpid) - cpu_reg0) / TICKS
        watched = len(daemon.list())
        sys.stderr.write("%d registered in %.1f s; %d watched\n" % (len(children), reg_s, watched))
        rss_after_reg = status_kib(dpid, "VmRSS")
        # Requests count from the first registration (the pacing check);
        # connections, CPU and the whole windows from here.
        watched_paths = {"/api/v1/sessions/" + s["id"] for s in sessions}
        windows, odd = {}, []
        tally(sim, windows, watched_paths, odd)
        cpu0, w0 = cpu_ticks(dpid), time.monotonic()
        first_measured, conns = int(time.time()) // 60, 0
        end = w0 + args.minutes * 60
        while time.monotonic() < end:
            time.sleep(min(60, end - time.monotonic()))
            conns += tally(sim, windows, watched_paths, odd)
            sys.stderr.write("%d requests so far, RSS %d KiB\n"
                             % (sum(windows.values()), status_kib(dpid, "VmRSS")))
        cpu1, w1 = cpu_ticks(dpid), time.monotonic()
        # whole windows only: the first and the last were cut by the run
        measured = [k for k in sorted(windows) if k >= first_measured]
        minutes = [windows[k] for k in measured[1:-1]]
        cut = "" if minutes else " (none whole: the cut ones)"
        minutes = minutes or [windows[k] for k in measured] or [0]
        cpu_share = (cpu1 - cpu0) / TICKS / (w1 - w0) * 100
        print("| figure | value |")
        print("|---|---|")
        print("| watched logins (each a real process with a pidfd) | %d (registered in %.1f s) |"
              % (watched, reg_s))
        print("| processes on the host (logins, --others %d, the rest) | %d |"
              % (args.others, host_processes()))
        print("| daemon CPU during the registrations | %.2f s in %.1f s |" % (cpu_reg, reg_s))
        print("| watch_interval | %d s (%d checks a minute wanted) |"
              % (args.interval, args.logins * 60 // args.interval))
        print("| simulator's limit; the pacing rule | %d a minute; a quarter of Remaining until Reset (<= %d a minute) |"
              % (args.rate_limit, args.rate_limit // 4))
        print("| requests per rate-limit window (minute), %d whole windows%s | %s (mean %.0f) |"
              % (len(minutes) if not cut else 0, cut, ", ".join(map(str, minutes)),
                 sum(minutes) / len(minutes)))
        print("| new TLS connections while measuring | %d |" % conns)
        print("| daemon CPU | %.2f %% of one core (%.2f s over %.0f s) |"
              % (cpu_share, (cpu1 - cpu0) / TICKS, w1 - w0))
        print("| daemon VmRSS after the registrations / at the end / VmHWM | %d / %d / %d KiB |"
              % (rss_after_reg, status_kib(dpid, "VmRSS"), status_kib(dpid, "VmHWM")))
        found = problems(args, watched, windows, odd, daemon)
        for p in found:
            print("FAILED: " + p)
        if not found:
            print("checked: %d of %d logins watched to the end, the daemon alive, %d requests, "
                  "each a 200 GET of a watched session, at most %d in any window (the pacing "
                  "rule: %d)" % (args.logins, args.logins, sum(windows.values()),
                                 max(windows.values()), args.rate_limit // 4))
        return 1 if found else 0
    finally:
        for p in others:
            p.kill()
            p.wait()
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
        if daemon is not None:
            daemon.stop()
        sink.close()
        sim.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
