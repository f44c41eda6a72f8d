#!/usr/bin/env python3
"""Ambiguous zip layouts of a signed policy JAR (issue 10 item 5), for tests/cli/jar_layout.rs and
scripts/regress_ccm.sh. Standard library only.

    python3 scripts/evil_jars.py KIND IN.jar OUT.jar [UNSIGNED-FILE]

KIND:
  dup-first   an unsigned ccm.txt (UNSIGNED-FILE) before the JAR's own entries, both listed
  dup-last    the same, the unsigned ccm.txt after the JAR's own entries
  hidden      an unsigned ccm.txt local entry before the others that the central directory
              does not list (streaming readers see it, unzip and the zip crate do not)
  rename      the local header of the signed ccm.txt renamed to xcm.txt (central name unchanged)
  append      junk after the end of central directory record
  prepend     junk before the first entry, every offset shifted to match (as `zip -A` does
              for self-extracting archives)
"""
import struct
import sys
import warnings
import zipfile

UNSIGNED_DEFAULT = b"# an unsigned policy an attacker slipped in\n"


def entries(path):
    with zipfile.ZipFile(path) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def write(path, items):
    # zipfile warns on duplicate names and writes them anyway: that is the point here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
            for info, data in items:
                z.writestr(info, data)


def drop_first_central(data):
    """Remove the first central directory record and fix the end record."""
    eocd = data.rindex(b"PK\x05\x06")
    count, size, offset = struct.unpack("<HII", data[eocd + 10 : eocd + 20])
    rec = offset
    name_len, extra_len, comment_len = struct.unpack("<HHH", data[rec + 28 : rec + 34])
    rec_len = 46 + name_len + extra_len + comment_len
    cd = data[offset + rec_len : offset + size]
    end = bytearray(data[eocd:])
    struct.pack_into("<HHII", end, 8, count - 1, count - 1, size - rec_len, offset)
    return data[:offset] + cd + bytes(end)


def shift(prefix, data):
    """Put prefix before the archive and move every offset by its length."""
    data = bytearray(data)
    n = len(prefix)
    eocd = data.rindex(b"PK\x05\x06")
    count, size, offset = struct.unpack("<HII", data[eocd + 10 : eocd + 20])
    struct.pack_into("<I", data, eocd + 16, offset + n)
    rec = offset
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[rec + 28 : rec + 34])
        (local,) = struct.unpack("<I", data[rec + 42 : rec + 46])
        struct.pack_into("<I", data, rec + 42, local + n)
        rec += 46 + name_len + extra_len + comment_len
    return prefix + bytes(data)


def main():
    kind, src, out = sys.argv[1:4]
    unsigned = open(sys.argv[4], "rb").read() if len(sys.argv) > 4 else UNSIGNED_DEFAULT
    items = entries(src)
    extra = zipfile.ZipInfo("ccm.txt", date_time=(1980, 1, 1, 0, 0, 0))
    if kind == "dup-first":
        write(out, [(extra, unsigned)] + items)
    elif kind == "dup-last":
        write(out, items + [(extra, unsigned)])
    elif kind == "hidden":
        write(out, [(extra, unsigned)] + items)
        data = open(out, "rb").read()
        open(out, "wb").write(drop_first_central(data))
    elif kind == "rename":
        data = bytearray(open(src, "rb").read())
        at = data.index(b"PK\x03\x04")  # the first local header
        while True:
            name_len = struct.unpack("<H", data[at + 26 : at + 28])[0]
            if data[at + 30 : at + 30 + name_len] == b"ccm.txt":
                data[at + 30] = ord("x")
                break
            at = data.index(b"PK\x03\x04", at + 4)
        open(out, "wb").write(bytes(data))
    elif kind == "append":
        open(out, "wb").write(open(src, "rb").read() + b"appended junk\n")
    elif kind == "prepend":
        open(out, "wb").write(shift(b"prepended junk\n", open(src, "rb").read()))
    else:
        sys.exit(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
