#!/bin/sh
# Regenerate testdata/regress/ccm/ (issue 10 items 2 and 5): signed policy JARs with a bad
# certificate chain or an ambiguous zip layout. Run from the repository root after `cargo build`:
#     sh scripts/regress_ccm.sh [path/to/kmi]
# Keys are fresh on each run; certificates are valid for 10 years from the run.
set -eu
KMI=${1:-target/debug/kmi}
KMI=$(cd "$(dirname "$KMI")" && pwd)/$(basename "$KMI")
ROOT=$(pwd)
OUT=$ROOT/testdata/regress/ccm
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

ossl() { openssl "$@" >/dev/null 2>&1 || { echo "openssl $* failed" >&2; exit 1; }; }
cert() { # name cn key issuer-cert issuer-key ext
    printf '%b' "$6" > "$1.ext"
    ossl req -new -key "$3" -subj "/CN=$2" -out "$1.csr"
    if [ "$4" = self ]; then
        ossl x509 -req -in "$1.csr" -signkey "$3" -extfile "$1.ext" -days 3650 -sha256 -out "$1.pem"
    else
        ossl x509 -req -in "$1.csr" -CA "$4" -CAkey "$5" -CAcreateserial -extfile "$1.ext" -days 3650 -sha256 -out "$1.pem"
    fi
}
CA='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n'
SIGNER='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n'
for k in root inter leaf; do ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $k.key; done
cert root "Regress Root" root.key self - "$CA"
"$KMI" ccm template --export -o policy.txt 2>/dev/null

case_dir() { # name about args exit stderr files...
    name=$1 about=$2 args=$3 code=$4 want=$5
    shift 5
    rm -rf "$OUT/$name"
    mkdir -p "$OUT/$name"
    for f in "$@"; do cp "$f" "$OUT/$name/"; done
    printf '# %s\nargs: %s\nexit: %s\nstderr-contains: %s\n' "$about" "$args" "$code" "$want" > "$OUT/$name.case"
}

# Item 2: a chain through a CA:FALSE intermediate (kmi 0.1 accepted it).
cert inter "Not A CA" inter.key root.pem root.key 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyCertSign\n'
cert leaf "Minted Signer" leaf.key inter.pem inter.key "$SIGNER"
"$KMI" --quiet ccm sign policy.txt --key leaf.key --cert leaf.pem --chain inter.pem -o cafalse.jar
case_dir chain-cafalse-intermediate "policy signed through a CA:FALSE intermediate: kmi 0.1 verified it (issue 10 item 2)" \
    "ccm verify cafalse.jar --trust root.pem" 1 "not a CA" cafalse.jar root.pem

# Item 2: pathLenConstraint 0 on an intermediate with a second intermediate below it.
cert i1 "Pathlen Zero CA" inter.key root.pem root.key 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n'
cert i2 "Second CA" inter.key i1.pem inter.key "$CA"
cert leaf2 "Deep Signer" leaf.key i2.pem inter.key "$SIGNER"
"$KMI" --quiet ccm sign policy.txt --key leaf.key --cert leaf2.pem --chain i1.pem --chain i2.pem -o pathlen.jar
case_dir chain-pathlen-exceeded "pathLenConstraint 0 with an intermediate below it: kmi 0.1 verified it (issue 10 item 2)" \
    "ccm verify pathlen.jar --trust root.pem" 1 "pathLenConstraint" pathlen.jar root.pem

# Item 5: ambiguous zip layouts of a correctly signed JAR.
cert good "Regress CA" inter.key root.pem root.key "$CA"
cert signer "Regress Signer" leaf.key good.pem inter.key "$SIGNER"
"$KMI" --quiet ccm sign policy.txt --key leaf.key --cert signer.pem --chain good.pem -o policy.jar
printf '# UNSIGNED policy slipped in\n' > unsigned.txt
for kind in dup-first hidden rename append prepend; do
    python3 "$ROOT/scripts/evil_jars.py" $kind policy.jar $kind.jar unsigned.txt
done
case_dir jar-duplicate-ccm "unsigned ccm.txt before the signed one (unzip -p and JarInputStream read it): kmi 0.1 verified it (issue 10 item 5)" \
    "ccm verify dup-first.jar --trust root.pem" 1 "ccm.txt appears twice" dup-first.jar root.pem
case_dir jar-hidden-local-entry "unsigned ccm.txt local entry missing from the central directory (JarInputStream reads it): kmi 0.1 verified it (issue 10 item 5)" \
    "ccm verify hidden.jar --trust root.pem" 1 "before the first entry" hidden.jar root.pem
case_dir jar-local-name-differs "local header of ccm.txt renamed xcm.txt, central directory unchanged: kmi 0.1 verified it (issue 10 item 5)" \
    "ccm verify rename.jar --trust root.pem" 1 "local header names xcm.txt" rename.jar root.pem
case_dir jar-appended-bytes "bytes after the end of central directory record: kmi 0.1 verified it (issue 10 item 5)" \
    "ccm verify append.jar --trust root.pem" 1 "after the central directory" append.jar root.pem
case_dir jar-prepended-bytes "bytes before the first entry, offsets shifted: kmi 0.1 verified it (issue 10 item 5)" \
    "ccm verify prepend.jar --trust root.pem" 1 "before the first entry" prepend.jar root.pem
# The untouched JAR still verifies (the corpus checks the refusals are about the layout).
"$KMI" ccm verify policy.jar --trust root.pem >/dev/null 2>&1 || { echo "the untouched JAR does not verify" >&2; exit 1; }
echo "wrote $OUT"
