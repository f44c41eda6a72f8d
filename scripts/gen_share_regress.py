#!/usr/bin/env python3
"""Regression inputs for the threshold-sharing and encryption hardening (issues 10 and 18).

Writes testdata/regress/share/ and testdata/regress/crypt/: crafted keys, share sets, shares and
inputs, each case a `<name>.case` with its input directory `<name>/` (format: tests/cli/regress.rs).
Only the Python standard library and openssl (for primes and ordinary keys) are used; every number
a case relies on is computed here, so a re-run makes equivalent files.

Run from the repository root:  python3 scripts/gen_share_regress.py
"""

import hashlib
import os
import shutil
import subprocess
import base64

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "regress")

# ---------------------------------------------------------------- DER
def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + length + content


def integer(n):
    b = n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big")
    return tlv(0x02, b)


def seq(*parts):
    return tlv(0x30, b"".join(parts))


def octets(b):
    return tlv(0x04, b)


def bitstring(b):
    return tlv(0x03, b"\x00" + b)


def boolean(v):
    return tlv(0x01, b"\xff" if v else b"\x00")


def oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(chunk)
    return tlv(0x06, body)


def pem(label, der):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)


RSA_OID = "1.2.840.113549.1.1.1"
DHX_OID = "1.2.840.10046.2.1"
SHOUP = "1.3.6.1.4.1.32473.1.2.1"
FELDMAN = "1.3.6.1.4.1.32473.1.2.2"


def rsa_private_pem(n, e, d, p, q):
    """PKCS#1 RSAPrivateKey with whatever numbers it is given (CRT values from them when sane)."""
    dp = d % (p - 1) if p > 1 else 0
    dq = d % (q - 1) if q > 1 else 0
    try:
        qinv = pow(q, -1, p) if p > 1 else 0
    except ValueError:
        qinv = 0
    der = seq(integer(0), integer(n), integer(e), integer(d), integer(p), integer(q),
              integer(dp), integer(dq), integer(qinv))
    return pem("RSA PRIVATE KEY", der)


def rsa_spki(n, e):
    return seq(seq(oid(RSA_OID), tlv(0x05, b"")), bitstring(seq(integer(n), integer(e))))


def dhx_spki(p, g, q, y):
    return seq(seq(oid(DHX_OID), seq(integer(p), integer(g), integer(q))), bitstring(integer(y)))


def dhx_private_pem(p, g, q, x):
    der = seq(integer(0), seq(oid(DHX_OID), seq(integer(p), integer(g), integer(q))),
              octets(integer(x)))
    return pem("PRIVATE KEY", der)


# ---------------------------------------------------------------- numbers
def openssl_prime(bits, safe):
    args = ["openssl", "prime", "-generate", "-bits", str(bits)]
    if safe:
        args.append("-safe")
    return int(subprocess.check_output(args).decode().strip())


def jacobi(a, n):
    a %= n
    result = 1
    while a:
        while a % 2 == 0:
            a //= 2
            if n % 8 in (3, 5):
                result = -result
        a, n = n, a
        if a % 4 == 3 and n % 4 == 3:
            result = -result
        a %= n
    return result if n == 1 else 0


def factorial(n):
    out = 1
    for i in range(2, n + 1):
        out *= i
    return out


