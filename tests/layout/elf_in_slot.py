#!/usr/bin/env python3
"""Checks that every allocated section of an ELF lies where the layout
says: code and load images inside the slot after the header (and before
the trailer), run-time addresses inside the image's RAM regions; the
vector table exactly at slot + header. A ram-load image runs from its
`load` RAM: SLOT is then `load`, and that RAM stands for the slot.

usage: elf_in_slot.py ELF LAYOUT_JSON IMAGE SLOT        (an image)
       elf_in_slot.py ELF LAYOUT_JSON --module MODULE   (a module)
Reads the ELF with arm-none-eabi-readelf. Prints one line per section.
"""
import json
import re
import subprocess
import sys


def sections(elf):
    out = subprocess.run(["arm-none-eabi-readelf", "-S", "-W", elf],
                         check=True, capture_output=True, text=True).stdout
    result = []
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+"
                     r"([0-9a-f]+)\s+([0-9a-f]+)\s+\S+\s+(\S*)", line)
        if not m or "A" not in m.group(6):
            continue
        result.append((m.group(1), m.group(2), int(m.group(3), 16),
                       int(m.group(4), 16), int(m.group(5), 16)))
    return result


def load_segments(elf):
    """(vaddr, paddr, filesz, memsz) of each PT_LOAD."""
    out = subprocess.run(["arm-none-eabi-readelf", "-l", "-W", elf],
                         check=True, capture_output=True, text=True).stdout
    segs = []
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            segs.append((int(f[2], 16), int(f[3], 16), int(f[4], 16),
                         int(f[5], 16)))
    return segs


def lma_of(segs, addr):
    for vaddr, paddr, filesz, memsz in segs:
        if vaddr <= addr < vaddr + max(memsz, 1):
            return paddr + (addr - vaddr)
    return addr


def main():
    elf, layout_json = sys.argv[1], sys.argv[2]
    layout = json.load(open(layout_json))
    parts = {p["name"]: p for p in layout["partitions"]}
    mems = {m["name"]: m for m in layout["memories"]}
    if sys.argv[3] == "--module":
        mod = next(m for m in layout["modules"] if m["name"] == sys.argv[4])
        flash = parts[mod["flash"]]
        code = (flash["address"], flash["address"] + flash["size"])
        rams = []
        if mod["ram"]:
            r = parts[mod["ram"]]
            rams.append((r["name"], r["address"], r["address"] + r["size"]))
        # the entry table follows the module's image header, if any
        first = (".module_table", code[0] + mod.get("header_size", 0))
    else:
        img = next(i for i in layout["images"] if i["name"] == sys.argv[3])
        if img["strategy"] == "ram-load":
            if sys.argv[4] != "load":
                print("image %s is ram-load: check it against 'load'" %
                      img["name"])
                return 1
            slot = img["load"]
            end = slot["address"] + slot["size"]
        else:
            if sys.argv[4] == "load":
                print("image %s is not ram-load" % img["name"])
                return 1
            slot = parts[sys.argv[4]]
            end = slot["address"] + slot["size"] - img["trailer_size"]
        start = slot["address"] + img["header_size"]
        code = (start, start + img["max_payload"])
        assert end >= code[1]
        rams = [(r["name"], r["address"], r["address"] + r["size"])
                for r in img["ram"]]
        first = (".isr_vector", start)
    segs = load_segments(elf)
    bad = 0
    seen_first = False
    for name, typ, addr, off, size in sections(elf):
        if size == 0:
            continue
        lma = lma_of(segs, addr)
        in_code = code[0] <= addr and addr + size <= code[1]
        in_ram = [r[0] for r in rams if r[1] <= addr and addr + size <= r[2]]
        loads = typ != "NOBITS"
        lma_ok = not loads or (code[0] <= lma and lma + size <= code[1])
        where = "flash" if in_code else ("RAM " + in_ram[0] if in_ram else "NOWHERE")
        ok = (in_code or in_ram) and lma_ok
        print("%-14s 0x%08x..0x%08x load 0x%08x  %-14s %s" %
              (name, addr, addr + size, lma, where, "ok" if ok else "OUTSIDE"))
        if not ok:
            bad += 1
        if name == first[0]:
            seen_first = True
            if addr != first[1]:
                print("%s at 0x%08x, expected 0x%08x" % (name, addr, first[1]))
                bad += 1
    if not seen_first:
        print("no %s section" % first[0])
        bad += 1
    if bad:
        print("FAIL: %d section(s) outside the layout" % bad)
        return 1
    return 0


sys.exit(main())
