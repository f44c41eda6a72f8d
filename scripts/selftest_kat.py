#!/usr/bin/env python3
"""Known answers for `kmi selftest` (src/selftest.rs) computed independently of kmi.

Prints the vectors the Shoup and Feldman tests embed (plain Python integers, random.seed(2026),
so a re-run prints the same numbers) and the AES-GCM, AES key wrap, SHA and RSA-OAEP answers
(Python cryptography; the OAEP key and ciphertext are fresh on each run, any pair works).
Run: python3 scripts/selftest_kat.py
"""
import hashlib
import random
from math import factorial, gcd

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_wrap


def mr(n, k=40):
    if n < 2:
        return False
    for sp in [2, 3, 5, 7, 11, 13]:
        if n % sp == 0:
            return n == sp
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(k):
        x = pow(random.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def safe(bits):
    while True:
        pp = random.getrandbits(bits - 1) | (1 << (bits - 2)) | 1
        if mr(pp) and mr(2 * pp + 1):
            return 2 * pp + 1


random.seed(2026)
# Shoup (Eurocrypt 2000): N = p q of 96-bit safe primes, e = 65537, 2 of 3 shares of
# d = e^-1 mod p'q' on f(X) = d + a1 X, v a random square; partials x_i = x^(2 Delta s_i).
p = safe(96)
q = safe(96)
while q == p:
    q = safe(96)
N, e = p * q, 65537
m = ((p - 1) // 2) * ((q - 1) // 2)
d = pow(e, -1, m)
a1 = random.randrange(m)
Delta = factorial(3)
s = {i: (d + a1 * i) % m for i in range(1, 4)}
v = pow(random.randrange(2, N), 2, N)
x = int.from_bytes(b"kmi Shoup KAT", "big")
assert gcd(x, N) == 1
lam = (p - 1) * (q - 1) // gcd(p - 1, q - 1)
y = pow(x, pow(e, -1, lam), N)
print("shoup N", "%x" % N, "v", "%x" % v)
for i in s:
    print(f"shoup s{i}", "%x" % s[i], "vk", "%x" % pow(v, s[i], N),
          "x_i", "%x" % pow(x, 2 * Delta * s[i], N))
print("shoup x", "%x" % x, "y = x^d", "%x" % y)
# Feldman VSS over a 128-bit safe-prime group, g = 4: shares of x on f(X) = x + c1 X mod q,
# commitments g^x, g^c1; partial decryptions r_i = alpha^(s_i) combine to alpha^x.
P = safe(128)
Q = (P - 1) // 2
g = 4
xs = random.randrange(1, Q)
c1 = random.randrange(1, Q)
sh = {i: (xs + c1 * i) % Q for i in range(1, 4)}
u = random.randrange(1, Q)
alpha = pow(g, u, P)
print("feldman p", "%x" % P, "C0", "%x" % pow(g, xs, P), "C1", "%x" % pow(g, c1, P))
for i in sh:
    print(f"feldman s{i}", "%x" % sh[i], "g^s", "%x" % pow(g, sh[i], P),
          "r_i", "%x" % pow(alpha, sh[i], P))
print("feldman alpha", "%x" % alpha, "alpha^x", "%x" % pow(alpha, xs, P))

print("gcm tc14", AESGCM(bytes(32)).encrypt(bytes(12), bytes(16), None).hex())
print("aes-kw rfc3394 4.6", aes_key_wrap(bytes(range(32)), bytes.fromhex(
    "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")).hex())
for h in ("sha1", "sha384", "sha512"):
    print(h, hashlib.new(h, b"abc").hexdigest())
key = rsa.generate_private_key(65537, 1024)
n = key.private_numbers()
c = key.public_key().encrypt(b"kmi selftest OAEP", padding.OAEP(
    mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
print("oaep n", "%x" % n.public_numbers.n, "d", "%x" % n.d, "c", c.hex())
