#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Okta Sessions API simulator for the pam_okta_session tests.

Standard library only.  Serves a subset of Okta's Sessions API over HTTPS
(TLS 1.2+, HTTP/1.1 keep-alive) on 127.0.0.1 and a plain-HTTP control API on
a second 127.0.0.1 port.  See tests/sim/README.md for the control API.

Usage:
  okta_sim.py --cert CERT --key KEY --api-token TOKEN --state-file FILE
              [--idle-lifetime SECONDS] [--lifetime SECONDS] [--rate-limit N] [--verbose]
"""

import argparse
import copy
import datetime
import hashlib
import http.server
import json
import os
import re
import secrets
import signal
import socket
import ssl
import string
import sys
import threading
import time
import traceback
import urllib.parse
import warnings
import zlib

ALNUM = string.ascii_letters + string.digits
TOKEN_CHARS = ALNUM + "_-"
API = "/api/v1/sessions"
RATE_LIMIT = 600

ROUTE_RE = [
    # (route name, method, regex on the path without query)
    ("create", "POST", re.compile(r"^/api/v1/sessions$")),
    ("refresh", "POST", re.compile(r"^/api/v1/sessions/([^/]+)/lifecycle/refresh$")),
    ("get", "GET", re.compile(r"^/api/v1/sessions/([^/]+)$")),
    ("delete", "DELETE", re.compile(r"^/api/v1/sessions/([^/]+)$")),
    ("groups", "GET", re.compile(r"^/api/v1/users/([^/]+)/groups$")),
    # Authentication API (Classic): see "Authentication API" below
    ("authn", "POST", re.compile(r"^/api/v1/authn$")),
    ("authn_verify", "POST", re.compile(r"^/api/v1/authn/factors/([^/]+)/verify$")),
    ("authn_skip", "POST", re.compile(r"^/api/v1/authn/skip$")),
    ("authn_cancel", "POST", re.compile(r"^/api/v1/authn/cancel$")),
]
AUTHN_ROUTES = ("authn", "authn_verify", "authn_poll", "authn_skip", "authn_cancel")

ERROR_SUMMARIES = {
    "E0000001": "Api validation failed: {id}",
    "E0000003": "The request body was not well-formed.",
    "E0000004": "Authentication failed",
    "E0000005": "Invalid session",
    "E0000006": "You do not have permission to perform the requested action",
    "E0000007": "Not found: Resource not found: {id} (Session)",
    "E0000009": "Internal Server Error",
    "E0000011": "Invalid token provided",
    "E0000022": "The endpoint does not support the provided HTTP method",
    "E0000047": "API call exceeded rate limit due to too many requests.",
    "E0000068": "Invalid Passcode/Answer",
    "E0000064": "Password is expired and must be changed.",
    "E0000069": "User Locked",
    "E0000082": "Each code can only be used once. Please wait for a new code and try again.",
    "E0000083": "PassCode is valid but exceeded time window.",
    "E0000259": "Login not allowed at this time. Reset your password or contact your "
                "administrator for further assistance.",
}
DEFAULT_CODE_FOR_STATUS = {
    400: "E0000003",
    401: "E0000011",
    403: "E0000006",
    404: "E0000007",
    405: "E0000022",
    429: "E0000047",
    500: "E0000009",
}

VERBOSE = False


def log(msg):
    if VERBOSE:
        sys.stderr.write("okta_sim: %s\n" % msg)
        sys.stderr.flush()


def rand(n, chars=ALNUM):
    return "".join(secrets.choice(chars) for _ in range(n))


def iso(ts):
    """Okta timestamp: 2026-11-25T20:31:10.000Z (UTC, milliseconds)."""
    dt = datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def user_id_for(login):
    """Stable Okta-like user id (00u + 17 chars) for a login (case-insensitive)."""
    digest = hashlib.sha256(login.lower().encode("utf-8")).digest()
    return "00u" + "".join(ALNUM[b % len(ALNUM)] for b in digest[:17])


def error_body(code, summary):
    return {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": "oae" + rand(22),
        "errorCauses": [],
    }


class Response:
    """What the handler answers; faults build these too."""

    def __init__(self, status, body=None, headers=None, raw=None,
                 content_length=True, chunked=False, drop=False):
        self.status = status
        self.body = body          # JSON-serialisable object or None
        self.raw = raw            # bytes, sent verbatim when not None
        self.headers = dict(headers or {})
        self.content_length = content_length
        self.chunked = chunked
        self.drop = drop
        # hostile ways of sending (see HOSTILE_ACTIONS)
        self.trickle = None       # (seconds per byte, "head" or "body")
        self.cut = None           # send only this many body bytes, then close
        self.endless_headers = None   # seconds to keep sending header lines

    def payload(self):
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body).encode("utf-8")


def okta_error(status, code=None, summary=None, headers=None, sid=""):
    code = code or DEFAULT_CODE_FOR_STATUS.get(status, "E0000009")
    if summary is None:
        summary = ERROR_SUMMARIES.get(code, "Error").replace("{id}", sid)
    return Response(status, error_body(code, summary), headers)


class State:
    """All mutable simulator state, guarded by one lock."""

    def __init__(self, api_token, idle_lifetime):
        self.lock = threading.RLock()
        self.api_token = api_token
        self.idle_lifetime = idle_lifetime
        self.tokens = {}          # token -> dict(login, expires, used, session overrides)
        self.sessions = {}        # id -> dict
        self.requests = []
        self.connections = []
        self.faults = []
        self.seq = 0
        self.conn_seq = 0
        self.generation = threading.Event()   # set on reset: wakes pending delays
        self.rl_window = 0
        self.rl_used = 0
        self.rate_limit = RATE_LIMIT
        self.users = {}           # userId -> user record (see "Users and groups")
        self.authn_users = {}     # login (lower case) -> authn user (see "Authentication API")
        self.transactions = {}    # stateToken -> authn transaction
        self.pushes = []          # every push sent, newest last

    # -- bookkeeping -------------------------------------------------------
    def next_conn(self):
        with self.lock:
            self.conn_seq += 1
            return self.conn_seq

    def add_connection(self, rec):
        with self.lock:
            self.connections.append(rec)

    def record(self, rec):
        with self.lock:
            self.seq += 1
            rec["seq"] = self.seq
            self.requests.append(rec)
            return rec

    def reset(self):
        with self.lock:
            self.requests = []
            self.connections = []
            self.faults = []
            self.pushes = []
            self.generation.set()
            self.generation = threading.Event()

    def rate_headers(self, remaining=None, reset_at=None):
        with self.lock:
            now = int(time.time())
            window = now - now % 60
            if window != self.rl_window:
                self.rl_window, self.rl_used = window, 0
            self.rl_used += 1
            rem = max(self.rate_limit - self.rl_used, 0)
        return {
            "X-Rate-Limit-Limit": str(self.rate_limit),
            "X-Rate-Limit-Remaining": str(rem if remaining is None else remaining),
            "X-Rate-Limit-Reset": str(window + 60 if reset_at is None else reset_at),
        }

    # -- tokens & sessions -------------------------------------------------
    def mint(self, spec):
        login = spec.get("login")
        if not isinstance(login, str) or not login:
            raise ValueError("login (non-empty string) required")
        ttl = spec.get("ttl", 300)
        token = spec.get("token")
        if token is None:
            token = "20111" + rand(41, TOKEN_CHARS)
        if not isinstance(token, str):
            raise ValueError("token must be a string")
        overrides = spec.get("session") or {}
        if not isinstance(overrides, dict):
            raise ValueError("session must be an object")
        idle = spec.get("idle_lifetime", self.idle_lifetime)
        with self.lock:
            self.tokens[token] = {
                "login": login,
                "expires": time.time() + float(ttl),
                "used": False,
                "overrides": overrides,
                "idle": float(idle),
                "amr": spec.get("amr", ["pwd"]),
                "verification": verification_spec(spec),
            }
        return {"sessionToken": token, "userId": user_id_for(login)}

    def redeem(self, token):
        """Consume a session token; returns the new session or None."""
        with self.lock:
            t = self.tokens.get(token)
            if t is None or t["used"]:
                return None
            t["used"] = True   # one-time, even when expired
            if time.time() > t["expires"]:
                return None
            now = time.time()
            sid = "102" + rand(22)
            overrides = copy.deepcopy(t["overrides"])
            if isinstance(overrides.get("id"), str):
                sid = overrides["id"]
            s = {
                "id": sid,
                "login": t["login"],
                "userId": user_id_for(t["login"]),
                "createdAt": now,
                "expiresAt": now + t["idle"],
                "idle": t["idle"],
                "lastPasswordVerification": now,
                "lastFactorVerification": now,
                "amr": list(t["amr"]),
                "revoked": False,
                "forced_expired": False,
                "refresh_count": 0,
                "overrides": overrides,
            }
            apply_verification(s, t["verification"])
            self.sessions[sid] = s
            return s

    def live_session(self, sid):
        with self.lock:
            s = self.sessions.get(sid)
            if s is None or s["revoked"] or self.expired(s):
                return None
            return s

    @staticmethod
    def expired(s):
        return s["forced_expired"] or time.time() > s["expiresAt"]

    def refresh(self, sid):
        with self.lock:
            s = self.live_session(sid)
            if s is None:
                return None
            # strictly increasing, so a test can tell two refreshes apart
            s["expiresAt"] = max(time.time() + s["idle"], s["expiresAt"] + 0.001)
            s["refresh_count"] += 1
            return s

    def revoke(self, sid):
        with self.lock:
            s = self.live_session(sid)
            if s is None:
                return False
            s["revoked"] = True
            return True

    def render(self, s, base_url):
        body = {
            "id": s["id"],
            "userId": s["userId"],
            "login": s["login"],
            "status": "ACTIVE",
            "createdAt": iso(s["createdAt"]),
            "expiresAt": iso(s["expiresAt"]),
            "lastPasswordVerification": iso(s["lastPasswordVerification"]),
            "lastFactorVerification": iso(s["lastFactorVerification"]),
            "amr": s["amr"],
            "idp": {"id": "00o" + user_id_for("idp")[3:], "type": "OKTA"},
            "_links": {
                "self": {
                    "href": "%s%s/%s" % (base_url, API, s["id"]),
                    "hints": {"allow": ["DELETE"]},
                },
            },
        }
        for k, v in s["overrides"].items():
            if k.startswith("-"):          # {"-login": null} removes "login"
                body.pop(k[1:], None)
            else:
                body[k] = v
        return body

    def internal_view(self, s):
        with self.lock:
            return {
                "id": s["id"],
                "login": s["login"],
                "userId": s["userId"],
                "revoked": s["revoked"],
                "expired": self.expired(s),
                "expiresAt": iso(s["expiresAt"]),
                "refresh_count": s["refresh_count"],
            }

    # -- faults ------------------------------------------------------------
    def take_fault(self, route):
        with self.lock:
            for f in self.faults:
                if f["route"] in (route, "any"):
                    if f.get("skip"):     # let the next `skip` matching requests pass
                        f["skip"] -= 1
                        return None
                    if f.get("count") is not None:
                        f["count"] -= 1
                        if f["count"] <= 0:
                            self.faults.remove(f)
                    return dict(f)
        return None


# -- Users, groups and verification times (access-policy tests) ------------------
GROUP_PAGE_MAX = 200


def group_id_for(name):
    """Stable Okta-like group id (00g + 17 chars) for a group name."""
    digest = hashlib.sha256(("group:" + name).encode("utf-8")).digest()
    return "00g" + "".join(ALNUM[b % len(ALNUM)] for b in digest[:17])


def verification_spec(spec):
    """Mint options last_password_age / last_factor_age: seconds before the
    session is created (a number), or None to send the field as null."""
    out = {}
    for key in ("last_password_age", "last_factor_age"):
        if key in spec:
            age = spec[key]
            if age is not None and not isinstance(age, (int, float)):
                raise ValueError("%s must be a number or null" % key)
            out[key] = age
    return out


def apply_verification(s, verification):
    for key, field in (("last_password_age", "lastPasswordVerification"),
                       ("last_factor_age", "lastFactorVerification")):
        if key not in verification:
            continue
        if verification[key] is None:
            s["overrides"].setdefault(field, None)
        else:
            s[field] = s["createdAt"] - float(verification[key])


# objectClass by GroupType, as Okta sends them (an APP_GROUP imported from
# AD is a windows_security_principal; LDAP and other apps have their own).
GROUP_OBJECT_CLASS = {"OKTA_GROUP": "okta:user_group", "BUILT_IN": "okta:user_group",
                      "APP_GROUP": "okta:windows_security_principal"}


def make_group(entry):
    """A Group object. entry: a name (an OKTA_GROUP) or {"name", "id"?,
    "type"?}; "type": None leaves the field out (Okta always sends it)."""
    if isinstance(entry, str):
        entry = {"name": entry}
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise ValueError("a group is a name or {\"name\", \"id\"?, \"type\"?}")
    gtype = entry.get("type", "OKTA_GROUP")
    # Names are unique only among OKTA_GROUP groups: another type's group
    # of the same name is another group, with its own id.
    gid = entry.get("id") or group_id_for(entry["name"] if gtype == "OKTA_GROUP"
                                          else "%s:%s" % (gtype, entry["name"]))
    group = {
        "id": gid,
        "created": "2024-01-02T03:04:05.000Z",
        "lastUpdated": "2024-01-02T03:04:05.000Z",
        "lastMembershipUpdated": "2024-01-02T03:04:05.000Z",
        "objectClass": [GROUP_OBJECT_CLASS.get(gtype, "okta:user_group")],
        "type": gtype,
        "profile": {"name": entry["name"], "description": entry.get("description", "")},
    }
    if gtype is None:
        del group["type"]
    return group


def add_user(st, spec):
    """POST /users: {"login", "groups": [name | {"name","id"?,"type"?}],
    "link_base"?, "next_link"?}. Replaces an existing user of that login."""
    login = spec.get("login")
    if not isinstance(login, str) or not login:
        raise ValueError("login (non-empty string) required")
    groups = spec.get("groups") or []
    if not isinstance(groups, list):
        raise ValueError("groups must be a list")
    user = {
        "login": login,
        "id": user_id_for(login),
        "groups": [make_group(g) for g in groups],
        "link_base": spec.get("link_base"),
        "next_link": spec.get("next_link"),
    }
    with st.lock:
        st.users[user["id"]] = user
    return {"userId": user["id"],
            "groups": [{"id": g["id"], "name": g["profile"]["name"]} for g in user["groups"]]}


def find_user(st, key):
    """A user by id or login (case-insensitive), as Okta's {id} accepts both."""
    with st.lock:
        if key in st.users:
            return st.users[key]
        for user in st.users.values():
            if user["login"].lower() == key.lower():
                return user
    return None


