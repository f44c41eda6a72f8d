#!/usr/bin/env bash
# Rewrite testdata/peers/: private keys as other tools write them, read by tests/cli/peer_keys.rs.
# Run from the repository root. Needs GnuTLS certtool (3.7), OpenSSL 3, OpenSSH's ssh-keygen and a
# python3 with cryptography. One RSA 1024 key (made by certtool) is written every way below, so
# every file holds the same key as plain.pem; keys are fresh on each run (the tests compare the
# files with each other, never with fixed numbers). See testdata/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
D=testdata/peers
rm -rf "$D"
mkdir -p "$D"
cd "$D"
PW=kmi-peer-passphrase
printf '%s\n' "$PW" > pass.txt

# GnuTLS: PBES2, PBKDF2 with PRF hmacWithSHA256 whose AlgorithmIdentifier has no NULL parameters.
certtool --generate-privkey --key-type rsa --bits 1024 --pkcs8 --password "$PW" \
  --outfile certtool-aes128.pem 2>/dev/null
certtool --load-privkey certtool-aes128.pem --password "$PW" --pkcs8 --password "$PW" \
  --pkcs-cipher aes-256 --to-p8 --outfile certtool-aes256.pem 2>/dev/null
# The same key unencrypted (the reference every other file must match).
openssl pkcs8 -in certtool-aes128.pem -passin "pass:$PW" -out plain.pem

# OpenSSL PBES2 with the default PRF hmacWithSHA1 (the PRF AlgorithmIdentifier left out, as older
# OpenSSL, Java and Bouncy Castle write it), and with hmacWithSHA512 / AES-192.
openssl pkcs8 -topk8 -in plain.pem -v2 aes-256-cbc -v2prf hmacWithSHA1 -passout "pass:$PW" \
  -out openssl-sha1.pem
openssl pkcs8 -topk8 -in plain.pem -v2 aes-192-cbc -v2prf hmacWithSHA512 -passout "pass:$PW" \
  -out openssl-sha512-aes192.pem
# What kmi does not read, to be named: PBES2 with 3DES, and PKCS#12 PBE (PBES1 family).
openssl pkcs8 -topk8 -in plain.pem -v2 des3 -passout "pass:$PW" -out openssl-3des.pem
openssl pkcs8 -topk8 -in plain.pem -v1 PBE-SHA1-3DES -passout "pass:$PW" -out openssl-pbe-sha1-3des.pem
# RFC 1421 legacy encryption (Proc-Type: 4,ENCRYPTED headers inside the PEM block).
openssl rsa -in plain.pem -traditional -aes256 -passout "pass:$PW" -out openssl-legacy.pem 2>/dev/null

# Python cryptography's BestAvailableEncryption.
python3 - "$PW" <<'PY'
import sys
from cryptography.hazmat.primitives import serialization
pw = sys.argv[1].encode()
key = serialization.load_pem_private_key(open("plain.pem", "rb").read(), None)
open("python-best.pem", "wb").write(key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
    serialization.BestAvailableEncryption(pw)))
# RFC 7468 section 3: parsers accept Base64 lines of any length and CR LF.
text = open("plain.pem").read().splitlines()
begin, body, end = text[0], "".join(text[1:-1]), text[-1]
def wrap(n, eol="\n"):
    lines = [body[i:i + n] for i in range(0, len(body), n)]
    return eol.join([begin] + lines + [end]) + eol
open("pem-72.pem", "w", newline="").write(wrap(72))
open("pem-76.pem", "w", newline="").write(wrap(76))
open("pem-one-line.pem", "w", newline="").write(wrap(len(body)))
open("pem-crlf.pem", "w", newline="").write(wrap(64, "\r\n"))
PY

# OpenSSH's own private key format (and its public key line).
ssh-keygen -q -t rsa -b 1024 -N '' -C kmi-fixture -f openssh-rsa
mv openssh-rsa.pub openssh-rsa.pub.txt
