# SPDX-License-Identifier: GPL-2.0
"""What a board's display controller scans out, seen from the host.

QEMU's display models read the framebuffer from guest memory at the
address the driver programmed, as the controller's DMA would.  /init
(disktest.c, show_blocks()) draws a picture of black and white 16x16
blocks and prints "# screendump FB WxH"; the harness then asks QEMU for a
screendump over QMP and checks that every block shows what was drawn.  A
framebuffer whose DMA address is not where the CPU wrote shows something
else.
"""
import re

import qmp

ANNOUNCED = re.compile(r"^# screendump (\w+) (\d+)x(\d+)$")
BLOCK = 16


def pattern_word(i):
    """disktest.c's pattern_word()."""
    x = (i * 0x9e3779b97f4a7c15 + 0x5bd1e995) & (2**64 - 1)
    x ^= x >> 29
    return ((x * 0xbf58476d1ce4e5b9) & (2**64 - 1)) >> 32


def read_ppm(path):
    """(width, height, RGB bytes) of a binary PPM as QEMU writes it."""
    with open(path, "rb") as f:
        data = f.read()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
    if not m:
        raise ValueError("%s: not a P6 PPM of 8-bit samples" % path)
    width, height = int(m.group(1)), int(m.group(2))
    return width, height, data[m.end():]


def blocks_wrong(path, width, height):
    """How many of show_blocks()'s blocks the screendump at @path does not
    show (each judged by its centre pixel), or a reason it cannot tell."""
    try:
        w, h, rgb = read_ppm(path)
    except (OSError, ValueError) as e:
        return str(e)
    if (w, h) != (width, height):
        return "the display is %dx%d, not %dx%d" % (w, h, width, height)
    across = (width + BLOCK - 1) // BLOCK
    wrong = 0
    for by in range((height + BLOCK - 1) // BLOCK):
        for bx in range(across):
            x = min(bx * BLOCK + BLOCK // 2, width - 1)
            y = min(by * BLOCK + BLOCK // 2, height - 1)
            level = sum(rgb[(y * width + x) * 3:(y * width + x) * 3 + 3])
            white = pattern_word(by * across + bx) & 1
            if (white and level < 600) or (not white and level > 150):
                wrong += 1
    return wrong


def check(qmp_path, line, dump):
    """For a console @line announcing a picture, take a screendump into
    @dump and return a KTAP result line about it; None for other lines."""
    m = ANNOUNCED.match(line.strip())
    if not m:
        return None
    fb, width, height = m.group(1), int(m.group(2)), int(m.group(3))
    what = "%s: the display controller scans out what was drawn" % fb
    try:
        reply = qmp.run(qmp_path, "screendump", filename=dump)
    except OSError as e:
        return "not ok - %s # QMP: %s" % (what, e)
    if "error" in reply:
        return "not ok - %s # screendump: %s" % (what, reply["error"])
    wrong = blocks_wrong(dump, width, height)
    if wrong == 0:
        return "ok - " + what
    if isinstance(wrong, int):
        wrong = "%d blocks of %d differ" % (
            wrong, ((width + 15) // 16) * ((height + 15) // 16))
    return "not ok - %s # %s" % (what, wrong)
