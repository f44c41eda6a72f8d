#!/usr/bin/env bash
# Rewrite testdata/cli/: the inputs of the CLI snapshot cases (tests/cmd/) and of the help-example
# runs (tests/cli/help_examples.rs). Run from the repository root after `cargo build`; needs
# OpenSSL 3 for the certificates. Keys made by kmi use --seed, so a re-run gives the same keys;
# certificates, share sets and the ceremony record are fresh (the cases depend only on what the
# commands below fix). See testdata/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
KMI="$PWD/target/debug/kmi"
D=testdata/cli
rm -rf "$D"
mkdir -p "$D"
cd "$D"
kmi() { "$KMI" --quiet "$@" 2>/dev/null; }

# Keys (kmi, seeded; 1024-bit safe-prime RSA is the smallest that RSA-OAEP-SHA256 and threshold
# decryption both fit).
kmi key generate rsa --bits 1024 --seed 03 -o key.pem
kmi key public key.pem -o public.pem
kmi key generate elgamal --group ffdhe2048 --seed 04 -o elgamal.pem
kmi key public elgamal.pem -o elgamal-public.pem
kmi key generate rsa --bits 1024 --seed 05 -o signing-key.pem
for i in 1 2 3 4 5; do kmi key generate rsa --bits 1024 --no-safe --seed 1$i -o t$i.pem; done
kmi key generate rsa --bits 1024 --no-safe --seed 16 -o enc.pem
kmi key generate rsa --bits 1024 --no-safe --seed 17 -o new.pem
kmi key public new.pem -o new.pub
kmi key generate rsa --bits 1024 --no-safe --seed 18 -o alice.pem
kmi key public alice.pem -o alice.pub
rm alice.pem
printf 'correct horse battery staple\n' > pass.txt
printf 'wrong horse battery staple\n' > wrong-pass.txt
kmi key generate rsa --bits 1024 --seed 06 --encrypt --passphrase-file pass.txt -o key-enc.pem

# Bad inputs, one per error class.
printf -- '-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n' > malformed.pem
sed 's/PUBLIC KEY/CERTIFICATE/' public.pem > wrong-label.pem
kmi key public --der key.pem -o public.der
head -c 100 public.der > truncated.der
# The public key with the lowest bit of N cleared: N is even.
python3 -c "import sys; b=bytearray(open('public.der','rb').read()); assert b[-5:]==bytes.fromhex('0203010001'); b[-6]^=1; open('even-n.der','wb').write(b)"
rm public.der

# A plain 2-of-3 set of key.pem with its ceremony record, then tampered copies.
kmi share split key.pem -k 2 -n 3 --plain -o shares --log ceremony.log
kmi share verify --set shares/set.pem --log ceremony.log
sed '1s/"outcome":"ok"/"outcome":"failed"/' ceremony.log > ceremony-tampered.log
# share-2 with the last byte of its share value (the INTEGER at DER offset 44) changed.
python3 - <<'PY'
import base64, textwrap
lines = open('shares/share-2.pem').read().split('\n')
der = bytearray(base64.b64decode(''.join(lines[1:-2])))
assert der[44] == 0x02
end = 44 + 2 + der[45]
der[end - 1] ^= 1
body = '\n'.join(textwrap.wrap(base64.b64encode(bytes(der)).decode(), 64))
open('share-2-tampered.pem', 'w').write(lines[0] + '\n' + body + '\n' + lines[-2] + '\n')
PY

# A PKCS#10 request of key.pem (kmi; PKCS#1 v1.5 signatures are deterministic, so the same bytes
# on a re-run) and a forged copy: the last byte of its signature XORed with 1.
kmi cert request --key key.pem --subject CN=Alice,O=Example --usage sign -o alice.csr
python3 - <<'PY'
import base64, textwrap
lines = open('alice.csr').read().split('\n')
der = bytearray(base64.b64decode(''.join(lines[1:-2])))
der[-1] ^= 1
body = '\n'.join(textwrap.wrap(base64.b64encode(bytes(der)).decode(), 64))
open('forged.csr', 'w').write(lines[0] + '\n' + body + '\n' + lines[-2] + '\n')
PY

# Certificates (OpenSSL): a CA; a CCM signer and a certificate for signing-key.pem's public key
# (the threshold-signed policy); a CMC agent, a requester and three trustees.
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout ca.pem -out ca.crt -days 36500 -subj "/CN=kmi example CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
printf 'keyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n' > ee.ext
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out signer.pem
ossl req -new -key signer.pem -subj "/CN=kmi example signer" -out signer.csr
ossl x509 -req -in signer.csr -CA ca.crt -CAkey ca.pem -CAcreateserial -days 36500 -extfile ee.ext -out signer.crt
ossl req -new -key signing-key.pem -subj "/CN=kmi example threshold signer" -out set.csr
ossl x509 -req -in set.csr -CA ca.crt -CAkey ca.pem -CAcreateserial -days 36500 -extfile ee.ext -out set.crt
rm -f ee.ext signer.csr set.csr ca.srl
ossl req -x509 -newkey rsa:2048 -nodes -keyout agent.pem -out agent.crt -days 36500 -subj "/CN=kmi example agent"
# The escrow store's storage key (kmi cmc store init --storage-cert), separate from the agent's.
ossl req -x509 -newkey rsa:2048 -nodes -keyout storage.pem -out storage.crt -days 36500 -subj "/CN=kmi example storage key"
ossl req -x509 -newkey rsa:2048 -nodes -keyout sign.pem -out sign.crt -days 36500 -subj "/CN=alice"
for i in 1 2 3; do ossl req -x509 -key t$i.pem -out t$i.crt -days 36500 -subj "/CN=trustee $i"; done
"$KMI" log verify ceremony.log  # its head is named by the log help examples (see testdata/README.md)