class SafeKey:
    """A 512-bit RSA key with safe primes from openssl, e = 65537."""

    def __init__(self):
        while True:
            p, q = openssl_prime(256, True), openssl_prime(256, True)
            if p != q and (p * q).bit_length() == 512:
                break
        self.p, self.q, self.n, self.e = p, q, p * q, 65537
        self.d = pow(self.e, -1, (p - 1) * (q - 1) // 2)
        self.m = ((p - 1) // 2) * ((q - 1) // 2)

    def pem(self):
        return rsa_private_pem(self.n, self.e, self.d, self.p, self.q)


def shoup_set(key, k, n, purpose, seeded=False, v=None, rng=None):
    """A Shoup dealing as kmi makes it (math.md 3): the set DER, its id and the share values."""
    rng = rng or os.urandom
    ds = pow(key.e, -1, key.m)
    coeffs = [ds] + [int.from_bytes(rng(80), "big") % key.m for _ in range(k - 1)]
    values = []
    for i in range(1, n + 1):
        acc = 0
        for c in reversed(coeffs):
            acc = (acc * i + c) % key.m
        values.append(acc)
    if v is None:
        r = int.from_bytes(rng(80), "big") % key.n
        v = r * r % key.n
    vks = [pow(v, s, key.n) for s in values]
    return set_der(SHOUP, k, n, purpose, seeded, rsa_spki(key.n, key.e),
                   tlv(0xA0, integer(v) + seq(*[integer(x) for x in vks]))), values


def set_der(scheme, k, n, purpose, seeded, spki, commitments, label=None):
    parts = [integer(2), oid(scheme), integer(k), integer(n), integer(purpose), boolean(seeded),
             spki, commitments]
    if label:
        parts.append(tlv(0x0C, label.encode()))
    return seq(*parts)


def share_der(set_bytes, index, value):
    set_id = hashlib.sha256(set_bytes).digest()
    return seq(integer(1), octets(set_id), integer(index), integer(value), set_bytes)


def emsa_pkcs1_sha256(doc, k):
    info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(doc).digest()
    return b"\x00\x01" + b"\xff" * (k - len(info) - 3) + b"\x00" + info


def emsa_pss_sha256(doc, mod_bits, salt):
    em_bits = mod_bits - 1
    em_len = (em_bits + 7) // 8
    mhash = hashlib.sha256(doc).digest()
    h = hashlib.sha256(b"\x00" * 8 + mhash + salt).digest()
    db = b"\x00" * (em_len - len(salt) - 32 - 2) + b"\x01" + salt
    mask = b""
    counter = 0
    while len(mask) < len(db):
        mask += hashlib.sha256(h + counter.to_bytes(4, "big")).digest()
        counter += 1
    masked = bytes(a ^ b for a, b in zip(db, mask))
    masked = bytes([masked[0] & (0xFF >> (8 * em_len - em_bits))]) + masked[1:]
    em = masked + h + b"\xbc"
    k = (mod_bits + 7) // 8
    return b"\x00" * (k - len(em)) + em


# ---------------------------------------------------------------- cases
def case(area, name, about, args, exit_code, contains=(), absent=(), files=None):
    base = os.path.join(ROOT, area)
    os.makedirs(base, exist_ok=True)
    lines = ["# " + about, "args: " + args, "exit: %d" % exit_code]
    lines += ["stderr-contains: " + c for c in contains]
    lines += ["absent: " + a for a in absent]
    with open(os.path.join(base, name + ".case"), "w") as f:
        f.write("\n".join(lines) + "\n")
    d = os.path.join(base, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    if files:
        os.makedirs(d)
        for fname, content in files.items():
            mode = "w" if isinstance(content, str) else "wb"
            with open(os.path.join(d, fname), mode) as f:
                f.write(content)


SPLIT = "share split key.pem -k 2 -n 3 --plain -o out"


def main():
    for area in ("share", "crypt"):
        shutil.rmtree(os.path.join(ROOT, area), ignore_errors=True)
    key = SafeKey()
    p, q, n, e = key.p, key.q, key.n, key.e

    # --- share split of broken keys (issue 18): panics, a hang, an unusable set.
    bad_keys = {
        "split-rsa-p-zero": ("p = 0 in an otherwise real key: panicked", rsa_private_pem(n, e, key.d, 0, q)),
        "split-rsa-q-zero": ("q = 0: panicked", rsa_private_pem(n, e, key.d, p, 0)),
        "split-rsa-n-zero": ("N = 0: panicked", rsa_private_pem(0, e, key.d, p, q)),
        "split-rsa-n-one": ("N = 1: panicked", rsa_private_pem(1, e, key.d, 1, 1)),
        "split-rsa-n-two": ("N = 2: panicked", rsa_private_pem(2, e, 1, 2, 1)),
        "split-rsa-n-three": ("N = 3 with real safe primes p, q: looped forever looking for v", rsa_private_pem(3, e, key.d, p, q)),
        "split-rsa-n-equals-p": ("N = p with real safe primes p, q: looped forever looking for v", rsa_private_pem(p, e, key.d, p, q)),
        "split-rsa-n-pq-plus-2": ("N = pq + 2: wrote an unusable set and told the dealer to forget the key", rsa_private_pem(n + 2, e, key.d, p, q)),
        "split-rsa-p-equals-q": ("p = q (N = p^2): wrote an unusable set", rsa_private_pem(p * p, e, key.d, p, p)),
    }
    for name, (about, text) in bad_keys.items():
        case("share", name, about + " (issue 18)", SPLIT, 1, contains=["cannot be split"],
             absent=["out/set.pem", "out/share-1.pem"], files={"key.pem": text})

    # ElGamal with q = 0 (p, g, x from a real 256-bit safe-prime group).
    gp = openssl_prime(256, True)
    gq = (gp - 1) // 2
    gg = 4
    case("share", "split-elgamal-q-zero", "ElGamal key with q = 0: panicked (issue 18)", SPLIT, 1,
         absent=["out/set.pem"], files={"key.pem": dhx_private_pem(gp, gg, 0, 5)})

    # --- crafted share sets (issue 18, issue 10 item 9). Each comes with one share of it.
    def set_case(name, about, set_bytes, value=12345, cmd="verify", code=1, contains=()):
        files = {
            "set.pem": pem("KMI SHARE SET", set_bytes),
            "share-1.pem": pem("KMI SHARE", share_der(set_bytes, 1, value)),
            "share-2.pem": pem("KMI SHARE", share_der(set_bytes, 2, value + 1)),
            "ct.bin": b"\x01" * 64,
        }
        args = {
            "verify": "share verify --set set.pem share-1.pem share-2.pem",
            "reconstruct": "share reconstruct --set set.pem share-1.pem share-2.pem -o key.pem",
            "blind": "share blind --set set.pem --decrypt ct.bin -o req.pem --factor factor.pem",
        }[cmd]
        absent = {"reconstruct": ["key.pem"], "blind": ["req.pem", "factor.pem"]}.get(cmd, [])
        case("share", name, about, args, code, contains=contains, absent=absent, files=files)

    def rsa_set(nn, ee, v, vks, k=2, total=3, purpose=1):
        return set_der(SHOUP, k, total, purpose, False, rsa_spki(nn, ee),
                       tlv(0xA0, integer(v) + seq(*[integer(x) for x in vks])))

    for cmd in ("verify", "reconstruct", "blind"):
        set_case("set-rsa-n-zero-" + cmd, "set with N = 0: %s panicked (issue 18)" % cmd,
                 rsa_set(0, e, 4, [4, 4, 4]), cmd=cmd, code=2, contains=["larger than N"])
    set_case("set-rsa-n-one", "set with N = 1, e = 1: verify panicked (issue 18)",
             rsa_set(1, 1, 0, [0, 0, 0]), contains=["registration check"])
    set_case("set-rsa-n-nine", "set with N = 9 = 3^2: a prime power (issue 18)",
             rsa_set(9, 5, 4, [4, 4, 4]), contains=["registration check"])
    # Degenerate verification bases on a real modulus: every share "verified".
    set_case("set-v-one", "v = 1: every v_i is 1 and any share verified (issue 10 item 9)",
             rsa_set(n, e, 1, [1, 1, 1]), contains=["verification base"])
    set_case("set-v-minus-one", "v = N - 1: every share verified (issue 10 item 9)",
             rsa_set(n, e, n - 1, [1, 1, 1]), contains=["verification base"])
    nonsquare = next(x for x in range(2, 1000) if jacobi(x, n) == -1)
    set_case("set-v-not-a-square", "v with Jacobi symbol -1: not a square, was accepted (issue 10 item 9)",
             rsa_set(n, e, nonsquare, [pow(nonsquare, 2 * i, n) for i in (1, 2, 3)]),
             contains=["not a square"])
    set_case("set-v-equals-n", "v = N: outside (1, N - 1), was accepted (issue 10 item 9)",
             rsa_set(n, e, n, [1, 1, 1]), contains=["verification base"])
    set_case("set-rsa-e-three", "e = 3 with 3 shares: e must be a prime above n (Shoup)",
             rsa_set(n, 3, 4, [4, 4, 4]), contains=["exponent"])

    def eg_set(pp, gg_, qq, y, comms, k=2, total=3):
        return set_der(FELDMAN, k, total, 1, False, dhx_spki(pp, gg_, qq, y),
                       tlv(0xA1, b"".join(integer(c) for c in comms)))

    y = pow(gg, 5, gp)
    for cmd in ("verify", "reconstruct", "blind"):
        set_case("set-elgamal-p-zero-" + cmd, "ElGamal set with p = 0: %s panicked (issue 18)" % cmd,
                 eg_set(0, gg, gq, y, [y, 4]), cmd=cmd, code=2, contains=["larger than its prime"])
        set_case("set-elgamal-q-zero-" + cmd, "ElGamal set with q = 0: %s panicked (issue 18)" % cmd,
                 eg_set(gp, gg, 0, y, [y, 4]), cmd=cmd, contains=["registration check"])

    # --- key separation (issue 10 item 3) on a real dealing of the safe-prime key.
    doc = b"I owe the bearer everything.\n"
    k_bytes = (n.bit_length() + 7) // 8
    dec_set, dec_values = shoup_set(key, 2, 3, purpose=1)
    sign_set, sign_values = shoup_set(key, 2, 3, purpose=2)
    dec_share = pem("KMI SHARE", share_der(dec_set, 1, dec_values[0]))
    sign_share = pem("KMI SHARE", share_der(sign_set, 1, sign_values[0]))
    ct = (int.from_bytes(os.urandom(k_bytes), "big") % n).to_bytes(k_bytes, "big")
    common = {"share-1.pem": dec_share, "sign-share-1.pem": sign_share, "doc.txt": doc,
              "set.pem": pem("KMI SHARE SET", dec_set), "ct.bin": ct,
              "emsa-v15.bin": emsa_pkcs1_sha256(doc, k_bytes),
              "emsa-pss.bin": emsa_pss_sha256(doc, n.bit_length(), os.urandom(20))}
    for name, about, args, contains in [
        ("decrypt-set-signs", "share partial --sign on a decrypt set: made a signature partial",
         "share partial --share share-1.pem --sign doc.txt -o p.pem", "purpose is decrypt"),
        ("decrypt-emsa-pkcs1", "decrypting EMSA-PKCS1-v1_5(SHA-256(doc)): the partials combined to a signature on doc",
         "share partial --share share-1.pem --decrypt emsa-v15.bin -o p.pem", "EMSA-PKCS1-v1_5"),
        ("decrypt-emsa-pss", "decrypting an EMSA-PSS (SHA-256) encoding of doc: a PSS signature in disguise",
         "share partial --share share-1.pem --decrypt emsa-pss.bin -o p.pem", "EMSA-PSS"),
        ("sign-set-decrypts", "share partial --decrypt on a sign set: decrypted with a signing key",
         "share partial --share sign-share-1.pem --decrypt ct.bin -o p.pem", "purpose is sign"),
        ("blind-sign-request", "share blind --sign: blinded signing gave anyone a signature on anything",
         "share blind --set set.pem --sign doc.txt -o req.pem --factor f.pem", "purpose is decrypt"),
    ]:
        case("share", name, about + " (issue 10 item 3)", args, 1, contains=[contains],
             absent=["p.pem", "req.pem", "f.pem"], files=common)

    # --- seeds (issue 10 item 4).
    trustee = subprocess.check_output(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                                       "rsa_keygen_bits:1024"])
    trustee_pub = subprocess.check_output(["openssl", "pkey", "-pubout"], input=trustee).decode()
    case("share", "seed-with-recipients",
         "--seed with --to: the seed plus one encrypted share gave the key (issue 10 item 4)",
         "share split key.pem -k 2 -n 2 --seed 01 --to t.pem --to t.pem -o out", 2,
         contains=["--insecure-fixture"], absent=["out/set.pem", "out/share-1.pem"],
         files={"key.pem": key.pem(), "t.pem": trustee_pub})
    seeded_set, seeded_values = shoup_set(key, 2, 3, purpose=1, seeded=True)
    case("share", "seeded-set-warns",
         "a seeded set was read without a word (issue 10 item 4)",
         "share verify --set set.pem share-1.pem share-2.pem", 0,
         contains=["warning", "--seed"],
         files={"set.pem": pem("KMI SHARE SET", seeded_set),
                "share-1.pem": pem("KMI SHARE", share_der(seeded_set, 1, seeded_values[0])),
                "share-2.pem": pem("KMI SHARE", share_der(seeded_set, 2, seeded_values[1]))})

    # --- encrypt --to broken ElGamal keys (issue 18).
    enc = "encrypt --to key.pem -i msg.txt -o ct.pem"
    for name, about, (pp, gg_, qq, yy) in [
        ("encrypt-elgamal-p-zero", "p = 0: panicked", (0, gg, gq, y)),
        ("encrypt-elgamal-q-zero", "q = 0: panicked", (gp, gg, 0, y)),
        ("encrypt-elgamal-q-one", "q = 1: panicked", (gp, gg, 1, y)),
        ("encrypt-elgamal-p-three", "p = 3: panicked", (3, 2, 1, 2)),
        ("encrypt-elgamal-y-one", "y = 1: exit 0, and the ciphertext decrypted without any key", (gp, gg, gq, 1)),
        ("encrypt-elgamal-g-one", "g = 1: exit 0, and the ciphertext decrypted without any key", (gp, 1, gq, 1)),
        ("encrypt-elgamal-p-one", "p = 1: exit 0, and the ciphertext decrypted without any key", (1, 1, gq, 1)),
    ]:
        case("crypt", name, about + " (issue 18)", enc, 1, contains=["registration check"],
             absent=["ct.pem"], files={"key.pem": pem("PUBLIC KEY", dhx_spki(pp, gg_, qq, yy)),
                                      "msg.txt": "secret\n"})


if __name__ == "__main__":
    main()
