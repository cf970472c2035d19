#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fail on any include cycle between the modules of a C tree, naming it.

A module is a header and the .c files that implement it: a .c file
implements every header that declares a function or variable it defines
(not static, at the start of a line). A .c file that implements no header
is a module of its own. Module A depends on module B when A's header or
one of A's .c files includes B's header with #include "...".

So a header whose functions live in several files takes all their
includes, and a file that calls into another module whose files include
its own header closes a cycle, even though no header includes itself.

    include-cycles.py DIR    exit 0 with no cycle, 1 naming each cycle
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
# A definition at the start of a line: a type, then the name and "(" of a
# function, or the name and "=" / "[" of a variable; not static.
DEFINITION = re.compile(
    r'^(?!static\b|typedef\b|struct\s+\w+\s*\{|#)'
    r'[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*(?:\(|=|\[)', re.M)


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def sources(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(('.c', '.h')):
                yield os.path.relpath(os.path.join(dirpath, name), root)


def resolve(root, including, target):
    """The header an #include "target" in `including` names, if it is in
    the tree: relative to the including file first, then to the root."""
    for base in (os.path.dirname(including), ''):
        path = os.path.normpath(os.path.join(base, target))
        if os.path.isfile(os.path.join(root, path)):
            return path
    return None


def defined_names(text):
    """Names a .c file defines for others: functions whose body starts
    on a later line, and initialised globals."""
    names = set()
    for m in DEFINITION.finditer(text):
        line_end = text.find('\n', m.end())
        rest = text[m.end():]
        # A prototype ends with ";" before any "{"; a call inside a
        # macro line is not at the start of a line anyway.
        brace, semi = rest.find('{'), rest.find(';')
        if brace >= 0 and (semi < 0 or brace < semi):
            names.add(m.group(1))
        elif text[m.end() - 1] == '=' or line_end < 0:
            names.add(m.group(1))
    return names


def declared_names(text):
    """The words of a header outside any braces and macros: its
    prototypes and extern declarations, not the calls inside its inline
    functions or the fields of its structs."""
    text = re.sub(r'^\s*#.*?(?<!\\)$', ' ', text, flags=re.M | re.S)
    names, depth = set(), 0
    for token in re.finditer(r'[{}]|[A-Za-z_]\w*', text):
        t = token.group()
        if t == '{':
            depth += 1
        elif t == '}':
            depth -= 1
        elif depth == 0:
            names.add(t)
    return names


def modules(root):
    """{module: set of files}, with each header its own module's name."""
    files = list(sources(root))
    headers = [f for f in files if f.endswith('.h')]
    declared = {h: declared_names(COMMENT.sub(' ', read(
        os.path.join(root, h)))) for h in headers}
    mods = {h: {h} for h in headers}
    for c in (f for f in files if f.endswith('.c')):
        names = defined_names(COMMENT.sub(' ', read(os.path.join(root, c))))
        owners = [h for h in headers if names & declared[h]]
        for h in owners:
            mods[h].add(c)
        if not owners:
            mods[c] = {c}
    return mods


def edges(root, mods):
    """{module: {module it depends on: (file, line) that says so}}."""
    owner = {}
    for mod, files in mods.items():
        for f in files:
            owner.setdefault(f, []).append(mod)
    deps = {mod: {} for mod in mods}
    for mod, files in mods.items():
        for f in sorted(files):
            text = read(os.path.join(root, f))
            for m in INCLUDE.finditer(text):
                target = resolve(root, f, m.group(1))
                if target is None or target == mod or target not in mods:
                    continue
                line = text.count('\n', 0, m.start()) + 1
                deps[mod].setdefault(target, (f, line))
    return deps


def cycles(deps):
    """One cycle per strongly connected component that has one."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def connect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(deps[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append((path_within(deps, set(component)),
                              sorted(component)))

    sys.setrecursionlimit(10000)
    for v in sorted(deps):
        if v not in index:
            connect(v)
    return found


def path_within(deps, component):
    """A closed path through the component, from its first module."""
    start = min(component)
    path, seen, at = [start], {start}, start
    while True:
        nxt = min(w for w in deps[at] if w in component)
        if nxt in seen:
            return path[path.index(nxt):] + [nxt]
        path.append(nxt)
        seen.add(nxt)
        at = nxt


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print('usage: include-cycles.py DIR', file=sys.stderr)
        return 2
    root = sys.argv[1]
    mods = modules(root)
    deps = edges(root, mods)
    found = cycles(deps)
    for cycle, component in found:
        print('include cycle: ' + ' -> '.join(cycle))
        for a, b in zip(cycle, cycle[1:]):
            f, line = deps[a][b]
            print(f'  {a} -> {b}: {f}:{line}')
        if len(component) > len(cycle) - 1:
            print('  all the modules caught in it: ' + ', '.join(component))
    if found:
        return 1
    print(f'no include cycle among {len(mods)} modules')
    return 0


if __name__ == '__main__':
    sys.exit(main())
