# SPDX-License-Identifier: GPL-2.0
"""Tables that make targets write into the documentation.

Each goes to a .inc file under Documentation/arch/arm/, which a page of
the layer's documentation includes, so that the figures a page shows are
the ones its make target printed, never pasted by hand.
"""
import os


def list_table(header, rows, widths=None):
    """reStructuredText lines of a list-table."""
    out = [".. list-table::", "   :header-rows: 1"]
    if widths:
        out.append("   :widths: " + " ".join(str(w) for w in widths))
    out.append("")
    for row in [header] + rows:
        for i, cell in enumerate(row):
            out.append("   %s %s" % ("* -" if i == 0 else "  -",
                                      str(cell) if str(cell) else "\\"))
    return out


def write(path, target, lines):
    """Write @lines of reStructuredText to @path, saying who wrote them."""
    text = [".. This file is written by %s: do not edit it." % target, ""]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(text + list(lines)).rstrip("\n") + "\n")
    print("%s: wrote %s" % (target, path))
