#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The baseline: what an administrator would write by hand instead of
# pam_okta_session, run by pam_exec.so under the same PAM stack:
#
#   auth    required pam_exec.so expose_authtok quiet /path/okta-login.sh CONF
#   session required pam_exec.so quiet /path/okta-login.sh CONF
#
# auth: createSession with the token from stdin, check it is ACTIVE and is
# the PAM user's login, refresh it, keep the id in STATE_DIR/<user>.
# open_session: refresh it again and check it is still the user's.
# CONF (root, 0600) sets ORG_URL, CA_FILE, AUTH_HEADER_FILE (a file holding
# "Authorization: SSWS <api token>", so the token is not on a command line),
# LOGIN_SUFFIX and STATE_DIR. Any failure exits non-zero: the login fails.
set -euo pipefail
umask 077
# shellcheck source=/dev/null
. "$1"

# okta METHOD PATH: request body on stdin; prints the body, fails unless 200
okta() {
	local out status
	out=$(curl -sS --max-time 10 --proto =https --cacert "$CA_FILE" \
		-H @"$AUTH_HEADER_FILE" -H 'Accept: application/json' \
		-H 'Content-Type: application/json' -X "$1" --data-binary @- \
		-w '\n%{http_code}' "$ORG_URL$2")
	status=${out##*$'\n'}
	# (the path holds the session id: not in the message)
	[ "$status" = 200 ] || { echo "okta-login: $1 request: HTTP $status" >&2; return 1; }
	printf '%s' "${out%$'\n'*}"
}

# check_session JSON: prints the session id if it is ACTIVE and the user's
check_session() {
	local status login id
	IFS=$'\t' read -r status login id < <(jq -r '[.status, .login, .id] | @tsv' <<<"$1")
	[ "$status" = ACTIVE ] || { echo "okta-login: session not ACTIVE" >&2; return 1; }
	[ "${login,,}" = "${PAM_USER,,}${LOGIN_SUFFIX,,}" ] ||
		{ echo "okta-login: session of another user" >&2; return 1; }
	# (no {1,128} bounds in bash regexes: glibc compiles them into huge automata)
	[[ $id =~ ^[A-Za-z0-9_-]+$ && ${#id} -le 128 ]] ||
		{ echo "okta-login: bad session id" >&2; return 1; }
	printf '%s' "$id"
}

[[ ${PAM_USER:-} =~ ^[A-Za-z0-9._-]+$ && ${#PAM_USER} -le 128 ]] || exit 1
state="$STATE_DIR/$PAM_USER"
case "${PAM_TYPE:-}" in
auth)
	token=
	IFS= read -r -d '' token || true  # pam_exec writes the token, NUL-terminated
	[[ $token =~ ^[A-Za-z0-9_-]+$ && ${#token} -le 4096 ]] || exit 1
	session=$(printf '{"sessionToken":"%s"}' "$token" | okta POST /api/v1/sessions)
	id=$(check_session "$session")
	session=$(okta POST "/api/v1/sessions/$id/lifecycle/refresh" </dev/null)
	check_session "$session" >/dev/null
	printf '%s\n' "$id" >"$state"
	;;
open_session)
	read -r id <"$state"
	session=$(okta POST "/api/v1/sessions/$id/lifecycle/refresh" </dev/null)
	check_session "$session" >/dev/null
	;;
esac
