# SPDX-License-Identifier: BSD-3-Clause
"""Evidence for tests/integration/test_secrets.py: what the module logged and
which secrets existed, across the whole integration suite.

When PAM_OKTA_SECRETS_DIR is set (make check sets it), every test script
writes JSON lines to PAM_OKTA_SECRETS_DIR/<script name>.jsonl (rewritten on
each run of that script, mode 0600):

    {"kind": "run", "what": ..., "steps": [[step, code name]], "logs": [...], "stderr": ...}
    {"kind": "secrets", "what": ..., "secrets": [...]}

pamharness records every driver run and every api_token it writes into a
configuration file; simlib records the simulator's API token, the tokens it
mints and, when it stops, every session id the simulator created.
"""

import json
import os
import sys

_file = None


def enabled():
    return bool(os.environ.get("PAM_OKTA_SECRETS_DIR"))


def record(entry):
    """Append one entry to this script's capture file (no-op when disabled)."""
    global _file
    if not enabled():
        return
    if _file is None:
        directory = os.environ["PAM_OKTA_SECRETS_DIR"]
        os.makedirs(directory, exist_ok=True)
        name = os.path.splitext(os.path.basename(sys.argv[0]))[0] or "python"
        fd = os.open(os.path.join(directory, name + ".jsonl"),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        _file = os.fdopen(fd, "w")
    _file.write(json.dumps(entry) + "\n")
    _file.flush()


def record_secrets(what, secrets):
    secrets = [s for s in secrets if isinstance(s, str) and s]
    if secrets:
        record({"kind": "secrets", "what": what, "secrets": secrets})


def record_run(what, logs, stderr, steps=()):
    record({"kind": "run", "what": what, "steps": [list(s) for s in steps],
            "logs": list(logs), "stderr": stderr})
