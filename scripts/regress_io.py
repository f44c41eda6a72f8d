#!/usr/bin/env python3
"""Make the inputs of the io regression cases (testdata/regress/io/<case>/) with openssl.

Run from the repository root: python3 scripts/regress_io.py. Keys are fresh on each run; the cases
check only what this script fixes (the KDF numbers), so a re-run keeps them passing.

Encrypted keys with a hostile KDF cannot be made by openssl directly (it derives while encrypting:
20 million PBKDF2 iterations take many seconds, and scrypt N = 2^30 needs 1 TiB), so the script asks
openssl for a cheap key and raises one INTEGER of its KDF parameters, re-encoding the DER lengths
around it. The ciphertext stays openssl's; only the KDF work the file asks for changes.
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "regress", "io")
PASS = b"regress\n"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def der_len(n):
    if n < 0x80:
        return bytes([n])
    if n < 0x100:
        return bytes([0x81, n])
    return bytes([0x82, n >> 8, n & 0xFF])


def int_bytes(v):
    b = v.to_bytes(max(1, (v.bit_length() + 7) // 8), "big")
    return b"\x00" + b if b[0] & 0x80 else b


def replace_integer(der, old, new, state):
    """DER with the first INTEGER equal to `old` replaced by `new` (constructed lengths follow)."""
    out = b""
    i = 0
    while i < len(der):
        tag = der[i]
        first = der[i + 1]
        if first < 0x80:
            length, hdr = first, 2
        else:
            k = first & 0x7F
            length, hdr = int.from_bytes(der[i + 2 : i + 2 + k], "big"), 2 + k
        body = der[i + hdr : i + hdr + length]
        if tag & 0x20:
            body = replace_integer(body, old, new, state)
        elif tag == 0x02 and body == int_bytes(old) and not state["done"]:
            body = int_bytes(new)
            state["done"] = True
        out += bytes([tag]) + der_len(len(body)) + body
        i += hdr + length
    return out


def raised(src_der, old, new):
    state = {"done": False}
    out = replace_integer(src_der, old, new, state)
    assert state["done"], f"no INTEGER {old}"
    return out


def main():
    with tempfile.TemporaryDirectory() as t:
        (open(os.path.join(t, "pass"), "wb")).write(PASS)
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:512", "-out", "k.pem", cwd=t)
        openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-iter", "1000", "-outform", "DER",
                "-in", "k.pem", "-out", "pbkdf2.der", "-passout", "file:pass", cwd=t)
        openssl("pkcs8", "-topk8", "-scrypt", "-scrypt_N", "16384", "-scrypt_r", "8", "-scrypt_p", "1",
                "-outform", "DER", "-in", "k.pem", "-out", "scrypt.der", "-passout", "file:pass", cwd=t)
        pbkdf2 = open(os.path.join(t, "pbkdf2.der"), "rb").read()
        scrypt = open(os.path.join(t, "scrypt.der"), "rb").read()
    files = {
        "kdf-pbkdf2-2-32": {"key.der": raised(pbkdf2, 1000, 2**32 - 1)},
        "kdf-pbkdf2-20m": {"key.der": raised(pbkdf2, 1000, 20_000_000)},
        "kdf-scrypt-2-20": {"key.der": raised(scrypt, 16384, 2**20)},
        "kdf-scrypt-2-30": {"key.der": raised(scrypt, 16384, 2**30)},
        "kdf-scrypt-2-30-allowed": {"key.der": raised(scrypt, 16384, 2**30)},
        "kdf-scrypt-p-large": {"key.der": raised(raised(raised(scrypt, 1, 2**15), 16384, 2**16), 8, 1)},
        "passphrase-file-dev-zero": {"key.der": pbkdf2},
    }
    for case, content in files.items():
        d = os.path.join(ROOT, case)
        os.makedirs(d, exist_ok=True)
        for name, data in content.items():
            open(os.path.join(d, name), "wb").write(data)
        open(os.path.join(d, "pass"), "wb").write(PASS)
        print(f"wrote {d}", file=sys.stderr)


if __name__ == "__main__":
    main()
