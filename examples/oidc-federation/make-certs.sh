#!/bin/sh
# A local CA and a certificate for the Keycloak service (names `keycloak` and `localhost`),
# made once into the directory given (default ./certs). The emulator trusts the CA through
# SSL_CERT_FILE; import ca.pem into your browser to reach Keycloak's pages without a warning.
set -eu
out=${1:-certs}
mkdir -p "$out"
cd "$out"
if [ -f ca.pem ] && [ -f keycloak.pem ]; then
  exit 0
fi
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=OIDC federation example CA" \
  -keyout ca-key.pem -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey rsa:2048 -nodes -subj "/CN=keycloak" \
  -keyout keycloak-key.pem -out keycloak.csr
printf 'subjectAltName=DNS:keycloak,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n' > keycloak.ext
openssl x509 -req -in keycloak.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 825 \
  -sha256 -extfile keycloak.ext -out keycloak.pem
rm -f keycloak.csr keycloak.ext ca.srl
# Keycloak runs as uid 1000: it must read its key. This directory is for local testing only.
chmod 644 keycloak-key.pem