class LinkedResponse(Response):
    """A response with headers that repeat (Okta sends one Link header per link)."""

    def __init__(self, status, body, links):
        super().__init__(status, body)
        self.repeated_headers = [("Link", link) for link in links]


def groups_answer(st, base_url, user_key, raw_path):
    """GET /api/v1/users/{id}/groups?limit=&after= with Okta's Link paging."""
    user = find_user(st, user_key)
    if user is None:
        return okta_error(404, "E0000007",
                          "Not found: Resource not found: %s (User)" % user_key)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(raw_path).query)
    try:
        limit = int(query.get("limit", [str(GROUP_PAGE_MAX)])[0])
    except ValueError:
        limit = 0
    if limit < 1:
        return okta_error(400, "E0000001", "Api validation failed: limit")
    limit = min(limit, GROUP_PAGE_MAX)
    groups = user["groups"]
    start = 0
    if "after" in query:
        ids = [g["id"] for g in groups]
        if query["after"][0] not in ids:
            return okta_error(400, "E0000001", "Api validation failed: after")
        start = ids.index(query["after"][0]) + 1
    page = groups[start:start + limit]
    base = "%s/api/v1/users/%s/groups" % (user["link_base"] or base_url, user["id"])
    self_query = "limit=%d" % limit if "after" not in query else \
        "after=%s&limit=%d" % (query["after"][0], limit)
    links = ['<%s?%s>; rel="self"' % (base, self_query)]
    if start + limit < len(groups):
        nxt = user["next_link"] or "%s?after=%s&limit=%d" % (base, page[-1]["id"], limit)
        links.append('<%s>; rel="next"' % nxt)
    return LinkedResponse(200, page, links)


