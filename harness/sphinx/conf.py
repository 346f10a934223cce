# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration of harness/docs.sh: the base's own Sphinx extensions
# (Documentation/sphinx), over Documentation/arch/arm of the overlaid tree.
import os
import sys

srctree = os.environ["srctree"]
sys.path.insert(0, os.path.join(srctree, "Documentation", "sphinx"))
extensions = ["kerneldoc", "rstFlatTable", "kernel_include", "kernel_feat",
              "automarkup", "sphinx.ext.autosectionlabel"]
autosectionlabel_maxdepth = 2
autosectionlabel_prefix_document = True
kerneldoc_bin = os.path.join(srctree, "scripts", "kernel-doc")
kerneldoc_srctree = srctree
root_doc = master_doc = "index"
project = "The Linux Kernel: ARM Architecture"
highlight_language = "none"
