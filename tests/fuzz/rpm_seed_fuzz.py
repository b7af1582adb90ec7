#!/usr/bin/env python3
"""Writes the seed corpora of the rpm fuzz targets (rpm_{header,bdb,ndb,sqlite}_fuzz).

Every seed is built here from scratch, nothing is copied from real databases:
  header: a package header with an immutable region, a legacy header without one, a header
          whose file list uses OLDFILENAMES;
  bdb:    a 512-byte-page BerkeleyDB hash file (little- and big-endian) holding one header in
          an overflow chain and one inline, plus the next-instance record 0;
  ndb:    an ndb Packages.db with one slot page and two blobs;
  sqlite: an rpmdb.sqlite with table Packages(hnum, blob) and two rows.
Run from the repository root: python3 tests/fuzz/rpm_seed_fuzz.py
"""
import os
import sqlite3
import struct
import tempfile
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def header(items, region=True):
    """items: (tag, type, payload bytes, count) in offset order."""
    align = {3: 2, 4: 4, 5: 8}
    index, data = b"", b""
    il = len(items) + (1 if region else 0)
    for tag, typ, payload, count in items:
        while len(data) % align.get(typ, 1):
            data += b"\0"
        index += struct.pack(">IIiI", tag, typ, len(data), count)
        data += payload
    region_entry = b""
    if region:
        region_entry = struct.pack(">IIiI", 63, 7, len(data), 16)
        data += struct.pack(">IIiI", 63, 7, -il * 16, 16)
    return struct.pack(">II", il, len(data)) + region_entry + index + data


def s(tag, text):
    return (tag, 6, text.encode() + b"\0", 1)


def sa(tag, values):
    return (tag, 8, b"".join(v.encode() + b"\0" for v in values), len(values))


def i32(tag, values):
    return (tag, 4, b"".join(struct.pack(">I", v) for v in values), len(values))


def package(name, files=2):
    return header([
        (261, 7, bytes(range(16)), 16),
        s(1000, name), s(1001, "1.0"), s(1002, "1.el9"), i32(1003, [1]),
        (1004, 9, b"seed package\0", 1), i32(1009, [1234]), s(1011, "Seed"),
        s(1014, "MIT"), s(1022, "noarch"), s(1044, name + "-1.0-1.el9.src.rpm"),
        i32(1116, [0] * files), sa(1117, ["f%d" % i for i in range(files)]),
        sa(1118, ["/usr/share/" + name + "/"]), s(5096, "m:1:2:3"),
    ])


def bdb(blobs, big_endian=False):
    """A BerkeleyDB hash file with page size 512: meta, one bucket page, overflow pages."""
    e = ">" if big_endian else "<"
    size = 512
    pages = {}
    items = []  # (key bytes, value item bytes)
    next_page = 2
    items.append((struct.pack(e + "I", 0), b"\x01" + struct.pack(e + "I", len(blobs) + 1)))
    for number, blob in enumerate(blobs, start=1):
        key = struct.pack(e + "I", number)
        if len(blob) < 100:
            items.append((key, b"\x01" + blob))
            continue
        first = next_page
        chunks = [blob[i:i + size - 26] for i in range(0, len(blob), size - 26)]
        for n, chunk in enumerate(chunks):
            page = next_page
            nxt = page + 1 if n + 1 < len(chunks) else 0
            prev = page - 1 if n else 0
            pages[page] = (struct.pack(e + "QIIIHHBB", 0, page, prev, nxt, 1, len(chunk), 0, 7)
                           + chunk).ljust(size, b"\0")
            next_page += 1
        items.append((key, b"\x03\0\0\0" + struct.pack(e + "II", first, len(blob))))
    # Bucket page 1: items packed from the end of the page, index after the header.
    offsets, body, end = [], b"", size
    for key, value in items:
        end -= len(key) + 1
        offsets.append(end)
        key_item = b"\x01" + key
        end -= len(value)
        offsets.append(end)
        body = value + key_item + body
    head = struct.pack(e + "QIIIHHBB", 0, 1, 0, 0, len(offsets), end, 0, 13)
    index = b"".join(struct.pack(e + "H", o) for o in offsets)
    page1 = head + index
    page1 = page1 + b"\0" * (end - len(page1)) + body
    assert len(page1) == size
    last = next_page - 1
    meta = struct.pack(e + "QII", 0, 0, 0x061561) + struct.pack(e + "II", 9, size)
    meta += b"\0\x08\0\0" + struct.pack(e + "III", 0, last, 0).ljust(16, b"\0")
    meta = meta.ljust(72, b"\0")
    meta += struct.pack(e + "IIIIII", 0, 1, 0, 0, len(items), 0)  # max_bucket 0
    meta += struct.pack(e + "I", 1) + b"\0" * 124  # spares[0] = page 1
    meta = meta.ljust(size, b"\0")
    out = meta + page1
    for page in range(2, next_page):
        out += pages[page]
    return out


def ndb(blobs):
    slots = b""
    data = b""
    block = 4096 // 16  # data starts after the one slot page
    for idx, blob in enumerate(blobs, start=1):
        head = b"BlbS" + struct.pack("<III", idx, 0, len(blob))
        body = head + blob
        count = (len(body) + 12 + 15) // 16
        padded = body.ljust(count * 16 - 12, b"\0")
        tail = struct.pack("<II", zlib.adler32(padded), len(blob)) + b"BlbE"
        slots += b"Slot" + struct.pack("<III", idx, block, count)
        data += padded + tail
        block += count
    area = b"RpmP" + struct.pack("<IIII", 0, 1, 1, len(blobs) + 1).ljust(28, b"\0") + slots
    while len(area) < 4096:
        area += b"Slot" + b"\0" * 12
    return area + data


def sqlite_db(blobs):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rpmdb.sqlite")
        db = sqlite3.connect(path)
        db.execute("PRAGMA page_size=512")
        db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, "
                   "blob BLOB NOT NULL)")
        db.executemany("INSERT INTO Packages(blob) VALUES (?)", [(b,) for b in blobs])
        db.commit()
        db.execute("VACUUM")
        db.close()
        return open(path, "rb").read()


def write(target, name, data):
    folder = os.path.join(OUT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main():
    big, small = package("seed"), header([s(1000, "tiny")])
    write("rpm_header_fuzz", "package", big)
    write("rpm_header_fuzz", "legacy", header([s(1000, "old"), sa(1027, ["/bin/sh"])], False))
    write("rpm_header_fuzz", "minimal", small)
    write("rpm_bdb_fuzz", "little-endian", bdb([big, small]))
    write("rpm_bdb_fuzz", "big-endian", bdb([big, small], big_endian=True))
    write("rpm_ndb_fuzz", "two-blobs", ndb([big, small]))
    write("rpm_sqlite_fuzz", "two-rows", sqlite_db([big, small]))


if __name__ == "__main__":
    main()
