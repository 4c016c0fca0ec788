#!/usr/bin/env python3
"""Writes the elements of a DfuSe file into a flash image file.

An independent reader of ST's DfuSe format (UM0391): the prefix
("DfuSe", version 1, image size, target count), then per target its
prefix ("Target", alternate setting, name flag and 255-byte name,
target size, element count) and its elements (address, size, data),
then the 16-byte DFU suffix (checked here by its length and signature
only; the test checks its CRC with dfu-suffix --check). Every element
byte at address A goes to offset A - BASE of FLASH, which must already
hold the whole memory; like ST's DfuSe loader and dfu-util, every
SECTOR-byte page an element touches is erased (0xFF) first.

usage: dfuse_place.py FILE.dfu FLASH.bin BASE SECTOR
"""
import struct
import sys


def elements(data):
    if data[:5] != b"DfuSe" or data[5] != 1:
        raise SystemExit("not a DfuSe v1 file")
    image_size, targets = struct.unpack_from("<IB", data, 6)
    # UM0391 calls it the total file length; dfu-util's dfuse-pack.py
    # writes the length without the suffix: take either
    if image_size not in (len(data), len(data) - 16):
        raise SystemExit("DfuSe image size %d, file has %d bytes"
                         % (image_size, len(data)))
    if data[-8:-5] != b"UFD":
        raise SystemExit("no DFU suffix signature")
    pos = 11
    for _ in range(targets):
        if data[pos:pos + 6] != b"Target":
            raise SystemExit("target prefix missing at %d" % pos)
        _alt, _named = struct.unpack_from("<BI", data, pos + 6)
        size, count = struct.unpack_from("<II", data, pos + 266)
        pos += 274
        end = pos + size
        for _ in range(count):
            addr, n = struct.unpack_from("<II", data, pos)
            yield addr, data[pos + 8:pos + 8 + n]
            pos += 8 + n
        if pos != end:
            raise SystemExit("target size does not match its elements")


def main():
    dfu, flash, base = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    sector = int(sys.argv[4], 0)
    data = open(dfu, "rb").read()
    with open(flash, "r+b") as f:
        size = f.seek(0, 2)
        for addr, chunk in elements(data):
            off = addr - base
            if off < 0 or off + len(chunk) > size:
                raise SystemExit("element 0x%x+%d outside the flash"
                                 % (addr, len(chunk)))
            first = off // sector * sector
            last = (off + len(chunk) + sector - 1) // sector * sector
            f.seek(first)
            f.write(b"\xff" * (last - first))
            f.seek(off)
            f.write(chunk)
            print("placed 0x%08x..0x%08x" % (addr, addr + len(chunk)))


if __name__ == "__main__":
    main()
