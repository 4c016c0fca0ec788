# flashkit for PlatformIO: an extra script (SCons) that links the firmware
# with the layout's linker script, signs it after each build, and at
# upload programs it with this device's own record (serial number, MACs,
# keys: `flashkit provision`) in the layout's devinfo page, through the
# program.cfg `flashkit layout gen` writes. docs/build-integration.md
# tells the whole story; platformio.ini:
#
#   [env:board]
#   board_build.ldscript = flashkit-gen/app.ld
#   build_flags = -I flashkit-gen
#   extra_scripts = post:flashkit.py
#   upload_protocol = custom
#   custom_flashkit_layout = layout.yaml          ; required
#   custom_flashkit_image = app                   ; default: the first image
#   custom_flashkit_key = key.pem                 ; default: digest only
#   custom_flashkit_version = 1.0.0               ; default 0.0.0
#   custom_flashkit_devices = devices.yaml        ; provision template; none:
#                                                 ; no record at upload
#   custom_flashkit_merge = boot.bin@boot         ; more factory inputs
#   custom_flashkit_openocd_args = -f interface/stlink.cfg -f target/stm32l4x.cfg
#
# Optional: custom_flashkit_gen (default flashkit-gen), custom_flashkit_out
# (default production: factory files and devices/), custom_flashkit_tool
# (default flashkit on PATH), custom_flashkit_openocd (default PlatformIO's
# tool-openocd, else openocd on PATH). Relative paths are from the project
# folder.
#
# At load: `flashkit layout gen` (an invalid layout stops the build with
# flashkit's FILE:LINE:COL error), the ELF depends on the linker script
# (a layout edit relinks it), and board_build.ldscript must be the
# generated script of the image. After the ELF is linked: `flashkit image
# sign --layout --image` (sizes, header and alignment from the layout; a
# firmware too large for its slot fails the build) into
# $BUILD_DIR/${PROGNAME}.signed.hex; a plain image (strategy none: no
# bootloader) is not signed and is merged as linked. Upload: merge
# (factory-<memory>.hex), provision one device (its serial is issued
# even if OpenOCD then fails: serials are never reused), OpenOCD with
# FK_DIR and FK_DEVICE.
import json
import os
import re
import shlex
import subprocess

Import("env")


def _option(name, default=None):
    return env.GetProjectOption("custom_flashkit_" + name, default)


def _path(value):
    return os.path.join(env.subst("$PROJECT_DIR"), env.subst(value))


TOOL = _option("tool", "flashkit")
LAYOUT = _path(_option("layout", ""))
GEN = _path(_option("gen", "flashkit-gen"))
OUT = _path(_option("out", "production"))


def _run(args):
    """Runs a command; returns its exit status, having printed its output."""
    print(" ".join(shlex.quote(str(a)) for a in args))
    return subprocess.call([str(a) for a in args])


def _fail(message):
    print("flashkit.py: error: " + message)
    env.Exit(1)


def _layout_gen():
    if not _option("layout"):
        _fail("set custom_flashkit_layout in platformio.ini")
    if _run([TOOL, "layout", "gen", LAYOUT, "-o", GEN]) != 0:
        _fail("flashkit layout gen %s failed (above)" % LAYOUT)
    with open(os.path.join(GEN, "layout.json")) as f:
        layout = json.load(f)
    images = layout["images"]
    if not images:
        _fail("%s has no image to build" % LAYOUT)
    name = _option("image", images[0]["name"])
    for image in images:
        if image["name"] == name:
            return image
    _fail("%s has no image '%s' (its images: %s)"
          % (LAYOUT, name, ", ".join(i["name"] for i in images)))


IMAGE = _layout_gen()
SCRIPT = os.path.join(GEN, IMAGE["name"] + ".ld")
if IMAGE["strategy"] == "xip":
    SCRIPT = os.path.join(GEN, "%s-%s.ld" % (IMAGE["name"], IMAGE["primary"]))
if os.path.realpath(env.subst("$LDSCRIPT_PATH")) != os.path.realpath(SCRIPT):
    _fail("board_build.ldscript is %s; set it to the generated %s"
          % (env.subst("$LDSCRIPT_PATH") or "not set",
             os.path.relpath(SCRIPT, env.subst("$PROJECT_DIR"))))
env.Depends("$PROGPATH", SCRIPT)
SIGNED = env.subst("$BUILD_DIR/${PROGNAME}.signed.hex")


def _sign(source, target, env):
    """After the link: the signed image, or nothing for a plain app."""
    elf = target[0].get_abspath()
    if IMAGE["strategy"] == "none":
        print("flashkit: image '%s' has no bootloader (strategy none): "
              "%s is programmed as linked" % (IMAGE["name"], elf))
        return 0
    args = [TOOL, "image", "sign", "--layout", LAYOUT, "--image",
            IMAGE["name"], "--pad-header", "-v", _option("version", "0.0.0")]
    if _option("key"):
        args += ["-k", _path(_option("key"))]
    return _run(args + [elf, SIGNED])


def _provision():
    """This device's record file, or None when there is no template."""
    if not _option("devices"):
        return None
    args = [TOOL, "provision", "--layout", LAYOUT, "--template",
            _path(_option("devices")), "--count", "1",
            "-o", os.path.join(OUT, "devices")]
    print(" ".join(shlex.quote(a) for a in args))
    done = subprocess.run(args, stdout=subprocess.PIPE, text=True)
    print(done.stdout, end="")
    found = re.search(r"^(\S+manifest-\d+-\d+\.csv):", done.stdout, re.M)
    if done.returncode != 0 or not found:
        return None
    with open(found.group(1)) as f:
        row = f.read().splitlines()[-1].split(",")
    return os.path.join(OUT, "devices", row[-1])


def _openocd():
    program = _option("openocd")
    if program:
        return _path(program)
    try:
        pkg = env.PioPlatform().get_package_dir("tool-openocd")
    except Exception:
        pkg = None
    if pkg:
        return os.path.join(pkg, "bin", "openocd")
    return "openocd"


def _upload(source, target, env):
    """Merge, one device's record, OpenOCD."""
    elf = env.subst("$PROGPATH")
    image = elf if IMAGE["strategy"] == "none" else SIGNED
    inputs = [image + "@" + IMAGE["primary"]]
    for extra in (_option("merge", "") or "").split():
        where = extra.rfind("@")
        inputs.append(_path(extra[:where]) + extra[where:])
    if _run([TOOL, "merge", "--layout", LAYOUT] + inputs +
            ["-o", os.path.join(OUT, "factory.hex")]) != 0:
        return 1
    args = [_openocd()] + shlex.split(_option("openocd_args", "") or "")
    args += ["-c", "set FK_DIR {%s}" % OUT]
    if _option("devices"):
        device = _provision()
        if device is None:
            print("flashkit.py: error: no device record (provision failed)")
            return 1
        args += ["-c", "set FK_DEVICE {%s}" % device]
    return _run(args + ["-f", os.path.join(GEN, "program.cfg")])


env.AddPostAction("$PROGPATH", _sign)
env.Replace(UPLOADCMD=_upload)