# -- Authentication API (Classic /api/v1/authn) ----------------------------------
# Users registered with POST /authn/users sign in with a password, then MFA.
# A transaction lives under one stateToken until it ends (SUCCESS, cancel,
# a refusal): after that the token is refused (one-time).
AUTHN_USER_STATES = ("ACTIVE", "PASSWORD_WARN", "PASSWORD_EXPIRED", "LOCKED_OUT",
                     "MFA_ENROLL", "MFA_ENROLL_ACTIVATE")
PUSH_OUTCOMES = ("approve", "reject", "ignore", "timeout")
TOTP_STEP = 30


def totp_code(secret_b32, at=None, digits=6):
    """RFC 6238 TOTP (HMAC-SHA1, 30 s steps) of a base32 secret."""
    import base64
    import hmac
    import struct
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // TOTP_STEP)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return "%0*d" % (digits, code)


def factor_id_for(login, kind):
    digest = hashlib.sha256(("factor:%s:%s" % (login.lower(), kind)).encode()).digest()
    prefix = {"push": "opf", "totp": "ost", "google": "uft"}.get(kind, "mbl")
    return prefix + "".join(ALNUM[b % len(ALNUM)] for b in digest[:17])


def make_factor(login, spec):
    """{"type": "push", "number_matching"?, "auto"?, "after_polls"?} or
    {"type": "totp", "provider"?: "OKTA"|"GOOGLE", "secret": base32}, or any
    other {"type": factorType, "provider"} (listed, never verified)."""
    kind = spec.get("type")
    if kind == "push":
        auto = spec.get("auto", "ignore")
        if auto not in PUSH_OUTCOMES:
            raise ValueError("push auto must be one of %s" % (PUSH_OUTCOMES,))
        return {"id": factor_id_for(login, "push"), "factorType": "push", "provider": "OKTA",
                "number_matching": bool(spec.get("number_matching")), "auto": auto,
                "after_polls": int(spec.get("after_polls", 1))}
    if kind == "totp":
        provider = spec.get("provider", "OKTA")
        if not isinstance(spec.get("secret"), str):
            raise ValueError("a totp factor needs its base32 secret")
        totp_code(spec["secret"])   # refuse a secret that is not base32
        return {"id": factor_id_for(login, "totp" if provider == "OKTA" else "google"),
                "factorType": "token:software:totp", "provider": provider,
                "secret": spec["secret"]}
    if isinstance(kind, str):
        return {"id": factor_id_for(login, kind), "factorType": kind,
                "provider": spec.get("provider", "OKTA")}
    raise ValueError("a factor needs a type")


def add_authn_user(st, spec):
    """POST /authn/users: {"login", "password", "state"?: one of
    AUTHN_USER_STATES, "factors"?: [factor specs], "links"?: {"next"|"skip"|
    "cancel"|"verify": URL replacing ours}, "amr"?}."""
    login, password = spec.get("login"), spec.get("password")
    if not isinstance(login, str) or not login or not isinstance(password, str):
        raise ValueError("login and password (strings) required")
    state = spec.get("state", "ACTIVE")
    if state not in AUTHN_USER_STATES:
        raise ValueError("state must be one of %s" % (AUTHN_USER_STATES,))
    factors = [make_factor(login, f) for f in spec.get("factors") or []]
    links = spec.get("links") or {}
    if not isinstance(links, dict):
        raise ValueError("links must be an object")
    user = {"login": login, "password": password, "state": state, "factors": factors,
            "links": links}
    with st.lock:
        st.authn_users[login.lower()] = user
    return {"userId": user_id_for(login),
            "factors": [{"id": f["id"], "factorType": f["factorType"]} for f in factors]}


# The authn answers copy the examples of Okta's Authentication API reference
# field for field (which example each one follows: tests/sim/README.md).
POST_HINTS = {"allow": ["POST"]}
ENROLL_DEFAULT = ({"type": "push", "provider": "OKTA", "enrollment": "REQUIRED"},
                  {"type": "token:software:totp", "provider": "OKTA"},
                  {"type": "token:software:totp", "provider": "GOOGLE"})
