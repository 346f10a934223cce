#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The project as a git format-patch series against the pristine base.

usage: patches.py PROJECT BUILD generate

generate writes BUILD/patches/*.patch: harness/series says which files,
Kconfig blocks and hook lines each patch adds; the series is committed on a
git repository of the base (BUILD/patches/repo) and exported with git
format-patch.

verify() (make check runs it) applies that series with git am to a freshly
unpacked base, checks that the result is the tree make check tests
(BUILD/linux), runs checkpatch --strict over the patches, builds the virt
KUnit kernel from the applied tree and runs one suite on it.  It prints
KTAP-style "ok"/"not ok" lines and returns a tally.
"""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import overlay  # noqa: E402

AUTHOR = "ARM DMA team <dev@armdma.invalid>"
DATE = "2024-11-17 12:00:00 +0000"
BASE_TAG = "armdma-base"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "ARM DMA team", "GIT_AUTHOR_EMAIL": "dev@armdma.invalid",
    "GIT_COMMITTER_NAME": "ARM DMA team",
    "GIT_COMMITTER_EMAIL": "dev@armdma.invalid",
    "GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": DATE,
}
# The one suite verify runs from the applied tree, on the virt build.
SUITE = "arm_dma_alloc*"


def die(msg):
    sys.exit("patches: " + msg)


def git(repo, *args, **kw):
    env = dict(os.environ, **GIT_ENV)
    return subprocess.run(["git", "-C", repo, "-c", "core.autocrlf=false",
                           "-c", "gc.auto=0"] + list(args),
                          check=True, env=env, text=True,
                          stdout=kw.get("stdout", subprocess.DEVNULL))


def parse_series(project):
    """(cover subject, cover text, [patch dicts]) from harness/series."""
    blocks, cur, key = [], None, None
    with open(os.path.join(project, "harness", "series")) as f:
        for line in f:
            line = line.rstrip("\n")
            if cur is None and line.startswith("#"):
                continue
            head = re.match(r"^(Cover|Subject): (.*)$", line)
            if head:
                cur = {"kind": head.group(1), "subject": head.group(2),
                       "Files": [], "Config": [], "Hooks": [], "body": []}
                blocks.append(cur)
                key = "head"
                continue
            if cur is None:
                continue
            field = re.match(r"^(Files|Config|Hooks):(.*)$", line)
            if key != "body" and field:
                key = field.group(1)
                cur[key] += field.group(2).split()
            elif key not in ("head", "body") and line.startswith(" "):
                cur[key] += line.split()
            else:
                key = "body"
                cur["body"].append(line)
    for b in blocks:
        b["body"] = "\n".join(b["body"]).strip("\n")
    cover = [b for b in blocks if b["kind"] == "Cover"]
    patches = [b for b in blocks if b["kind"] == "Subject"]
    if len(cover) != 1 or not patches:
        die("harness/series: want one Cover: and at least one Subject:")
    return cover[0]["subject"], cover[0]["body"], patches


def kconfig_blocks(project):
    """Header lines, {symbol: lines} in file order, and the footer lines."""
    with open(os.path.join(project, "Kconfig")) as f:
        lines = f.read().splitlines()
    head, blocks, order, sym = [], {}, [], None
    for line in lines:
        m = re.match(r"^config (\w+)$", line)
        if m:
            sym = m.group(1)
            blocks[sym] = []
            order.append(sym)
        if line.startswith("endmenu"):
            sym = None
            tail = lines[lines.index(line):]
            break
        if sym is None:
            head.append(line)
        else:
            blocks[sym].append(line)
    else:
        die("Kconfig: no endmenu")
    return head, order, blocks, tail


def check_claims(project, patches):
    """Every file, config block and hook line in exactly one patch."""
    files = overlay.project_files(project)
    files.pop(overlay.KCONFIG_DEST)
    _, order, _, _ = kconfig_blocks(project)
    hooks = [(path, anchor, text)
             for path, lines in overlay.hook_lines(project).items()
             for anchor, text in lines]
    problems = []

    def claim(kind, names, known):
        seen = {}
        for p in patches:
            for n in p[kind]:
                if n in seen:
                    problems.append("%s %s in two patches" % (kind, n))
                seen[n] = p
        for n in sorted(set(known) - set(seen)):
            problems.append("%s %s in no patch" % (kind, n))
        for n in sorted(set(seen) - set(known)):
            problems.append("%s %s is not the project's" % (kind, n))

    claim("Files", None, files)
    claim("Config", None, order)
    for p in patches:
        p["hook_lines"] = []
        for word in p["Hooks"]:
            hits = [h for h in hooks if word in "%s: %s" % (h[0], h[2])]
            if len(hits) != 1:
                problems.append("Hooks word %r matches %d hook lines" %
                                (word, len(hits)))
            p["hook_lines"] += hits
    claimed = [h for p in patches for h in p["hook_lines"]]
    for h in hooks:
        if claimed.count(h) != 1:
            problems.append("hook line %s: %s in %d patches" %
                            (h[0], h[2], claimed.count(h)))
    if problems:
        die("harness/series does not cover the project:\n  " +
            "\n  ".join(problems))
    return files, hooks


def fresh_repo(tree):
    """A pristine base unpacked at tree, committed and tagged."""
    subprocess.run(["rm", "-rf", os.path.dirname(tree)], check=True)
    os.makedirs(os.path.dirname(tree))
    overlay.unpack(tree)
    shutil.rmtree(os.path.join(tree, ".armdma"))
    git(tree, "init", "-q")
    # No gc in the background to race the next rm -rf.
    git(tree, "config", "gc.auto", "0")
    git(tree, "config", "maintenance.auto", "false")
    # Debian's tarball ignores its own top level (/*): add by force.
    git(tree, "add", "-A", "-f")
    git(tree, "commit", "-q", "-m", "Linux 6.12 from Debian linux-source-6.12")
    git(tree, "tag", BASE_TAG)


def message(p):
    return "%s\n\n%s\n\nSigned-off-by: %s\n" % (p["subject"], p["body"], AUTHOR)


def generate(project, build):
    cover_subject, cover_text, patches = parse_series(project)
    files, hooks = check_claims(project, patches)
    head, order, blocks, tail = kconfig_blocks(project)
    work = os.path.join(build, "patches-gen")
    repo = os.path.join(work, "linux")
    fresh_repo(repo)

    pristine = {}
    hooked = {}
    config = []
    for p in patches:
        for path in p["Files"]:
            dest = os.path.join(repo, path)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(files[path], dest)
        touched = list(p["Files"])
        if p["Config"]:
            config += p["Config"]
            lines = head + [l for s in order if s in config
                            for l in blocks[s]] + tail
            with open(os.path.join(repo, overlay.KCONFIG_DEST), "w") as f:
                f.write("\n".join(lines) + "\n")
            touched.append(overlay.KCONFIG_DEST)
        for hook in p["hook_lines"]:
            path = hook[0]
            if path not in pristine:
                pristine[path] = overlay.read(os.path.join(repo, path))
            # In the order of harness/hooks, as the overlay adds them.
            hooked.setdefault(path, []).append(hook)
            hooked[path].sort(key=hooks.index)
            with open(os.path.join(repo, path), "wb") as f:
                f.write(overlay.hooked(path, pristine[path],
                                       [h[1:] for h in hooked[path]]))
            touched.append(path)
        git(repo, "add", "-f", "--", *sorted(set(touched)))
        commit(repo, message(p))

    out = os.path.join(build, "patches")
    shutil.rmtree(out, ignore_errors=True)
    git(repo, "format-patch", "-q", "--cover-letter", "--no-signature",
        "--zero-commit", "--base=" + BASE_TAG, "-o", out,
        BASE_TAG + "..HEAD")
    cover = os.path.join(out, "0000-cover-letter.patch")
    with open(cover) as f:
        text = f.read()
    text = text.replace("*** SUBJECT HERE ***", cover_subject)
    text = text.replace("*** BLURB HERE ***", cover_text)
    with open(cover, "w") as f:
        f.write(text)
    names = sorted(os.listdir(out))
    print("patches: %d patches and a cover letter in %s" %
          (len(names) - 1, out))
    for n in names:
        print("  " + n)
    return out


def commit(repo, msg):
    env = dict(os.environ, **GIT_ENV)
    subprocess.run(["git", "-C", repo, "commit", "-q", "-F", "-"],
                   input=msg, text=True, check=True, env=env,
                   stdout=subprocess.DEVNULL)


def differing(applied, src):
    """Paths where the applied tree and the overlaid tree differ."""
    with open(os.path.join(src, ".armdma", "manifest.json")) as f:
        owned = json.load(f)
    changed = subprocess.run(
        ["git", "-C", applied, "diff", "--name-only", BASE_TAG],
        check=True, text=True, stdout=subprocess.PIPE).stdout.split()
    changed += subprocess.run(
        ["git", "-C", applied, "ls-files", "--others"],
        check=True, text=True, stdout=subprocess.PIPE).stdout.split()
    bad = sorted(set(changed) ^ set(owned))
    for path in sorted(owned):
        a, b = os.path.join(applied, path), os.path.join(src, path)
        if not os.path.exists(a) or overlay.read(a) != overlay.read(b):
            bad.append(path)
    return sorted(set(bad))


def verify(project, build, src, kunit):
    """Apply, compare, checkpatch, build and run; returns (tally, note).

    kunit(tree, build_dir, suite) builds and runs the suite from tree.
    """
    tally = {"passed": 0, "failed": 0, "skipped": 0}

    def result(ok, what):
        print("[patches] %sok %d %s" % ("" if ok else "not ",
                                        sum(tally.values()) + 1, what),
              flush=True)
        tally["passed" if ok else "failed"] += 1
        return ok

    out = generate(project, build)
    series = sorted(os.path.join(out, n) for n in os.listdir(out)
                    if not n.startswith("0000-"))
    work = os.path.join(build, "patches-check")
    tree = os.path.join(work, "linux")
    fresh_repo(tree)
    am = subprocess.run(["git", "-C", tree, "am", "-q"] + series,
                        env=dict(os.environ, **GIT_ENV), text=True,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if not result(am.returncode == 0, "git am applies the series"):
        print(am.stdout[-3000:])
        return tally, "git am failed"
    bad = differing(tree, src)
    if not result(not bad, "the applied tree is the tree make check tests"):
        print("[patches] differ: " + " ".join(bad))
    cp = subprocess.run(
        [os.path.join(src, "scripts", "checkpatch.pl"), "--strict",
         "--quiet", "--no-tree", "--ignore", "FILE_PATH_CHANGES"] + series,
        text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if not result(cp.returncode == 0, "checkpatch --strict is clean on the series"):
        print(cp.stdout[-4000:])

    # Same layout as BUILD/linux and BUILD/kunit-virt, so ccache hits.
    tally_suite, note = kunit(tree, os.path.join(work, "kunit-virt"), SUITE)
    result(tally_suite["failed"] == 0 and tally_suite["passed"] > 0,
           "the %s suites pass on a kernel built from the applied tree "
           "(%d cases)" % (SUITE, tally_suite["passed"]))
    return tally, note


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in ("generate",):
        die("usage: patches.py PROJECT BUILD generate")
    project, build = (os.path.abspath(a) for a in sys.argv[1:3])
    generate(project, build)


if __name__ == "__main__":
    main()
