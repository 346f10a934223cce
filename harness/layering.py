#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""No circle in the tree: calls and includes go one way.

usage: layering.py PROJECT BUILD_DIR...

C: a module is a .c file of the project with the .h file of the same name
beside it, or a header alone.  Module A depends on module B when A
includes B's header, or when A's object (found in one of the build
folders) uses a symbol B's object defines.  Python: a harness script
depends on the harness modules it imports.  Any circle among the
dependencies is reported with what makes each step of it, and fails.

check.py runs it as the "layering" run of make check, over the objects of
the builds the other runs made.
"""
import ast
import os
import re
import subprocess
import sys

C_TOPS = ("arch", "drivers", "include", "kernel")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
NM = "arm-linux-gnueabihf-nm"


def module_of(path):
    """x.c and x.h are one module: x."""
    return os.path.splitext(path)[0]


def c_files(project):
    found = []
    for top in C_TOPS:
        for dirpath, _, names in os.walk(os.path.join(project, top)):
            found += [os.path.relpath(os.path.join(dirpath, n), project)
                      for n in names if n.endswith((".c", ".h"))]
    return sorted(found)


def include_edges(project, files):
    """(module, module, why) for each include of a project header."""
    owned = set(files)
    edges = []
    for f in files:
        text = open(os.path.join(project, f), errors="replace").read()
        for kind, name in INCLUDE.findall(text):
            target = (os.path.normpath(os.path.join(os.path.dirname(f), name))
                      if kind == '"' else os.path.join("include", name))
            if target in owned and module_of(target) != module_of(f):
                edges.append((module_of(f), module_of(target),
                              "%s includes %s" % (f, target)))
    return edges


def symbols(obj):
    """(defined, undefined) global symbols of an object file."""
    out = subprocess.run([NM, obj], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[-2] == "U":
            undefined.add(parts[-1])
        elif len(parts) == 3 and parts[1] in "TDRBVWG":
            defined.add(parts[2])
    return defined, undefined


def symbol_edges(project, files, build_dirs):
    """(module, module, why) for each symbol one object takes from another,
    and the .c files no build made an object of."""
    defined, used, unbuilt = {}, {}, []
    for f in files:
        if not f.endswith(".c"):
            continue
        objs = [os.path.join(d, f[:-2] + ".o") for d in build_dirs]
        objs = [o for o in objs if os.path.exists(o)]
        if not objs:
            unbuilt.append(f)
            continue
        for obj in objs:
            d, u = symbols(obj)
            for s in d:
                defined.setdefault(s, module_of(f))
            used.setdefault(f, set()).update(u)
    edges = []
    for f, names in used.items():
        for s in sorted(names):
            to = defined.get(s)
            if to and to != module_of(f):
                edges.append((module_of(f), to, "%s uses %s" % (f, s)))
    return edges, unbuilt


def python_edges(project):
    """(module, module, why) for each import of a harness module."""
    harness = os.path.join(project, "harness")
    mine = {n[:-3] for n in os.listdir(harness) if n.endswith(".py")}
    edges = []
    for name in sorted(mine):
        path = os.path.join(harness, name + ".py")
        for node in ast.walk(ast.parse(open(path).read(), path)):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module]
            for t in targets:
                if t in mine and t != name:
                    edges.append((name, t, "harness/%s.py imports %s" %
                                  (name, t)))
    return mine, edges


def circles(edges):
    """Strongly connected components of more than one module (Tarjan)."""
    graph = {}
    for a, b, _ in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def explain(comp, edges):
    """One reason for each dependency inside a circle."""
    inside = set(comp)
    seen, lines = set(), []
    for a, b, why in edges:
        if a in inside and b in inside and (a, b) not in seen:
            seen.add((a, b))
            lines.append("#   %s -> %s: %s" % (a, b, why))
    return lines


def verdict(what, comps, edges, count):
    if not comps:
        return ["ok - no circle among the %d %s" % (count, what)], True
    lines = ["not ok - circles among the %s" % what]
    for comp in comps:
        lines.append("# circle: %s" % ", ".join(comp))
        lines += explain(comp, edges)
    return lines, False


def check(project, build_dirs):
    """Print the verdicts; return (tally, note) as check.py counts runs."""
    tally = {"passed": 0, "failed": 0, "skipped": 0}
    files = c_files(project)
    sym, unbuilt = symbol_edges(project, files, build_dirs)
    c_edges = include_edges(project, files) + sym
    modules = {module_of(f) for f in files}
    mine, py_edges = python_edges(project)
    out = []
    for what, edges, count in (("C modules", c_edges, len(modules)),
                               ("harness modules", py_edges, len(mine))):
        lines, ok = verdict(what, circles(edges), edges, count)
        out += lines
        tally["passed" if ok else "failed"] += 1
    for f in unbuilt:
        out.append("ok - %s # SKIP no build of make check compiles it: its"
                   " includes only" % f)
        tally["skipped"] += 1
    for line in out:
        print("[layering] " + line)
    return tally, "" if not tally["failed"] else "circles: see above"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    tally, _ = check(os.path.abspath(sys.argv[1]),
                     [os.path.abspath(d) for d in sys.argv[2:]])
    sys.exit(1 if tally["failed"] else 0)


if __name__ == "__main__":
    main()
