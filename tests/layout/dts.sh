#!/usr/bin/env bash
# The generated Zephyr overlay of every example, compiled by dtc (the
# devicetree compiler Zephyr's build uses) on top of a board devicetree
# that defines flash0 and a node per external memory, then read back
# with fdtget: every partition node at the right offset with the right
# reg and label, and the Zephyr/MCUboot labels (slot0_partition, ...)
# pointing where they must.
set -euo pipefail
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fails=0 checked=0

for layout in "$FK_ROOT"/examples/*/layout.yaml; do
	ex=$(basename "$(dirname "$layout")")
	out="$work/$ex"
	"$FK_TOOL" layout gen "$layout" -o "$out" 2>/dev/null
	python3 - "$out/layout.json" >"$out/board.dts" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tchosen { };")
first = True
for m in d["memories"]:
    if m["kind"] == "ram":
        continue
    label = "flash0" if m["kind"] == "flash" and first else m["name"].replace("-", "_")
    if m["kind"] == "flash":
        first = False
    print("\t%s: flash-%s {\n\t\treg = <0x%x 0x%x>;\n\t};" % (label, m["name"], m["base"], m["size"]))
print("};")
PY
	cat "$out/board.dts" "$out/layout.overlay" >"$out/all.dts"
	if ! dtc -@ -q -I dts -O dtb -o "$out/all.dtb" "$out/all.dts"; then
		echo "FAIL $ex: dtc refused the overlay"
		dtc -@ -I dts -O dtb -o /dev/null "$out/all.dts" || true
		fails=$((fails + 1))
		continue
	fi
	if python3 - "$out/layout.json" "$out/all.dtb" <<'PY'
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
dtb = sys.argv[2]
def get(path, prop, t="s"):
    return subprocess.run(["fdtget", "-t", t, dtb, path, prop], check=True,
                          capture_output=True, text=True).stdout.strip()
n = 0
for p in d["partitions"]:
    mem = next(m for m in d["memories"] if m["name"] == p["memory"])
    if mem["kind"] == "ram":
        continue
    node = "/flash-%s/partitions/partition@%x" % (mem["name"], p["offset"])
    assert get(node, "label") == p["name"], node
    reg = [int(x, 16) for x in get(node, "reg", "x").split()]
    assert reg == [p["offset"], p["size"]], (node, reg)
    ro = subprocess.run(["fdtget", dtb, node, "read-only"], capture_output=True).returncode == 0
    assert ro == (p["protect"] != "none"), node
    sym = get("/__symbols__", p["name"].replace("-", "_") + "_partition")
    assert sym == node, (sym, node)
    n += 1
def sym(label):
    return get("/__symbols__", label)
for i, img in enumerate(d["images"][:2]):
    for k, slot in ((0, img["primary"]), (1, img["secondary"])):
        if slot is None:  # a plain image (strategy none): one partition
            continue
        assert sym("slot%d_partition" % (2 * i + k)) == sym(slot.replace("-", "_") + "_partition")
boots = [p for p in d["partitions"] if p["role"] == "bootloader"]
if boots:
    assert sym("boot_partition") == sym(boots[0]["name"].replace("-", "_") + "_partition")
stores = [p for p in d["partitions"] if p["role"] == "storage"]
if stores:
    assert sym("storage_partition") == sym(stores[0]["name"].replace("-", "_") + "_partition")
if d["images"]:
    primary = next(p for p in d["partitions"] if p["name"] == d["images"][0]["primary"])
    node = "/flash-%s/partitions/partition@%x" % (primary["memory"], primary["offset"])
    # a path reference, as in Zephyr's own boards
    assert get("/chosen", "zephyr,code-partition") == node
print("  %d partition nodes match layout.json" % n)
PY
	then echo "ok   $ex: dtc compiles the overlay; nodes and labels match"
		checked=$((checked + 1))
	else echo "FAIL $ex"; fails=$((fails + 1)); fi
done
echo "$checked overlays compiled and checked, $fails failure(s)"
[ "$fails" = 0 ] && [ "$checked" -ge 7 ]
