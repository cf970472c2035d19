#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Description: keeps docs/SEMANTICS.md and the tree in step.

1. Every rule number cited anywhere in the tree (R23, R0.2, and ranges
   such as R25..R30, each number of which counts) is defined in
   docs/SEMANTICS.md, as a heading '### R<n>. <title>'.
2. Every rule there has its Errno, Source and Tests lines, and is defined
   once.
3. Every name a Tests line gives in backquotes still exists: a path, a
   file name, or a string found in the sources of the tests, fuzzers,
   examples, VMM or tools; 'cases tagged R<n>' needs a conformance case
   with that rule; every conformance case's rule column holds a rule.
4. Nothing in the tree points at documents outside it (design notes,
   numbered review seeds, lettered sections of other rule lists).

Prints one line per problem and exits 1 if there is any, else 0.
Usage: docs/check-rules.py [repository root]   (default: the script's ..)
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), ".."))
DOC = "docs/SEMANTICS.md"
SELF = "docs/check-rules.py"

# Where citations and references are looked for.
SCAN = ["src", "include", "tests", "fuzz", "tools", "vmm", "man", "examples",
        "bench", "scripts", "docs", "README.md", "CONTRIBUTING.md",
        "meson.build", "test.sh", "bench.sh", "demo.sh"]
# Where the names a Tests line gives must be found.
TEST_SOURCES = ["tests", "fuzz", "examples", "vmm", "tools"]
SKIP_DIRS = {"corpus", ".git"}

RULE = r"R(\d+)(?:\.(\d+))?"
CITE_RANGE = re.compile(r"(?<![\w$])R(\d+)\s*(?:\.\.|–|-)\s*R(\d+)(?!\.\d)\b")
CITE = re.compile(r"(?<![\w$])" + RULE + r"(?![\w])")
HEADING = re.compile(r"^###\s+" + RULE + r"\.\s+\S")
FIELD = re.compile(r"^- (Errno|Source|Tests):")
TAGGED = re.compile(r"cases tagged " + RULE)
TOKEN = re.compile(r"`([^`]+)`")
CASE_RULE = re.compile(r'\.rule\s*=\s*"([^"]*)"')

# References to documents that are not in the tree.
OUTSIDE = [
    (re.compile(r"DESIGN\.md"), "a design document outside the tree"),
    (re.compile(r"STYLE\.md|PERFORMANCE-GOALS\.md"),
     "a document outside the tree"),
    (re.compile(r"(?<!docs/)SEMANTICS\.md"),
     "SEMANTICS.md without docs/: the tree's own is docs/SEMANTICS.md"),
    (re.compile(r"SEMANTICS\.md[^.\n]{0,24}\bsection [A-Z]\b"),
     "a lettered section of a rule list outside the tree"),
    (re.compile(r"\bseeds?\s+0\d\d", re.I), "a numbered review seed"),
    (re.compile(r"\bseeds'", re.I), "the review seeds"),
    (re.compile(r"\(C\d{1,2}\)"), "an open question of a list outside the tree"),
    (re.compile(r"\.\./shared/"), "a path outside the tree"),
]


def rule_key(major, minor):
    return f"R{major}" if minor is None else f"R{major}.{minor}"


def files_under(names):
    for name in names:
        path = os.path.join(ROOT, name)
        if os.path.isfile(path):
            yield name
            continue
        for top, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            for f in sorted(files):
                yield os.path.relpath(os.path.join(top, f), ROOT)


def read_text(rel):
    try:
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        return None
    return None if "\0" in text else text


def parse_doc(problems):
    """The rules of docs/SEMANTICS.md: number -> (line, set of fields,
    text of its Tests field)."""
    text = read_text(DOC)
    if text is None:
        problems.append(f"{DOC}: cannot be read")
        return {}
    rules, current, field = {}, None, None
    for n, line in enumerate(text.splitlines(), 1):
        m = HEADING.match(line)
        if m:
            key = rule_key(*m.groups())
            if key in rules:
                problems.append(f"{DOC}:{n}: {key} is defined twice")
            current = rules[key] = {"line": n, "fields": set(), "tests": ""}
            field = None
            continue
        if line.startswith("#"):
            current = field = None
            continue
        if current is None:
            continue
        m = FIELD.match(line)
        if m:
            field = m.group(1)
            current["fields"].add(field)
        elif not line.startswith("  "):
            field = None
        if field == "Tests":
            current["tests"] += " " + line.strip()
    for key, r in rules.items():
        for want in ("Errno", "Source", "Tests"):
            if want not in r["fields"]:
                problems.append(f"{DOC}:{r['line']}: {key} has no {want} line")
    return rules


def check_tests_named(rules, problems):
    sources = {rel: read_text(rel) for rel in files_under(TEST_SOURCES)}
    sources = {rel: t for rel, t in sources.items() if t is not None}
    basenames = {os.path.basename(rel) for rel in sources}
    conformance = "".join(t for rel, t in sources.items()
                          if rel.startswith("tests/conformance/"))
    for key, r in rules.items():
        tests = r["tests"]
        for name in TOKEN.findall(tests):
            name = name.rstrip("* ").strip()
            if not name:
                continue
            if (os.path.exists(os.path.join(ROOT, name)) or
                    name in basenames or
                    any(name in t for t in sources.values())):
                continue
            problems.append(f"{DOC}:{r['line']}: {key} names `{name}`, "
                            "which no test, fuzzer, example or VMM source has")
        for m in TAGGED.finditer(tests):
            tag = rule_key(*m.groups())
            if f'"{tag}"' not in conformance:
                problems.append(f"{DOC}:{r['line']}: {key}: no conformance "
                                f"case is tagged {tag}")


def check_conformance_tags(rules, problems):
    """A conformance case's rule column holds a rule number."""
    for rel in files_under(["tests/conformance"]):
        text = read_text(rel) or ""
        for n, line in enumerate(text.splitlines(), 1):
            for tag in CASE_RULE.findall(line):
                if tag not in rules:
                    problems.append(f"{rel}:{n}: a case's rule is '{tag}', "
                                    f"not a rule of {DOC}")


def citations(text):
    """(line, rule) for every rule a text cites; a range cites each
    number in it."""
    for n, line in enumerate(text.splitlines(), 1):
        for m in CITE_RANGE.finditer(line):
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo < hi <= lo + 100:
                for k in range(lo, hi + 1):
                    yield n, f"R{k}"
        for m in CITE.finditer(line):
            yield n, rule_key(*m.groups())


def main():
    problems = []
    rules = parse_doc(problems)
    check_tests_named(rules, problems)
    check_conformance_tags(rules, problems)
    cited = files = 0
    for rel in files_under(SCAN):
        if rel == SELF:
            continue
        text = read_text(rel)
        if text is None:
            continue
        files += 1
        for n, key in citations(text):
            cited += 1
            if key not in rules:
                problems.append(f"{rel}:{n}: cites {key}, which {DOC} "
                                "does not define")
        for n, line in enumerate(text.splitlines(), 1):
            for pattern, what in OUTSIDE:
                if pattern.search(line):
                    problems.append(f"{rel}:{n}: refers to {what}: "
                                    f"{line.strip()[:90]}")
    problems = list(dict.fromkeys(problems))
    for p in problems:
        print(p)
    print(f"check-rules: {len(rules)} rules; {cited} citations in {files} "
          f"files; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