PASSWORD_COMPLEXITY = {"minLength": 8, "minLowerCase": 1, "minUpperCase": 1, "minNumber": 1,
                       "minSymbol": 0}


def embedded_user(login):
    """_embedded.user of every transaction: id, passwordChanged, profile."""
    local = login.split("@")[0]
    return {"id": user_id_for(login), "passwordChanged": "2026-09-08T20:14:45.000Z",
            "profile": {"login": login, "firstName": local.capitalize(), "lastName": "Example",
                        "locale": "en_US", "timeZone": "America/Los_Angeles"}}


def factor_profile(login, f):
    if f["factorType"] == "push":
        return {"credentialId": login, "deviceType": "SmartPhone_IPhone", "name": "Phone",
                "platform": "IOS", "version": "17.0"}
    if f["factorType"].startswith("token"):
        return {"credentialId": login}
    return {}


def public_factor(base_url, f, links, login=""):
    out = {"id": f["id"], "factorType": f["factorType"], "provider": f["provider"],
           "vendorName": f["provider"], "profile": factor_profile(login, f)}
    out["_links"] = {"verify": {
        "href": links.get("verify") or "%s/api/v1/authn/factors/%s/verify" % (base_url, f["id"]),
        "hints": POST_HINTS}}
    return out


def enrollable_factor(base_url, spec):
    """A factor type MFA_ENROLL offers: no id, status NOT_SETUP, an enroll link."""
    provider = spec.get("provider", "OKTA")
    return {"factorType": spec["type"] if spec["type"] != "totp" else "token:software:totp",
            "provider": provider, "vendorName": provider,
            "_links": {"enroll": {"href": base_url + "/api/v1/authn/factors", "hints": POST_HINTS}},
            "status": "NOT_SETUP", "enrollment": spec.get("enrollment", "OPTIONAL")}


