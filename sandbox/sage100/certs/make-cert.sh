#!/usr/bin/env bash
# Makes the simulator's self-signed certificate (cert.pem, key.pem): EC P-256, valid for 127.0.0.1 and
# localhost from 2020 to 2120, so it outlives any test run and is never "not yet valid" on a skewed clock.
# `openssl ca -selfsign` is used because OpenSSL 3.0's `req -x509` cannot set the start date.
# Running it again makes a new key: the fingerprint printed at the end changes, and nothing else needs to.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/ca.cnf" <<CONF
[ ca ]
default_ca = sim
[ sim ]
dir = $work
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
policy = any
copy_extensions = copy
[ any ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = Sage 100 simulator (ml-connector)
[ ext ]
subjectAltName = IP:127.0.0.1,DNS:localhost
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign
extendedKeyUsage = serverAuth
CONF
touch "$work/index.txt"
echo 01 > "$work/serial"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout key.pem -out "$work/req.csr" -config "$work/ca.cnf"
openssl ca -batch -selfsign -config "$work/ca.cnf" -keyfile key.pem -in "$work/req.csr" -out "$work/cert.pem" \
  -startdate 20200101000000Z -enddate 21200101000000Z -extensions ext
openssl x509 -in "$work/cert.pem" -out cert.pem
chmod 644 key.pem cert.pem
openssl x509 -in cert.pem -noout -fingerprint -sha256
