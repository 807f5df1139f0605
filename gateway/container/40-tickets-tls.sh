#!/bin/sh
# Entrypoint step of the gateway image: nginx needs a certificate at start. Kubernetes
# and real deployments mount one (tls.crt, tls.key) into TICKETS_TLS_DIR; when none is
# there and the directory is writable (the Compose volume), make a self-signed pair so
# that `docker compose up` works out of the box (browsers will warn about it).
set -eu
dir="${TICKETS_TLS_DIR:-/etc/nginx/tls}"
name="${TICKETS_TLS_HOSTNAME:-localhost}"

if [ -s "$dir/tls.crt" ] && [ -s "$dir/tls.key" ]; then
  exit 0
fi
if [ "${TICKETS_SELF_SIGNED_TLS:-1}" != "1" ] || [ ! -w "$dir" ]; then
  echo "$0: no certificate in $dir (tls.crt, tls.key): mount one" >&2
  exit 1
fi
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -sha256 \
  -subj "/CN=$name" \
  -addext "subjectAltName=DNS:$name,DNS:localhost,IP:127.0.0.1" \
  -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
chmod 600 "$dir/tls.key"
echo "$0: no certificate mounted; made a self-signed one for $name in $dir"
