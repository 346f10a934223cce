#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Lay the project's files over a pristine Linux 6.12 tree.

usage: overlay.py PROJECT SRC [--list]

SRC is unpacked from the Debian linux-source-6.12 tarball when it is missing
or when the package changed.  Then every project file under the kernel
folders is copied to the same path in SRC (replacing an upstream file or
adding a new one), the top-level Kconfig goes to arch/arm/mm/Kconfig.dma, and
the hook lines of harness/hooks are added to their upstream files.

Files are written only when their content changes, so kbuild rebuilds only
what the project changed.  An upstream file is saved before it is first
replaced or hooked, and put back when the project stops owning it; the record
lives in SRC/.armdma/.
"""
import json
import os
import shutil
import subprocess
import sys

TARBALL = "/usr/src/linux-source-6.12.tar.xz"
FOLDERS = ["arch", "drivers", "include", "kernel", "tools", "Documentation"]
KCONFIG_DEST = "arch/arm/mm/Kconfig.dma"


def die(msg):
    sys.exit("overlay: " + msg)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write_if_changed(path, data):
    if os.path.exists(path) and read(path) == data:
        return False
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".armdma-tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return True


def base_id():
    st = os.stat(TARBALL)
    return "%s %d %d" % (TARBALL, st.st_size, int(st.st_mtime))


def unpack(src):
    """Unpack a pristine base into src unless the same one is already there."""
    stamp = os.path.join(src, ".armdma", "base-id")
    if not os.path.exists(TARBALL):
        die("%s is missing (apt-get install linux-source-6.12)" % TARBALL)
    if os.path.exists(stamp) and read(stamp).decode() == base_id():
        return
    print("overlay: unpacking %s" % TARBALL, flush=True)
    parent = os.path.dirname(os.path.abspath(src))
    tmp = os.path.join(parent, ".unpack")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(tmp)
    subprocess.run(["tar", "-xJf", TARBALL, "-C", tmp], check=True)
    tops = os.listdir(tmp)
    if len(tops) != 1:
        die("unexpected tarball layout: %s" % tops)
    os.rename(os.path.join(tmp, tops[0]), src)
    os.rmdir(tmp)
    os.makedirs(os.path.dirname(stamp), exist_ok=True)
    with open(stamp, "w") as f:
        f.write(base_id())


def project_files(project):
    """Map of tree path -> project file for everything the project owns."""
    files = {}
    for top in FOLDERS:
        root = os.path.join(project, top)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in filenames:
                if name.endswith((".o", ".pyc")):
                    continue
                full = os.path.join(dirpath, name)
                files[os.path.relpath(full, project)] = full
    kconfig = os.path.join(project, "Kconfig")
    if os.path.exists(kconfig):
        files[KCONFIG_DEST] = kconfig
    return files


def hook_lines(project):
    """Map of tree path -> [(anchor or None, line)] to add to it."""
    hooks = {}
    with open(os.path.join(project, "harness", "hooks")) as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            where, sep, text = line.partition(": ")
            if not sep:
                die("harness/hooks:%d: expected 'path: line'" % no)
            path, at, anchor = where.partition("@")
            hooks.setdefault(path.strip(), []).append(
                (anchor if at else None, text))
    return hooks


def hooked(path, pristine, lines):
    """pristine with the hook lines added: after their anchor, else at the end."""
    out = pristine.decode().splitlines()
    for anchor, text in lines:
        if anchor is None:
            out.append(text)
        elif anchor in out:
            out.insert(out.index(anchor) + 1, text)
        else:
            die("hook anchor %r is not a line of %s" % (anchor, path))
    return ("\n".join(out) + "\n").encode()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        die("usage: overlay.py PROJECT SRC [--list]")
    project, src = (os.path.abspath(a) for a in args)
    unpack(src)

    state = os.path.join(src, ".armdma")
    orig = os.path.join(state, "orig")
    manifest_path = os.path.join(state, "manifest.json")
    old = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)

    files = project_files(project)
    hooks = hook_lines(project)
    clash = set(files) & set(hooks)
    if clash:
        die("both replaced and hooked: %s" % ", ".join(sorted(clash)))

    def upstream(path):
        """The pristine content of path, or None when upstream has none."""
        saved = os.path.join(orig, path)
        if os.path.exists(saved):
            return read(saved)
        if path in old:
            return None     # we added it: upstream has no such file
        live = os.path.join(src, path)
        if not os.path.exists(live):
            return None
        data = read(live)
        write_if_changed(saved, data)
        return data

    new = {}
    changed = 0
    # Give back what the project no longer owns.
    for path in sorted(set(old) - set(files) - set(hooks)):
        pristine = upstream(path)
        live = os.path.join(src, path)
        if pristine is None:
            if os.path.exists(live):
                os.remove(live)
        else:
            write_if_changed(live, pristine)
            os.remove(os.path.join(orig, path))
        changed += 1

    for path, mine in sorted(files.items()):
        new[path] = "replaced" if upstream(path) is not None else "added"
        changed += write_if_changed(os.path.join(src, path), read(mine))

    for path, lines in sorted(hooks.items()):
        pristine = upstream(path)
        if pristine is None:
            die("hook target %s is not an upstream file" % path)
        new[path] = "hooked"
        changed += write_if_changed(os.path.join(src, path),
                                    hooked(path, pristine, lines))

    os.makedirs(state, exist_ok=True)
    with open(manifest_path, "w") as f:
        json.dump(new, f, indent=1, sort_keys=True)

    kinds = {k: sorted(p for p, v in new.items() if v == k)
             for k in ("replaced", "added", "hooked")}
    if "--list" in sys.argv:
        for kind, paths in kinds.items():
            print("%s (%d):" % (kind, len(paths)))
            for p in paths:
                print("  " + p)
    print("overlay: %d replaced, %d added, %d hooked upstream files; "
          "%d written" % (len(kinds["replaced"]), len(kinds["added"]),
                          len(kinds["hooked"]), changed))


if __name__ == "__main__":
    main()
