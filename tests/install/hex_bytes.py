#!/usr/bin/env python3
"""hex_bytes.py FILE.hex ADDR LEN: the LEN bytes an Intel HEX file holds
at ADDR, as hex text, or "missing" when any of them is not in the file
(records 00 and 04 only: what flashkit's writers use)."""
import sys

path, addr, n = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
mem, base = {}, 0
for line in open(path):
    b = bytes.fromhex(line.strip()[1:])
    cnt, off, typ = b[0], (b[1] << 8) | b[2], b[3]
    if typ == 4:
        base = int.from_bytes(b[4:6], "big") << 16
    elif typ == 0:
        for i in range(cnt):
            mem[base + off + i] = b[4 + i]
want = range(addr, addr + n)
print(bytes(mem[a] for a in want).hex() if all(a in mem for a in want)
      else "missing")
