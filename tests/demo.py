#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The main job: one real PAM login through pam_okta_session.so.

Starts the bundled Okta simulator (HTTPS on 127.0.0.1 with a throw-away CA),
mints a one-time session token for alice@example.com, and runs
pam_authenticate + pam_open_session for the local user "alice" through real
libpam with the module (tests/pam_driver, service file in a temporary
directory: /etc/pam.d is not touched). Prints what the module put in the PAM
environment, with the session id masked, and what Okta saw.
"""

import os
import sys
import tempfile

import pamharness
import simlib


def mask(session_id):
    return session_id[:4] + "*" * max(0, len(session_id) - 4) if session_id else "(none)"


def main():
    with simlib.Simulator() as sim, tempfile.TemporaryDirectory(prefix="okta-demo-") as tmp:
        conf = pamharness.write_conf(os.path.join(tmp, "pam_okta_session.conf"),
                                     org_url=sim.org_url, api_token=sim.api_token,
                                     ca_file=sim.ca_file, login_suffix="@example.com",
                                     timeout=10)
        pamharness.write_okta_service(tmp, "okta-demo", conf)
        token = sim.mint("alice@example.com")
        print("Okta simulator on %s; session token minted for alice@example.com" % sim.org_url)
        result = pamharness.run_driver(tmp, "okta-demo", "alice", stdin=token,
                                       steps="auth,open")
        for step, name, _ in result.step_list:
            print("pam_%s: %s" % ({"auth": "authenticate", "open": "open_session"}[step], name))
        env = result.okta_env()
        print("OKTA_SESSION_ID=%s" % mask(env.get("OKTA_SESSION_ID")))
        print("OKTA_USER_ID=%s" % env.get("OKTA_USER_ID", "(none)"))
        print("OKTA_SESSION_EXPIRES_AT=%s" % env.get("OKTA_SESSION_EXPIRES_AT", "(none)"))
        requests = sim.requests()
        print("Okta saw %d requests on %d TCP connection(s):" %
              (len(requests), len({r["conn"] for r in requests})))
        for r in requests:
            path = r["path"].replace(env.get("OKTA_SESSION_ID", "\0"), "{id}")
            print("  %s %s -> %s" % (r["method"], path, r["status"]))
        print("module log:")
        for message in result.messages:
            if message.startswith("pam_okta_session("):
                print("  " + message)
        ok = (result.steps.get("auth") == "PAM_SUCCESS"
              and result.steps.get("open") == "PAM_SUCCESS"
              and "OKTA_SESSION_EXPIRES_AT" in env)
        print("login %s" % ("succeeded" if ok else "FAILED"))
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
