#!/usr/bin/env bash
# Side-by-side safe-prime timings: `openssl dhparam` against kmi (1 thread, all threads, the RSA pair
# case) and the crypto-primes crate, all over the same number of runs.
#
#   scripts/bench-vs-openssl.sh [bits] [runs]        (defaults: 1024 30)
#
# Environment: KMI_BENCH_ONLY (see benches/safe_prime.rs) narrows the kmi side; SKIP_OPENSSL=1 skips
# openssl (then no ratios); OPENSSL (default: openssl). Search time is roughly geometric: quote means
# over 30+ runs.
set -euo pipefail

bits="${1:-1024}"
runs="${2:-30}"
openssl_bin="${OPENSSL:-openssl}"
cd "$(dirname "$0")/.."

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# stats FILE -> "mean median min max n" (one number per line in FILE)
stats() {
    sort -g "$1" | awk '{ x[NR] = $1; s += $1 }
        END { if (NR == 0) { print "nan nan nan nan 0"; exit }
              med = (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2;
              printf "%.4f %.4f %.4f %.4f %d\n", s / NR, med, x[1], x[NR], NR }'
}

if [[ "${SKIP_OPENSSL:-0}" != 1 ]]; then
    echo "openssl dhparam $bits: $runs runs ($("$openssl_bin" version))" >&2
    : > "$tmp/openssl"
    for ((i = 1; i <= runs; i++)); do
        t0=$(date +%s.%N)
        "$openssl_bin" dhparam -out /dev/null "$bits" 2>/dev/null
        t1=$(date +%s.%N)
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' >> "$tmp/openssl"
        printf '.' >&2
    done
    echo >&2
    read -r o_mean o_med o_min o_max o_n < <(stats "$tmp/openssl")
else
    o_mean=""; o_med=""; o_min=""; o_max=""; o_n=0
fi

echo "kmi bench: cargo bench --bench safe_prime -- $bits $runs" >&2
cargo bench --quiet --bench safe_prime -- "$bits" "$runs" | tee "$tmp/kmi.log" >&2

printf '\n%-36s %10s %10s %10s %10s %5s %12s %12s\n' "safe prime, $bits bits" "mean s" "median s" "min s" "max s" runs "mean/openssl" "med/openssl"
row() { # name mean median min max n
    local r1="-" r2="-"
    if [[ -n "$o_mean" ]]; then
        r1=$(awk -v a="$2" -v b="$o_mean" 'BEGIN { printf "%.3f", a / b }')
        r2=$(awk -v a="$3" -v b="$o_med" 'BEGIN { printf "%.3f", a / b }')
    fi
    printf '%-36s %10.3f %10.3f %10.3f %10.3f %5d %12s %12s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$r1" "$r2"
}
if [[ -n "$o_mean" ]]; then
    row "openssl dhparam" "$o_mean" "$o_med" "$o_min" "$o_max" "$o_n"
fi
grep '^RESULT ' "$tmp/kmi.log" | while read -r _ name mean med min max n; do
    row "${name//_/ }" "$mean" "$med" "$min" "$max" "$n"
done
grep -E '^ +[0-9]+ bits:|^one-time' "$tmp/kmi.log" || true