class Authn:
    """The authn endpoints. Methods answer a Response; `st` is the State."""

    def __init__(self, st, base_url):
        self.st, self.base = st, base_url

    # -- answers -------------------------------------------------------------
    def transaction(self, tx, status, extra=None, links=None):
        user = tx["user"]
        body = {"stateToken": tx["token"], "expiresAt": iso(tx["expires"]), "status": status,
                "_embedded": {"user": embedded_user(user["login"])},
                "_links": {"cancel": {"href": self.link(user, "cancel", "/api/v1/authn/cancel"),
                                      "hints": POST_HINTS}}}
        body["_links"].update(links or {})
        for k, v in (extra or {}).items():
            if k == "_embedded":
                body["_embedded"].update(v)
            else:
                body[k] = v
        return Response(200, body)

    def link(self, user, name, path):
        return user["links"].get(name) or self.base + path

    def success(self, tx, amr):
        minted = self.st.mint({"login": tx["user"]["login"], "amr": amr})
        self.end(tx)
        return Response(200, {
            "expiresAt": iso(time.time() + 300), "status": "SUCCESS",
            "sessionToken": minted["sessionToken"],
            "_embedded": {"user": embedded_user(tx["user"]["login"])}})

    def end(self, tx):
        with self.st.lock:
            tx["ended"] = True

    def after_password(self, tx, skip_warning=False):
        """The state a transaction reaches once the password is right. A
        user with factors is challenged for MFA before PASSWORD_EXPIRED (the
        reference's note on the expired-password example) and before
        PASSWORD_WARN, which comes "before SUCCESS" (its options object):
        after_mfa() takes the transaction on from there."""
        user = tx["user"]
        state = user["state"]
        if user["factors"] and state in ("PASSWORD_WARN", "PASSWORD_EXPIRED") \
                and not tx.get("mfa_done"):
            return self.mfa_required(tx)
        if state == "PASSWORD_WARN" and not skip_warning and tx["warn"]:
            tx["status"] = "PASSWORD_WARN"
            return self.transaction(tx, "PASSWORD_WARN", {"_embedded": {"policy": {
                "expiration": {"passwordExpireDays": 5},
                "complexity": PASSWORD_COMPLEXITY}}}, {
                    "next": self.change_password_link(),
                    "skip": {"name": "skip", "href": self.link(user, "skip", "/api/v1/authn/skip"),
                             "hints": POST_HINTS}})
        if state in ("PASSWORD_EXPIRED", "MFA_ENROLL", "MFA_ENROLL_ACTIVATE"):
            tx["status"] = state
            return getattr(self, state.lower())(tx)
        if not user["factors"]:
            return self.success(tx, tx.get("amr", ["pwd"]))
        if tx.get("mfa_done"):
            return self.success(tx, tx["amr"])
        return self.mfa_required(tx)

    def mfa_required(self, tx):
        user = tx["user"]
        tx["status"] = "MFA_REQUIRED"
        factors = [public_factor(self.base, f, user["links"], user["login"])
                   for f in user["factors"]]
        return self.transaction(tx, "MFA_REQUIRED", {"_embedded": {"factors": factors}})

    def after_mfa(self, tx, amr):
        """A factor verified: SUCCESS, or the password state MFA came before."""
        tx["mfa_done"], tx["amr"], tx["push"] = True, amr, None
        return self.after_password(tx)

    def change_password_link(self):
        return {"name": "changePassword",
                "href": self.base + "/api/v1/authn/credentials/change_password",
                "hints": POST_HINTS}

    def password_expired(self, tx):
        return self.transaction(tx, "PASSWORD_EXPIRED", {"_embedded": {"policy": {
            "complexity": PASSWORD_COMPLEXITY}}}, {"next": self.change_password_link()})

    def mfa_enroll(self, tx):
        """The factor types the user may set up (the user's factor specs, by
        default Okta Verify required and TOTP optional): none has an id."""
        specs = [{"type": f["factorType"], "provider": f["provider"]}
                 for f in tx["user"]["factors"]] or ENROLL_DEFAULT
        return self.transaction(tx, "MFA_ENROLL", {"_embedded": {
            "factors": [enrollable_factor(self.base, spec) for spec in specs]}})

    def mfa_enroll_activate(self, tx):
        """Okta Verify set up but not activated: the activation poll, the QR
        code and the links that send the activation by e-mail or SMS."""
        login = tx["user"]["login"]
        fid = factor_id_for(login, "push")
        factor_url = "%s/api/v1/users/%s/factors/%s" % (self.base, user_id_for(login), fid)
        activation = {"expiresAt": iso(tx["expires"]), "_links": {
            "qrcode": {"href": factor_url + "/qr/00" + rand(40, TOKEN_CHARS),
                       "type": "image/png"},
            "send": [{"name": way, "href": factor_url + "/lifecycle/activate/" + way,
                      "hints": POST_HINTS} for way in ("email", "sms")]}}
        return self.transaction(tx, "MFA_ENROLL_ACTIVATE", {
            "factorResult": "WAITING",
            "_embedded": {"factor": {"id": fid, "factorType": "push", "provider": "OKTA",
                                     "_embedded": {"activation": activation}}}}, {
            "next": {"name": "poll",
                     "href": "%s/api/v1/authn/factors/%s/lifecycle/activate/poll" % (
                         self.base, fid), "hints": POST_HINTS},
            "prev": {"href": self.base + "/api/v1/authn/previous", "hints": POST_HINTS}})

    # -- endpoints -------------------------------------------------------------
    def primary(self, req):
        if not isinstance(req, dict) or not isinstance(req.get("username"), str) \
                or not isinstance(req.get("password"), str):
            return okta_error(400, "E0000001", "Api validation failed: username")
        with self.st.lock:
            user = self.st.authn_users.get(req["username"].lower())
        if user is not None and user["state"] == "LOCKED_OUT":
            return Response(200, {"status": "LOCKED_OUT", "_links": {"next": {
                "name": "unlock", "href": self.base + "/api/v1/authn/recovery/unlock",
                "hints": POST_HINTS}}})
        if user is None or not secrets.compare_digest(req["password"].encode(),
                                                      user["password"].encode()):
            return okta_error(401, "E0000004")
        options = req.get("options") or {}
        tx = {"token": "00" + rand(40, TOKEN_CHARS), "user": user, "status": None,
              "expires": time.time() + 300, "ended": False, "push": None,
              "warn": bool(options.get("warnBeforePasswordExpired"))}
        with self.st.lock:
            self.st.transactions[tx["token"]] = tx
        return self.after_password(tx)

    def live_tx(self, req):
        token = req.get("stateToken") if isinstance(req, dict) else None
        with self.st.lock:
            tx = self.st.transactions.get(token) if isinstance(token, str) else None
            if tx is None or tx["ended"] or time.time() > tx["expires"]:
                return None
            return tx

    def skip(self, req):
        tx = self.live_tx(req)
        if tx is None:
            return okta_error(401, "E0000011")
        if tx["status"] != "PASSWORD_WARN":
            return okta_error(403, "E0000079", "This operation is not allowed in the current "
                              "authentication state.")
        return self.after_password(tx, skip_warning=True)

    def cancel(self, req):
        tx = self.live_tx(req)
        if tx is None:
            return okta_error(401, "E0000011")
        tx["cancelled"] = True
        self.end(tx)
        return Response(200, {"status": "UNAUTHENTICATED"})

    def verify(self, fid, req):
        tx = self.live_tx(req)
        if tx is None:
            return okta_error(401, "E0000011")
        factor = next((f for f in tx["user"]["factors"] if f["id"] == fid), None)
        if factor is None or tx["status"] not in ("MFA_REQUIRED", "MFA_CHALLENGE"):
            return okta_error(404, "E0000007", "Not found: Resource not found: %s (Factor)" % fid)
        if factor["factorType"] == "token:software:totp":
            return self.verify_totp(tx, factor, req)
        if factor["factorType"] != "push":
            return okta_error(400, "E0000001", "Api validation failed: factorType")
        if tx["push"] is not None and tx["push"]["factor"] == fid:
            return self.poll(tx)
        return self.send_push(tx, factor)

    def verify_totp(self, tx, factor, req):
        code = req.get("passCode")
        now = time.time()
        good = [totp_code(factor["secret"], now + d * TOTP_STEP) for d in (-1, 0, 1)]
        if not isinstance(code, str) or code not in good:
            return okta_error(403, "E0000068")
        # one use per code, as Okta's error list has it (E0000082)
        with self.st.lock:
            if code in factor.setdefault("used", []):
                return okta_error(403, "E0000082")
            factor["used"].append(code)
        return self.after_mfa(tx, ["pwd", "otp", "mfa"])

    def send_push(self, tx, factor):
        push = {"id": len(self.st.pushes) + 1, "login": tx["user"]["login"],
                "factor": factor["id"], "state": "WAITING", "polls": 0,
                "auto": factor["auto"], "after_polls": factor["after_polls"],
                "correctAnswer": secrets.randbelow(90) + 10 if factor["number_matching"] else None,
                "answered": None, "time": time.time()}
        with self.st.lock:
            self.st.pushes.append(push)
            tx["push"] = push
            tx["status"] = "MFA_CHALLENGE"
        return self.challenge(tx)

    def challenge(self, tx):
        push, user = tx["push"], tx["user"]
        factor = next(f for f in user["factors"] if f["id"] == push["factor"])
        # as the reference's push examples: id, factorType, provider, profile
        # (no vendorName, no links), under "factors", an object
        embedded = public_factor(self.base, factor, user["links"], user["login"])
        del embedded["_links"], embedded["vendorName"]
        del embedded["profile"]["credentialId"]
        if push["correctAnswer"] is not None:
            embedded["_embedded"] = {"challenge": {"correctAnswer": push["correctAnswer"]}}
        poll = user["links"].get("next") or \
            "%s/api/v1/authn/factors/%s/verify" % (self.base, factor["id"])
        result = {"WAITING": "WAITING", "rejected": "REJECTED", "timeout": "TIMEOUT"}
        return self.transaction(tx, "MFA_CHALLENGE", {
            "factorResult": result[push["state"]], "_embedded": {"factors": embedded}}, {
            "next": {"name": "poll" if push["state"] == "WAITING" else "verify", "href": poll,
                     "hints": POST_HINTS},
            "prev": {"href": self.base + "/api/v1/authn/previous", "hints": POST_HINTS},
            "resend": [{"name": "push", "href": "%s/api/v1/authn/factors/%s/verify/resend" % (
                self.base, factor["id"]), "hints": POST_HINTS}]})

    def poll(self, tx):
        push = tx["push"]
        with self.st.lock:
            push["polls"] += 1
            if push["state"] == "WAITING" and push["auto"] != "ignore" \
                    and push["polls"] >= push["after_polls"]:
                push["state"] = {"approve": "approved", "reject": "rejected",
                                 "timeout": "timeout"}[push["auto"]]
            state = push["state"]
        if state == "approved":
            return self.after_mfa(tx, ["pwd", "mfa", "swk"])
        return self.challenge(tx)   # the transaction stays open (it may be cancelled)


def answer_push(st, login, action, spec):
    """Control: approve or reject the newest waiting push of `login`. With
    number matching, approving needs "answer" equal to the number shown
    (any other answer rejects the push, as Okta Verify does)."""
    with st.lock:
        waiting = [p for p in st.pushes if p["login"].lower() == login.lower()
                   and p["state"] == "WAITING"]
        if not waiting:
            return None
        push = waiting[-1]
        push["answered"] = spec.get("answer")
        if action == "approve" and (push["correctAnswer"] is None or
                                    spec.get("answer") == push["correctAnswer"]):
            push["state"] = "approved"
        else:
            push["state"] = "rejected"
        return dict(push)


