#!/usr/bin/env bash
# Make testdata/dirstore-0.1/: a key store written by kmi 0.1's escrow agent (the directory
# store, `DIR/<fingerprint>/meta.json` + `key.pem` or `shares/`), for the migration test
# (tests/cli/cmc_store.rs, `a_kmi_0_1_directory_store_migrates_and_every_key_recovers`).
#
# The current kmi no longer writes that store, so this builds the last kmi that did (commit
# 20e9c9c) from `git archive` into a temporary directory (no worktree is registered), with its
# own target directory (target-dirstore-0.1/, ignored by git; KMI_SEED_TARGET=DIR copies DIR's
# debug build there first to save compiling the dependencies again), and runs it:
#
#   agent, alice, bob, carol, trustee1..3   openssl req -x509 -newkey rsa:1024 (self-signed)
#   alice-rsa.pem, bob-rsa.pem              openssl genpkey RSA 1024 (archived whole)
#   alice-eg.pem, carol-eg.pem              kmi key generate elgamal --group ffdhe2048
#   store/                                  kmi 0.1 cmc respond --store store/ on:
#     alice-rsa.pem  identity alice                     signed by alice   (whole)
#     alice-eg.pem   identity alice, selection laptop   signed by alice   (whole)
#     bob-rsa.pem    identity bob                       signed by bob     (whole)
#     carol-eg.pem   identity carol, --split 2/3 --to trustee1..3.crt     (shares only)
#
# Only test keys: every private key here exists for this fixture alone.
#
# Usage: scripts/make_dirstore_fixture.sh   (from the repository root; rewrites the directory)
set -euo pipefail

OLD=20e9c9c
ROOT=$(git rev-parse --show-toplevel)
OUT="$ROOT/testdata/dirstore-0.1"
TARGET="$ROOT/target-dirstore-0.1"
SRC=$(mktemp -d "${TMPDIR:-/tmp}/kmi-0.1-src.XXXXXX")
trap 'rm -rf "$SRC"' EXIT

git -C "$ROOT" archive "$OLD" | tar -x -C "$SRC"
if [ -n "${KMI_SEED_TARGET:-}" ] && [ ! -d "$TARGET/debug" ]; then
    mkdir -p "$TARGET/debug"
    for d in deps build .fingerprint; do
        cp -a "$KMI_SEED_TARGET/debug/$d" "$TARGET/debug/"
    done
fi
(cd "$SRC" && CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" CARGO_TARGET_DIR="$TARGET" \
    cargo build --locked --bin kmi)
KMI="$TARGET/debug/kmi"
"$KMI" --version

rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"
for n in agent alice bob carol trustee1 trustee2 trustee3; do
    openssl req -x509 -newkey rsa:1024 -nodes -days 36500 -subj "/CN=$n" \
        -keyout "$n.key" -out "$n.crt" 2>/dev/null
done
for n in alice-rsa bob-rsa; do
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$n.pem" 2>/dev/null
done
for n in alice-eg carol-eg; do
    "$KMI" -q key generate elgamal --group ffdhe2048 -o "$n.pem"
done

archive() { # KEY IDENTITY SIGNER [extra archive-request args...]
    local key=$1 id=$2 signer=$3
    shift 3
    "$KMI" -q cmc archive-request --key "$key.pem" --agent agent.crt --identity "$id" \
        --sign-key "$signer.key" --sign-cert "$signer.crt" "$@" -o "$key.req"
}
respond() { # REQ [extra respond args...]
    local req=$1
    shift
    "$KMI" cmc respond --agent-key agent.key --agent-cert agent.crt --store store \
        "$@" -o "$req.rsp" "$req.req"
}
archive alice-rsa alice alice
respond alice-rsa
archive alice-eg alice alice --selection laptop
respond alice-eg
archive bob-rsa bob bob
respond bob-rsa
archive carol-eg carol carol
respond carol-eg --split 2/3 --to trustee1.crt --to trustee2.crt --to trustee3.crt
rm -f ./*.req ./*.rsp
find store -type f | sort
