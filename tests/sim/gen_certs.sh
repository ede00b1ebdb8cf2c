#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# gen_certs.sh DIR -- make throw-away TLS material for the Okta simulator.
#
# Creates in DIR (EC P-256 keys, no prompts):
#   ca.pem ca.key                 test CA
#   server.pem server.key         leaf for 127.0.0.1 and ::1 (SAN IP:127.0.0.1, IP:::1,
#                                 DNS:localhost, DNS:okta-ipv6.test: a name the IPv6
#                                 tests map to ::1 only)
#   other-ca.pem other-ca.key     an unrelated CA (for "untrusted certificate")
#   expired.pem expired.key       leaf for 127.0.0.1 signed by ca, validity in the past
#   wronghost.pem wronghost.key   leaf signed by ca for DNS:wrong.example.com only
#   selfsigned.pem selfsigned.key self-signed leaf for 127.0.0.1
# To add a variant: call `leaf NAME SAN STARTDATE ENDDATE [SIGNER]` below.
set -eu
dir=${1:?usage: gen_certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

# Our own request configuration, not the system's openssl.cnf: OpenSSL
# 1.1.1's `req -x509` adds that file's v3_ca extensions, and with -addext
# the CA would carry basicConstraints twice, which verification refuses.
cat > req.cnf <<CNF
[req]
distinguished_name = dn
[dn]
[ca_ext]
subjectKeyIdentifier = hash
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
CNF

newkey() { openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null; }

ca() { # ca NAME CN
    newkey "$1"
    openssl req -config req.cnf -new -x509 -key "$1.key" -out "$1.pem" -days 30 -subj "/CN=$2" \
        -extensions ca_ext 2>/dev/null
}

# `openssl ca` is used (not `x509 -req`) so start/end dates can be set freely.
cadb() {
    rm -rf cadb && mkdir cadb && : > cadb/index.txt && echo 1000 > cadb/serial
    cat > cadb/ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = cadb/index.txt
serial = cadb/serial
new_certs_dir = cadb
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
[anything]
commonName = supplied
CNF
}

leaf() { # leaf NAME SAN STARTDATE(YYYYMMDDHHMMSSZ) ENDDATE [SIGNER (default ca)|self]
    name=$1 san=$2 start=$3 end=$4 signer=${5:-ca}
    newkey "$name"
    if [ "$signer" = self ]; then
        openssl req -config req.cnf -new -x509 -key "$name.key" -out "$name.pem" -days 30 \
            -subj "/CN=$name" -addext "subjectAltName=$san" 2>/dev/null
        return
    fi
    openssl req -config req.cnf -new -key "$name.key" -out "cadb/$name.csr" -subj "/CN=$name" \
        -addext "subjectAltName=$san" -addext "basicConstraints=critical,CA:FALSE" \
        -addext "extendedKeyUsage=serverAuth" 2>/dev/null
    openssl ca -batch -notext -config cadb/ca.cnf -cert "$signer.pem" -keyfile "$signer.key" \
        -startdate "$start" -enddate "$end" -in "cadb/$name.csr" -out "$name.pem" 2>/dev/null
}

now=$(date -u +%s)
d() { date -u -d "@$(( now + $1 ))" +%Y%m%d%H%M%SZ; }

ca ca "pam_okta_session test CA"
ca other-ca "unrelated test CA"
cadb
leaf server "IP:127.0.0.1,IP:::1,DNS:localhost,DNS:okta-ipv6.test" "$(d -3600)" "$(d 2592000)"
leaf expired "IP:127.0.0.1,DNS:localhost" "$(d -2592000)" "$(d -86400)"
leaf wronghost "DNS:wrong.example.com" "$(d -3600)" "$(d 2592000)"
leaf selfsigned "IP:127.0.0.1,DNS:localhost" "" "" self
rm -rf cadb req.cnf
chmod 644 ./*.pem
