#!/usr/bin/env python3
"""Checks a provisioning output folder against the promise of
`flashkit provision`: every counter value from the state's start to its
next was issued exactly once (no serial repeated, none lost), each has one
manifest row and one file, and each file's devinfo record (parsed here
independently: Intel HEX, CRC-32 with zlib, TLVs) says what its manifest
row says. Usage: provision_check.py DIR STATE PARTITION_ADDRESS"""
import csv, glob, os, struct, sys, zlib

out, state, part = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
st = dict(l.split(" ", 1) for l in open(state).read().splitlines()[1:])
if "pending" in st:
    sys.exit("FAIL: state still pending: %s" % st["pending"])
start, nxt = int(st["start"]), int(st["next"])

rows = {}
for m in glob.glob(os.path.join(out, "manifest-*.csv")):
    for r in csv.DictReader(open(m)):
        c = int(r["counter"])
        if c in rows:
            sys.exit("FAIL: counter %d in two manifests" % c)
        rows[c] = r
serials = [r["serial"] for r in rows.values()]
if len(set(serials)) != len(serials):
    sys.exit("FAIL: a serial repeats")
if sorted(rows) != list(range(start, nxt)):
    missing = sorted(set(range(start, nxt)) - set(rows))
    extra = sorted(set(rows) - set(range(start, nxt)))
    sys.exit("FAIL: counters issued %d..%d, manifests lack %s, have extra %s"
             % (start, nxt - 1, missing[:10], extra[:10]))
files = {f for f in os.listdir(out) if f.endswith(".hex")}
if files != {r["file"] for r in rows.values()}:
    sys.exit("FAIL: files and manifest rows differ: %s" %
             sorted(files ^ {r["file"] for r in rows.values()})[:10])

def record(path):
    mem, upper = {}, 0
    for line in open(path):
        b = bytes.fromhex(line.strip()[1:])
        if sum(b) & 0xFF:
            sys.exit("FAIL: %s: bad checksum" % path)
        n, addr, typ = b[0], b[1] << 8 | b[2], b[3]
        if typ == 0:
            for i in range(n):
                mem[upper + addr + i] = b[4 + i]
        elif typ == 4:
            upper = (b[4] << 8 | b[5]) << 16
    size = struct.unpack("<H", bytes(mem[part + 6 + i] for i in range(2)))[0]
    return bytes(mem[part + i] for i in range(12 + size))

for r in rows.values():
    rec = record(os.path.join(out, r["file"]))
    magic, ver, hs, blen, crc = struct.unpack("<IBBHI", rec[:12])
    if magic != 0x49444B46 or zlib.crc32(rec[:8] + rec[12:]) != crc:
        sys.exit("FAIL: %s: bad record" % r["file"])
    tlv, pos = {}, 12
    while pos < len(rec):
        i, n = struct.unpack("<HH", rec[pos:pos + 4])
        tlv[i] = rec[pos + 4:pos + 4 + n]
        pos += 4 + n
    if tlv[1].decode() != r["serial"] or tlv[5].hex() != r["secret"]:
        sys.exit("FAIL: %s: record and manifest disagree" % r["file"])
secrets = [r["secret"] for r in rows.values()]
if len(set(secrets)) != len(secrets):
    sys.exit("FAIL: a secret repeats")
print("checked %d devices: counters %d..%d each issued once" %
      (len(rows), start, nxt - 1))