def authn_answer(st, base_url, route, fid, body):
    try:
        req = json.loads(body.decode("utf-8")) if body else {}
    except (ValueError, UnicodeDecodeError):
        return okta_error(400, "E0000003")
    if not isinstance(req, dict):
        return okta_error(400, "E0000003")
    authn = Authn(st, base_url)
    if route == "authn":
        return authn.primary(req)
    if route == "authn_skip":
        return authn.skip(req)
    if route == "authn_cancel":
        return authn.cancel(req)
    return authn.verify(urllib.parse.unquote(fid), req)


def authn_route(st, route, body):
    """A verify request that polls a push already sent is the route
    "authn_poll" (for faults and the request log)."""
    if route != "authn_verify":
        return route
    try:
        token = json.loads(body.decode("utf-8")).get("stateToken")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return route
    with st.lock:
        tx = st.transactions.get(token) if isinstance(token, str) else None
        if tx is not None and tx["push"] is not None and tx["status"] == "MFA_CHALLENGE":
            return "authn_poll"
    return route


def classify(method, path):
    """Returns (route, session id or None, known_path)."""
    for name, meth, rx in ROUTE_RE:
        m = rx.match(path)
        if m:
            sid = m.group(1) if m.groups() else None
            if meth == method:
                return name, sid, True
    known = any(rx.match(path) for _, _, rx in ROUTE_RE)
    return None, None, known


class OktaHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "okta-sim/1.0"
    timeout = 30
    # Headers and body go out in two writes; with Nagle the body waits for
    # the client's delayed ACK (40 ms on Linux), a stall real Okta does not
    # have (bench/RESULTS.md measured 3 x 40 ms per login without this).
    disable_nagle_algorithm = True

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        log("conn %s: %s" % (getattr(self, "conn_id", "?"), fmt % args))

    def setup(self):
        super().setup()
        self.conn_id = self.client_address.conn_id

    # Every method goes through dispatch().
    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if te.lower() == "chunked":
            out = b""
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline(16)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def dispatch(self):
        st = self.server.state
        gen = st.generation
        body = self.read_body()
        rec = st.record({
            "conn": self.conn_id,
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "header_list": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("utf-8", "backslashreplace"),
            "status": None,
            "fault": None,
            "time": time.time(),
        })
        try:
            resp = self.answer(st, gen, rec, body)
        except Exception:  # a simulator bug: make it visible
            traceback.print_exc()
            resp = okta_error(500)
        self.send(st, rec, resp)

    def answer(self, st, gen, rec, body):
        path = urllib.parse.urlsplit(self.path).path
        route, sid, known = classify(self.command, path)
        route = authn_route(st, route, body)
        rec["route"] = route
        fault = st.take_fault(route or "other")
        if fault is not None:
            rec["fault"] = fault["action"]
            resp = self.apply_fault(st, gen, fault, route, sid)
            if resp is not None:
                return resp
            last = fault
            while last.get("action") == "delay" and isinstance(last.get("then"), dict):
                last = last["then"]
            transform = HOSTILE_ACTIONS.get(last.get("action"))
            if transform is not None:
                return transform(self.normal(st, body, path, route, sid, known), last)
        return self.normal(st, body, path, route, sid, known)

    @staticmethod
    def pad(resp, fault):
        """The normal answer (a real, usable session) padded to `size` bytes."""
        size = int(fault.get("size", 2 * 1024 * 1024))
        body = resp.body if isinstance(resp.body, dict) else {}
        body = dict(body, padding="")
        pad = max(size - len(json.dumps(body).encode()), 0)
        body["padding"] = "x" * pad
        return Response(int(fault.get("status", resp.status or 200)), body, resp.headers)

    def normal(self, st, body, path, route, sid, known):
        auth = self.headers.get("Authorization")
        if auth != "SSWS " + st.api_token:
            return okta_error(401, "E0000011")
        if route is None:
            if known:
                return okta_error(405, "E0000022")
            return okta_error(404, "E0000007", "Not found: Resource not found: %s (Session)"
                              % path.rsplit("/", 1)[-1])
        if route == "create":
            try:
                req = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                req = None
            if not isinstance(req, dict) or not isinstance(req.get("sessionToken"), str):
                return okta_error(400, "E0000003")
            s = st.redeem(req["sessionToken"])
            if s is None:
                return okta_error(401, "E0000004")
            return Response(200, st.render(s, self.server.base_url))
        if route in AUTHN_ROUTES:
            return authn_answer(st, self.server.base_url, route, sid, body)
        if route == "groups":
            return groups_answer(st, self.server.base_url, urllib.parse.unquote(sid), self.path)
        sid = urllib.parse.unquote(sid)
        if route == "get":
            s = st.live_session(sid)
        elif route == "refresh":
            s = st.refresh(sid)
        else:
            s = st.live_session(sid)
            if s is not None:
                st.revoke(sid)
                return Response(204)
        if s is None:
            return okta_error(404, "E0000007", sid=sid)
        return Response(200, st.render(s, self.server.base_url))

    def apply_fault(self, st, gen, f, route, sid):
        """Returns a Response, or None to answer normally."""
        action = f.get("action")
        if action == "delay":
            if gen.wait(float(f.get("seconds", 1))):
                return Response(0, drop=True)   # reset while sleeping
            then = f.get("then")
            if isinstance(then, dict):
                return self.apply_fault(st, gen, then, route, sid)
            return None
        if action == "status":
            status = int(f.get("status", 500))
            hdrs = dict(f.get("headers") or {})
            if status == 429:
                hdrs.setdefault("X-Rate-Limit-Remaining", "0")
                hdrs.setdefault("X-Rate-Limit-Reset",
                                str(int(time.time() + float(f.get("reset_in", 2)))))
            return okta_error(status, f.get("errorCode"), f.get("errorSummary"),
                              hdrs, sid=urllib.parse.unquote(sid or ""))
        if action == "malformed":
            return Response(int(f.get("status", 200)),
                            raw=f.get("body", '{"id": "abc", "status": ').encode())
        if action in HOSTILE_ACTIONS:
            return None   # answer() transforms the normal answer
        if action == "drop":
            return Response(0, drop=True)
        if action == "redirect":
            loc = f.get("location") or "%s%s" % (self.server.base_url, self.path)
            return Response(int(f.get("status", 302)), raw=b"",
                            headers=dict({"Location": loc}, **(f.get("headers") or {})))
        if action == "raw":
            return Response(int(f.get("status", 200)),
                            raw=f.get("body", "").encode("utf-8", "surrogateescape"),
                            headers=f.get("headers") or {},
                            content_length=not f.get("no_content_length", False),
                            chunked=bool(f.get("chunked", False)))
        sys.stderr.write("okta_sim: unknown fault action %r\n" % action)
        return None

    def send(self, st, rec, resp):
        if resp.drop:
            rec["status"] = None
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        rec["status"] = resp.status
        payload = resp.payload()
        rec["response_body"] = payload[:8192].decode("utf-8", "backslashreplace")
        if resp.trickle or resp.cut is not None or resp.endless_headers:
            self.close_connection = True
        # A body cut short or ended by the close: the close is an orderly TLS
        # one (close_notify), so the client sees what the fault means, the
        # bytes missing. Without it OpenSSL 3.5 (curl 8.14) reports the
        # unexpected EOF itself, and OpenSSL 3.0 (curl 7.88) does not.
        self.orderly_close = (resp.cut is not None or not resp.content_length) \
            and not resp.chunked and not resp.trickle and not resp.endless_headers
        if resp.trickle:
            self.wfile = TrickleWriter(self.wfile, resp.trickle[0], st.generation,
                                       paced=resp.trickle[1] == "head")
        if resp.cut is not None:
            payload_sent = payload[:resp.cut]
        else:
            payload_sent = payload
        try:
            self.send_response(resp.status)
            hdrs = st.rate_headers()
            if payload or resp.raw is None and resp.body is not None:
                hdrs["Content-Type"] = "application/json"
            if resp.chunked:
                hdrs["Transfer-Encoding"] = "chunked"
            elif resp.content_length:
                hdrs["Content-Length"] = str(len(payload))
            else:
                self.close_connection = True
            hdrs.update(resp.headers)
            for k, v in hdrs.items():
                self.send_header(k, v)
            for k, v in getattr(resp, "repeated_headers", ()):
                self.send_header(k, v)
            if resp.endless_headers:
                self.send_endless_headers(st.generation, resp.endless_headers)
                return
            self.end_headers()
            if resp.trickle:
                self.wfile.paced = True
            if self.command != "HEAD":
                if resp.chunked:
                    if payload:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.wfile.write(payload_sent)
            self.wfile.flush()
        except OSError as e:
            log("conn %s: write failed: %s" % (self.conn_id, e))
            self.close_connection = True


    def send_endless_headers(self, gen, seconds):
        """Header lines of 1000 bytes, as fast as the client reads them, until
        it hangs up, the simulator is reset or `seconds` have passed."""
        end = time.monotonic() + seconds
        line = 0
        while time.monotonic() < end and not gen.is_set():
            for _ in range(64):
                line += 1
                self.send_header("X-Filler-%d" % line, "x" * 980)
            self.flush_headers()
        self.close_connection = True


class TrickleWriter:
    """Wraps a handler's wfile: once `paced`, writes one byte every
    `interval` seconds (slowloris); stops when the simulator is reset."""

    def __init__(self, raw, interval, gen, paced):
        self.raw, self.interval, self.gen, self.paced = raw, interval, gen, paced

    def write(self, data):
        if not self.paced:
            return self.raw.write(data)
        for i in range(len(data)):
            if self.gen.wait(self.interval):
                raise OSError("reset while trickling")
            self.raw.write(data[i:i + 1])
            self.raw.flush()
        return len(data)

    def flush(self):
        self.raw.flush()

    def __getattr__(self, name):   # closed, close(), ...
        return getattr(self.raw, name)


# -- hostile answers: each turns the normal answer into something nasty ---------
def hostile_trickle(resp, fault):
    resp.trickle = (float(fault.get("interval", 0.1)), fault.get("part", "head"))
    return resp


def hostile_cut(resp, fault):
    resp.cut = int(fault.get("bytes", len(resp.payload()) // 2))
    return resp


def hostile_no_content_length(resp, fault):
    """Body ends at connection close; with `bytes`, after that many bytes."""
    resp.content_length = False
    if "bytes" in fault:
        resp.cut = int(fault["bytes"])
    return resp


def hostile_gzip_bomb(resp, fault):
    """gzip of the normal JSON followed by `size` bytes of white space: ~230:1.
    Decoded without a limit it would even be a valid session. Level 1: level
    9 (~1000:1) took seconds of CPU on a loaded machine, past the tests'
    deadline, and the ratio does not matter to a client that never decodes."""
    size = int(fault.get("size", 64 * 1024 * 1024))
    z = zlib.compressobj(1, zlib.DEFLATED, 31)
    parts = [z.compress(resp.payload())]
    chunk = b" " * (1024 * 1024)
    while size > 0:
        parts.append(z.compress(chunk[:size]))
        size -= len(chunk)
    parts.append(z.flush())
    out = Response(resp.status, raw=b"".join(parts), headers=resp.headers)
    out.headers["Content-Encoding"] = "gzip"
    out.headers["Content-Type"] = "application/json"
    return out


def hostile_huge_headers(resp, fault):
    """`size` bytes of extra header lines, each about `line` bytes long."""
    size = int(fault.get("size", 1024 * 1024))
    line = max(int(fault.get("line", 1000)), 20)
    for i in range(max(size // line, 1)):
        resp.headers["X-Filler-%d" % i] = "x" * (line - 20)
    return resp


def hostile_endless_headers(resp, fault):
    resp.endless_headers = float(fault.get("seconds", 30))
    return resp


def hostile_patch(resp, fault):
    """Byte replacements [[old, new], ...] on the normal body. Strings are
    UTF-8 with surrogateescape, so "\\udcff" stands for the byte 0xff."""
    data = resp.payload()
    for old, new in fault.get("replace", []):
        old = old.encode("utf-8", "surrogateescape")
        if old not in data:
            raise ValueError("patch: %r not in the answer" % old)
        data = data.replace(old, new.encode("utf-8", "surrogateescape"))
    return Response(resp.status, raw=data, headers=resp.headers)


HOSTILE_ACTIONS = {
    "oversized": OktaHandler.pad,
    "trickle": hostile_trickle,
    "cut": hostile_cut,
    "no_content_length": hostile_no_content_length,
    "gzip_bomb": hostile_gzip_bomb,
    "huge_headers": hostile_huge_headers,
    "endless_headers": hostile_endless_headers,
    "patch": hostile_patch,
}


class ConnAddr(tuple):
    """client_address carrying the connection id."""


class OktaServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    request_queue_size = 64

    def __init__(self, state, ctx, bind="127.0.0.1"):
        self.state = state
        self.ctx = ctx
        if ":" in bind:   # an IPv6 address: that family only, no IPv4-mapped fallback
            self.address_family = socket.AF_INET6
        super().__init__((bind, 0), OktaHandler)
        host = "[%s]" % bind if ":" in bind else bind
        self.base_url = "https://%s:%d" % (host, self.server_address[1])

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()

    def get_request(self):
        sock, addr = self.socket.accept()
        # http.server writes headers and body separately: without this,
        # Nagle plus the client's delayed ACK cost 40 ms per response.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        a = ConnAddr(addr)
        a.conn_id = self.state.next_conn()
        return sock, a

    def finish_request(self, request, client_address):
        cid = client_address.conn_id
        crec = {"conn": cid, "time": time.time(), "tls": False, "error": None,
                "tls_version": None, "peer": client_address[0]}
        self.state.add_connection(crec)
        # As long as the module's longest deadline (timeout = 60): under
        # valgrind on a loaded machine a first TLS handshake took over 10 s,
        # and a simulator that gives up first fails the test, not the module.
        request.settimeout(60)
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            crec["error"] = "%s: %s" % (type(e).__name__, e)
            log("conn %d: TLS handshake failed: %s" % (cid, e))
            return
        crec["tls"] = True
        crec["tls_version"] = tls.version()
        handler = None
        try:
            handler = self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                if getattr(handler, "orderly_close", False):
                    tls.settimeout(5)
                    tls.unwrap()   # close_notify, then the client's close
            except (ssl.SSLError, OSError):
                pass
            try:
                tls.close()
            except OSError:
                pass

    def shutdown_request(self, request):
        try:
            request.close()
        except OSError:
            pass


class ControlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "okta-sim-control/1.0"

    def log_message(self, fmt, *args):
        log("control: " + fmt % args)

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return json.loads(raw.decode()) if raw.strip() else {}

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        st = self.server.state
        path = urllib.parse.urlsplit(self.path).path
        parts = [urllib.parse.unquote(p) for p in path.split("/")[1:]]
        try:
            if method == "GET" and parts == ["requests"]:
                with st.lock:
                    return self.reply(200, list(st.requests))
            if method == "GET" and parts == ["connections"]:
                with st.lock:
                    return self.reply(200, list(st.connections))
            if method == "GET" and parts == ["faults"]:
                with st.lock:
                    return self.reply(200, list(st.faults))
            if method == "GET" and parts == ["secrets"]:
                with st.lock:
                    return self.reply(200, [st.api_token] + list(st.tokens) + list(st.sessions)
                                      + list(st.transactions)
                                      + [u["password"] for u in st.authn_users.values()])
            if method == "GET" and parts == ["health"]:
                return self.reply(200, {"ok": True})
            if method == "POST" and parts == ["users"]:
                return self.reply(200, add_user(st, self.body()))
            if method == "POST" and parts == ["authn", "users"]:
                return self.reply(200, add_authn_user(st, self.body()))
            if method == "GET" and parts == ["authn", "pushes"]:
                with st.lock:
                    return self.reply(200, [dict(p) for p in st.pushes])
            if method == "GET" and parts == ["authn", "transactions"]:
                with st.lock:
                    return self.reply(200, [
                        {"login": t["user"]["login"], "status": t["status"],
                         "ended": t["ended"], "cancelled": t.get("cancelled", False)}
                        for t in st.transactions.values()])
            if method == "POST" and len(parts) == 4 and parts[:2] == ["authn", "pushes"] \
                    and parts[3] in ("approve", "reject"):
                push = answer_push(st, parts[2], parts[3], self.body())
                if push is None:
                    return self.reply(404, {"error": "no waiting push for this login"})
                return self.reply(200, push)
            if method == "POST" and parts == ["tokens"]:
                return self.reply(200, st.mint(self.body()))
            if method == "POST" and parts == ["tokens", "bulk"]:
                specs = self.body()
                if not isinstance(specs, list):
                    raise ValueError("a JSON array of token specs required")
                return self.reply(200, [st.mint(spec) for spec in specs])
            if method == "POST" and parts == ["reset"]:
                st.reset()
                return self.reply(200, {"ok": True})
            if method == "POST" and parts == ["faults"]:
                f = self.body()
                if f.get("route") not in ("create", "refresh", "get", "delete", "groups", "any",
                                          "other") + AUTHN_ROUTES:
                    return self.reply(400, {"error": "bad route"})
                if "action" not in f:
                    return self.reply(400, {"error": "action required"})
                with st.lock:
                    st.faults.append(f)
                return self.reply(200, {"ok": True})
            if method == "POST" and parts == ["shutdown"]:
                self.reply(200, {"ok": True})
                self.server.stop_event.set()
                return None
            if len(parts) >= 2 and parts[0] == "sessions":
                sid = "/".join(parts[1:])   # ids may contain '/' (hostile ids)
                action = None
                if method == "POST" and parts[-1] in ("expire", "revoke"):
                    sid, action = "/".join(parts[1:-1]), parts[-1]
                with st.lock:
                    s = st.sessions.get(sid)
                    if s is None:
                        return self.reply(404, {"error": "no such session"})
                    if action == "expire":
                        s["forced_expired"] = True
                    elif action == "revoke":
                        s["revoked"] = True
                    elif method != "GET":
                        return self.reply(405, {"error": "method"})
                    return self.reply(200, st.internal_view(s))
            return self.reply(404, {"error": "unknown control path"})
        except (ValueError, TypeError) as e:
            return self.reply(400, {"error": str(e)})


class ControlServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state, stop_event):
        self.state = state
        self.stop_event = stop_event
        super().__init__(("127.0.0.1", 0), ControlHandler)


def write_state(path, data):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.rename(tmp, path)


def main(argv=None):
    global VERBOSE
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--api-token", required=True)
    p.add_argument("--state-file", required=True)
    p.add_argument("--idle-lifetime", type=float, default=7200)
    p.add_argument("--lifetime", type=float, default=900)
    p.add_argument("--rate-limit", type=int, default=RATE_LIMIT,
                   help="X-Rate-Limit-Limit, requests a minute (default %d)" % RATE_LIMIT)
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--tls-max", choices=("1.0", "1.1"),
                   help="speak only this old TLS version (default: TLS 1.2+)")
    p.add_argument("--bind", default="127.0.0.1",
                   help="address of the HTTPS listener, e.g. ::1 (the control API "
                        "stays on 127.0.0.1)")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="exit when the parent process goes away")
    args = p.parse_args(argv)
    VERBOSE = args.verbose

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if args.tls_max:
        old = {"1.0": "TLSv1", "1.1": "TLSv1_1"}[args.tls_max]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            version = getattr(ssl.TLSVersion, old)
            ctx.minimum_version = ctx.maximum_version = version
        # OpenSSL 3 allows TLS < 1.2 only at security level 0.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.load_cert_chain(args.cert, args.key)

    stop = threading.Event()
    state = State(args.api_token, args.idle_lifetime)
    state.rate_limit = args.rate_limit
    okta = OktaServer(state, ctx, args.bind)
    control = ControlServer(state, stop)
    for srv in (okta, control):
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    write_state(args.state_file, {"https_port": okta.server_address[1],
                                  "control_port": control.server_address[1],
                                  "pid": os.getpid()})
    log("listening https=%d control=%d" % (okta.server_address[1],
                                           control.server_address[1]))
    deadline = time.monotonic() + args.lifetime
    parent = os.getppid()
    while not stop.is_set() and time.monotonic() < deadline:
        stop.wait(min(0.5, max(deadline - time.monotonic(), 0.01)))
        if args.exit_with_parent and os.getppid() != parent:
            log("parent %d went away" % parent)
            break
    okta.shutdown()
    control.shutdown()
    okta.server_close()
    control.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
