#!/usr/bin/env python3
"""Structural checks for the workspace's Rust sources (standard library only).

What it checks, and why:

1. Module cycles, per crate.  The module tree is built from `mod` declarations (files
   `foo.rs` / `foo/mod.rs` and inline `mod x { ... }` blocks) starting at the crate root
   (`src/lib.rs`, and `src/main.rs` when it declares modules of its own).  Every path
   reference in non-test code -- `use` trees and inline paths starting with `crate::`,
   `super::`, `self::` or the name of a child module -- is resolved to the deepest
   existing module.  References between an ancestor and a descendant are ignored (a
   `mod.rs` re-exporting its children, children using their parent's items); any other
   reference A -> B becomes an edge between the two sibling modules, under A's and B's
   lowest common ancestor, that contain them.  Every strongly connected component of
   siblings is a cycle: sibling modules that depend on each other are really one module
   split in two, and they can't be understood, tested or moved apart on their own.
   Items under `#[cfg(test)]` are skipped.
2. File size: a `.rs` file over 600 lines (under each crate's src/, tests/, benches/).
3. Function size: an `fn` whose body spans over 80 lines, except in `#[cfg(test)]` items
   and in files under tests/ or benches/.

Known violations may be listed in scripts/structure-allow.txt; they are printed as
warnings.  An entry that no longer matches a violation fails the check, so the list only
shrinks.

Usage:
    scripts/check-structure.py              # violations as `path:line: message`; exit 1 if any
    scripts/check-structure.py --list       # every cycle, big file and long fn; always exit 0
    scripts/check-structure.py --self-test  # run the checks on embedded snippets
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

FILE_LIMIT = 600
FN_LIMIT = 80
DEFAULT_MEMBERS = ["models", "models/ensemble", "models/neural", "app", "server", "frontend"]
ALLOW_FILE = "scripts/structure-allow.txt"

# --------------------------------------------------------------------------------------
# Lexer: Rust source -> tokens (comments, strings and char literals become one `lit`
# token or vanish, so nothing inside them is mistaken for code).
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Tok:
    kind: str  # "id" (identifiers and keywords), "p" (punctuation), "lit", "life"
    val: str
    line: int


def _is_id_start(c: str) -> bool:
    return c == "_" or c.isalpha()


def _is_id_char(c: str) -> bool:
    return c == "_" or c.isalnum()


def lex(text: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n, line = 0, len(text), 1

    def skip_quoted(j: int) -> int:
        """j is just after an opening `"`; returns the index just after the closing one."""
        nonlocal line
        while j < n:
            c = text[j]
            if c == "\\":
                if j + 1 < n and text[j + 1] == "\n":
                    line += 1
                j += 2
                continue
            if c == "\n":
                line += 1
            elif c == '"':
                return j + 1
            j += 1
        return n

    def skip_raw(j: int, hashes: int) -> int:
        """j is just after `r#..#"`; returns the index after `"#..#`."""
        nonlocal line
        close = '"' + "#" * hashes
        end = text.find(close, j)
        end = n if end < 0 else end + len(close)
        line += text.count("\n", j, end)
        return end

    def char_lit_end(j: int) -> int | None:
        """j at a `'`: the index after a char literal there, or None for a lifetime/label."""
        if j + 1 < n and text[j + 1] == "\\":
            k = text.find("'", j + 3)
            return n if k < 0 else k + 1
        if j + 2 < n and text[j + 2] == "'" and text[j + 1] != "\n":
            return j + 3
        return None

    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c in " \t\r\f\v":
            i += 1
        elif c == "/" and text.startswith("//", i):
            k = text.find("\n", i)
            i = n if k < 0 else k
        elif c == "/" and text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth += 1
                    j += 2
                elif text.startswith("*/", j):
                    depth -= 1
                    j += 2
                else:
                    if text[j] == "\n":
                        line += 1
                    j += 1
            i = j
        elif c == '"':
            start = line
            i = skip_quoted(i + 1)
            toks.append(Tok("lit", '""', start))
        elif c == "'":
            end = char_lit_end(i)
            if end is not None:
                toks.append(Tok("lit", "''", line))
                i = end
            else:  # lifetime or loop label
                j = i + 1
                while j < n and _is_id_char(text[j]):
                    j += 1
                toks.append(Tok("life", text[i:j], line))
                i = j
        elif _is_id_start(c):
            j = i
            while j < n and _is_id_char(text[j]):
                j += 1
            word = text[i:j]
            # string / char literal prefixes: b"", br"", r"", r#""#, c"", cr"", b''
            if word in ("r", "br", "cr") and j < n and text[j] in '#"':
                k = j
                while k < n and text[k] == "#":
                    k += 1
                if k < n and text[k] == '"':
                    start = line
                    i = skip_raw(k + 1, k - j)
                    toks.append(Tok("lit", '""', start))
                    continue
                if word == "r" and k == j + 1 and k < n and _is_id_start(text[k]):
                    m = k
                    while m < n and _is_id_char(text[m]):
                        m += 1
                    toks.append(Tok("id", text[k:m], line))  # raw identifier r#name
                    i = m
                    continue
            if word in ("b", "c") and j < n and text[j] == '"':
                start = line
                i = skip_quoted(j + 1)
                toks.append(Tok("lit", '""', start))
                continue
            if word == "b" and j < n and text[j] == "'":
                end = char_lit_end(j)
                if end is not None:
                    toks.append(Tok("lit", "''", line))
                    i = end
                    continue
            toks.append(Tok("id", word, line))
            i = j
        elif c.isdigit():
            j = i + 1
            while j < n and (_is_id_char(text[j]) or (text[j] == "." and j + 1 < n and text[j + 1].isdigit())):
                j += 1
            toks.append(Tok("lit", text[i:j], line))
            i = j
        else:
            two = text[i : i + 2]
            if two in ("::", "->", "=>"):
                toks.append(Tok("p", two, line))
                i += 2
            else:
                toks.append(Tok("p", c, line))
                i += 1
    return toks


# --------------------------------------------------------------------------------------
# Token helpers: matching brackets, attributes, extents of `#[cfg(test)]` items.
# --------------------------------------------------------------------------------------

OPEN = {"(": ")", "[": "]", "{": "}"}
CLOSE = {")", "]", "}"}


def match_close(toks: list[Tok], i: int) -> int:
    """toks[i] is an opening bracket; returns the index of its closing one (or len-1)."""
    depth = 0
    for j in range(i, len(toks)):
        v = toks[j].val if toks[j].kind == "p" else ""
        if v in OPEN:
            depth += 1
        elif v in CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def is_p(toks: list[Tok], i: int, val: str) -> bool:
    return 0 <= i < len(toks) and toks[i].kind == "p" and toks[i].val == val


def is_id(toks: list[Tok], i: int, val: str | None = None) -> bool:
    return 0 <= i < len(toks) and toks[i].kind == "id" and (val is None or toks[i].val == val)


def attribute_at(toks: list[Tok], i: int) -> tuple[int, bool, bool] | None:
    """If an attribute `#[..]` / `#![..]` starts at i: (index of `]`, inner?, test-only?)."""
    if not is_p(toks, i, "#"):
        return None
    j, inner = i + 1, False
    if is_p(toks, j, "!"):
        j, inner = j + 1, True
    if not is_p(toks, j, "["):
        return None
    end = match_close(toks, j)
    return end, inner, cfg_is_test_only(toks[j + 1 : end])


def cfg_is_test_only(body: list[Tok]) -> bool:
    """`cfg(test)` or `cfg(all(.., test, ..))` (not `any`, not `not`)."""
    if len(body) < 4 or not is_id(body, 0, "cfg") or not is_p(body, 1, "("):
        return False
    pred = body[2:-1]
    if len(pred) == 1 and is_id(pred, 0, "test"):
        return True
    if is_id(pred, 0, "all") and is_p(pred, 1, "("):
        depth = 0
        for t in pred[1:]:
            if t.kind == "p" and t.val in OPEN:
                depth += 1
            elif t.kind == "p" and t.val in CLOSE:
                depth -= 1
            elif depth == 1 and t.kind == "id" and t.val == "test":
                return True
    return False


BLOCK_ITEMS = {"fn", "mod", "impl", "trait", "struct", "enum", "union", "macro_rules"}
ITEM_PREFIX = {"pub", "unsafe", "async", "extern", "default", "auto"}


def item_end(toks: list[Tok], i: int, stop: int) -> int:
    """Index of the last token of the item (or statement / field) starting at i, after
    any further attributes."""
    while True:
        a = attribute_at(toks, i)
        if a is None:
            break
        i = a[0] + 1
    # what kind of item: skip visibility and qualifiers
    k = i
    while k < stop:
        if is_id(toks, k, "pub") and is_p(toks, k + 1, "("):
            k = match_close(toks, k + 1) + 1
        elif toks[k].kind == "id" and toks[k].val in ITEM_PREFIX or toks[k].kind == "lit":
            k += 1
        elif is_id(toks, k, "const") and (is_id(toks, k + 1, "fn") or (toks[k + 1].kind == "id" and toks[k + 1].val in ITEM_PREFIX)):
            k += 1
        else:
            break
    block_item = k < stop and toks[k].kind == "id" and toks[k].val in BLOCK_ITEMS
    depth = 0
    j = i
    while j < stop:
        t = toks[j]
        if t.kind == "p":
            if t.val in OPEN:
                depth += 1
            elif t.val in CLOSE:
                depth -= 1
                if depth < 0:
                    return j - 1  # end of the enclosing group: a field or match arm
                if depth == 0 and t.val == "}" and block_item:
                    return j
            elif depth == 0 and t.val == ";":
                return j
            elif depth == 0 and t.val == "," and not block_item:
                return j
        j += 1
    return stop - 1


# --------------------------------------------------------------------------------------
# Function sizes.
# --------------------------------------------------------------------------------------


@dataclass
class FnInfo:
    path: str
    name: str
    line: int
    length: int


def find_fns(toks: list[Tok], rel: str) -> list[FnInfo]:
    out: list[FnInfo] = []
    i, n = 0, len(toks)
    while i < n:
        a = attribute_at(toks, i)
        if a is not None:
            end, inner, test = a
            if test and inner:
                return out  # the whole file is test code
            if test:
                i = item_end(toks, i, n) + 1
                continue
            i = end + 1
            continue
        if is_id(toks, i, "fn") and is_id(toks, i + 1) and not is_p(toks, i - 1, "::"):
            body = fn_body_open(toks, i + 2)
            if body is not None:
                close = match_close(toks, body)
                length = toks[close].line - toks[i].line + 1
                out.append(FnInfo(rel, toks[i + 1].val, toks[i].line, length))
        i += 1
    return out


def fn_body_open(toks: list[Tok], j: int) -> int | None:
    """Index of the `{` opening the body of the fn whose signature starts at j, or None
    when a `;` comes first (a declaration without a body)."""
    paren = angle = 0
    while j < len(toks):
        t = toks[j]
        if t.kind == "p":
            v = t.val
            if v in "([":
                paren += 1
            elif v in ")]":
                paren -= 1
            elif paren == 0 and v == "<":
                angle += 1
            elif paren == 0 and v == ">":
                angle = max(0, angle - 1)
            elif v == "{" and paren == 0 and angle == 0:
                return j
            elif v == ";" and paren == 0:
                return None
            elif v == "}" and paren == 0:
                return None  # ran out of the enclosing block: malformed
        j += 1
    return None


# --------------------------------------------------------------------------------------
# Module tree and references.
# --------------------------------------------------------------------------------------


@dataclass
class Module:
    path: tuple[str, ...]
    file: str  # relative path of the file that holds the module's body
    child_dir: Path
    children: dict[str, "Module"] = field(default_factory=dict)


@dataclass
class Ref:
    src: tuple[str, ...]  # module holding the reference
    segs: list[str]
    file: str
    line: int


@dataclass
class CrateGraph:
    name: str
    modules: dict[tuple[str, ...], Module]
    edges: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, int]]  # (a, b) -> example
    test_files: set[str]
    files: set[str]
    warnings: list[str]


def modname(path: tuple[str, ...]) -> str:
    return "::".join(path) if path else "crate"


class CrateScanner:
    def __init__(self, root: Path, crate_name: str, root_file: Path):
        self.root = root
        self.name = crate_name
        self.modules: dict[tuple[str, ...], Module] = {}
        self.refs: list[Ref] = []
        self.test_files: set[str] = set()
        self.files: set[str] = set()
        self.warnings: list[str] = []
        self.tok_cache: dict[Path, list[Tok]] = {}
        self.root_file = root_file

    def rel(self, p: Path) -> str:
        return p.relative_to(self.root).as_posix()

    def tokens(self, p: Path) -> list[Tok]:
        if p not in self.tok_cache:
            self.tok_cache[p] = lex(p.read_text(encoding="utf-8"))
        return self.tok_cache[p]

    # Phase 1: the tree. Phase 2: the references (needs every module's children).
    def scan(self) -> None:
        rootmod = Module((), self.rel(self.root_file), self.root_file.parent)
        self.modules[()] = rootmod
        self._walk_file(self.root_file, rootmod, phase=1)
        self._walk_file(self.root_file, rootmod, phase=2)

    def _walk_file(self, f: Path, mod: Module, phase: int) -> None:
        toks = self.tokens(f)
        self.files.add(self.rel(f))
        self._walk(toks, 0, len(toks), mod, f, phase)

    def _child_file(self, mod: Module, name: str) -> Path | None:
        for cand in (mod.child_dir / f"{name}.rs", mod.child_dir / name / "mod.rs"):
            if cand.is_file():
                return cand
        return None

    def _walk(self, toks: list[Tok], i: int, stop: int, mod: Module, f: Path, phase: int) -> None:
        rel = self.rel(f)
        while i < stop:
            t = toks[i]
            a = attribute_at(toks, i)
            if a is not None:
                end, inner, test = a
                if test and inner:
                    if phase == 1:
                        self.test_files.add(rel)
                    return
                if test:
                    j = item_end(toks, i, stop)
                    if phase == 1:
                        self._mark_test_items(toks, a[0] + 1, j, mod)
                        # `#[cfg(test)] mod tests;`: its file is reached (as test code).
                        k = end + 1
                        if is_p(toks, k + 2, ";") and toks[k].kind == "id" and toks[k].val == "mod" and is_id(toks, k + 1):
                            cf = self._child_file(mod, toks[k + 1].val)
                            if cf is not None:
                                self.files.add(self.rel(cf))
                                self.test_files.add(self.rel(cf))
                    i = j + 1
                    continue
                i += 1  # scan inside the attribute too: it may hold paths
                continue
            if (
                t.kind == "id"
                and t.val == "mod"
                and is_id(toks, i + 1)
                and (is_p(toks, i + 2, "{") or is_p(toks, i + 2, ";"))
            ):
                name = toks[i + 1].val
                if is_p(toks, i + 2, "{"):
                    close = match_close(toks, i + 2)
                    child = self._child(mod, name, rel, mod.child_dir / name, phase)
                    self._walk(toks, i + 3, close, child, f, phase)
                    i = close + 1
                else:
                    cf = self._child_file(mod, name)
                    if cf is None:
                        if phase == 1:
                            self.warnings.append(f"{rel}:{t.line}: no file for `mod {name};`")
                    else:
                        cdir = cf.parent if cf.name == "mod.rs" else cf.parent / cf.stem
                        child = self._child(mod, name, self.rel(cf), cdir, phase)
                        self._walk_file(cf, child, phase)
                    i += 3
                continue
            if phase == 2:
                if t.kind == "id" and t.val == "use" and not is_p(toks, i + 1, "<") and not is_p(toks, i - 1, "::"):
                    i = self._use_tree(toks, i + 1, stop, mod, rel)
                    continue
                if self._path_start(toks, i, mod):
                    segs, j = [], i
                    while is_id(toks, j) and is_p(toks, j + 1, "::") and is_id(toks, j + 2):
                        segs.append(toks[j].val)
                        j += 2
                    segs.append(toks[j].val)
                    self.refs.append(Ref(mod.path, segs, rel, toks[j].line))
                    i = j + 1
                    continue
            i += 1

    def _child(self, mod: Module, name: str, rel: str, cdir: Path, phase: int) -> Module:
        if phase == 1:
            child = Module(mod.path + (name,), rel, cdir)
            mod.children[name] = child
            self.modules[child.path] = child
        return mod.children[name]

    def _mark_test_items(self, toks: list[Tok], i: int, j: int, mod: Module) -> None:
        """A `#[cfg(test)] mod x;` names a test-only file: remember it (not walked)."""
        while i <= j:
            a = attribute_at(toks, i)
            if a is None:
                break
            i = a[0] + 1
        k = i
        if is_id(toks, k, "pub"):
            k = match_close(toks, k + 1) + 1 if is_p(toks, k + 1, "(") else k + 1
        if is_id(toks, k, "mod") and is_id(toks, k + 1) and is_p(toks, k + 2, ";"):
            cf = self._child_file(mod, toks[k + 1].val)
            if cf is not None:
                self.test_files.add(self.rel(cf))

    def _path_start(self, toks: list[Tok], i: int, mod: Module) -> bool:
        t = toks[i]
        if t.kind != "id" or not is_p(toks, i + 1, "::") or not is_id(toks, i + 2):
            return False
        if is_p(toks, i - 1, "::") or is_p(toks, i - 1, "."):
            return False
        if t.val in ("crate", "super", "self"):
            return True  # `$crate` lexes as `$` `crate`: the crate root as well
        return t.val in mod.children

    def _use_tree(self, toks: list[Tok], i: int, stop: int, mod: Module, rel: str) -> int:
        end = i
        while end < stop and not is_p(toks, end, ";"):
            end += 1
        paths: list[tuple[list[str], int]] = []

        def tree(j: int, prefix: list[str]) -> int:
            segs = list(prefix)
            if is_p(toks, j, "::"):
                segs.append("::")
                j += 1
            while j < end:
                t = toks[j]
                if t.kind == "id":
                    if t.val == "self" and segs and not is_p(toks, j + 1, "::"):
                        paths.append((segs, t.line))  # `a::{self}` is `a`
                        j += 1
                    else:
                        segs = segs + [t.val]
                        if is_p(toks, j + 1, "::"):
                            j += 2
                            continue
                        paths.append((segs, t.line))
                        j += 1
                    if is_id(toks, j, "as"):
                        j += 2
                    return j
                if is_p(toks, j, "*"):
                    paths.append((segs, t.line))
                    return j + 1
                if is_p(toks, j, "{"):
                    close = match_close(toks, j)
                    k = j + 1
                    while k < close:
                        k = tree(k, segs)
                        while k < close and not is_p(toks, k, ","):
                            k += 1  # anything unexpected: skip to the next entry
                        k += 1
                    return close + 1
                return j + 1
            return j

        tree(i, [])
        for segs, line in paths:
            if not segs or segs[0] == "::":
                continue
            if segs[0] in ("crate", "super", "self") or segs[0] in mod.children:
                self.refs.append(Ref(mod.path, segs, rel, line))
        return end + 1

    def resolve(self, ref: Ref) -> tuple[str, ...] | None:
        segs = ref.segs
        base = list(ref.src)
        k = 0
        if segs[0] == "crate":
            base, k = [], 1
        elif segs[0] == "self":
            k = 1
        elif segs[0] == "super":
            while k < len(segs) and segs[k] == "super":
                if not base:
                    return None
                base.pop()
                k += 1
        cur = self.modules.get(tuple(base))
        if cur is None:
            return None
        for s in segs[k:]:
            if s in cur.children:
                cur = cur.children[s]
            else:
                break
        return cur.path

    def graph(self) -> CrateGraph:
        edges: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, int]] = {}
        for ref in self.refs:
            dst = self.resolve(ref)
            src = ref.src
            if dst is None or dst == src:
                continue
            if dst[: len(src)] == src or src[: len(dst)] == dst:
                continue  # ancestor / descendant
            common = 0
            while src[common] == dst[common]:
                common += 1
            a, b = src[: common + 1], dst[: common + 1]
            edges.setdefault((a, b), (ref.file, ref.line))
        return CrateGraph(self.name, self.modules, edges, self.test_files, self.files, self.warnings)


@dataclass
class Cycle:
    crate: str
    nodes: list[tuple[str, ...]]  # the SCC, sorted
    walk: list[tuple[str, ...]]  # closed walk through every node
    examples: list[tuple[str, int]]  # one per step of the walk

    def key(self) -> tuple[str, frozenset[str]]:
        return (self.crate, frozenset(modname(n) for n in self.nodes))

    def text(self) -> str:
        return f"{self.crate}: cycle " + " -> ".join(modname(n) for n in self.walk)


def find_cycles(g: CrateGraph) -> list[Cycle]:
    adj: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for a, b in sorted(g.edges):
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, [])
    # Tarjan, iteratively
    index: dict = {}
    low: dict = {}
    on: set = set()
    stack: list = []
    sccs: list[list] = []
    counter = 0
    for v0 in sorted(adj):
        if v0 in index:
            continue
        work = [(v0, 0)]
        while work:
            v, pi = work.pop()
            if pi == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on.add(v)
            recurse = False
            for k in range(pi, len(adj[v])):
                w = adj[v][k]
                if w not in index:
                    work.append((v, k + 1))
                    work.append((w, 0))
                    recurse = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                sccs.append(comp)
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
    cycles = []
    for comp in sccs:
        if len(comp) < 2:
            continue
        nodes = sorted(comp)
        inside = set(nodes)

        def shortest(a, b):
            prev = {a: None}
            queue = [a]
            while queue:
                x = queue.pop(0)
                for y in adj[x]:
                    if y in inside and y not in prev:
                        prev[y] = x
                        queue.append(y)
                if b in prev and b != a:
                    break
            if a == b:
                # shortest cycle back to a
                best = None
                for y in adj[a]:
                    if y in inside:
                        p = shortest(y, a)
                        if best is None or len(p) + 1 < len(best):
                            best = [a] + p
                return best[1:]
            path = [b]
            while path[-1] != a:
                path.append(prev[path[-1]])
            return list(reversed(path))[1:]

        walk = [nodes[0]]
        for target in nodes[1:]:
            if target not in walk:
                walk += shortest(walk[-1], target)
        walk += shortest(walk[-1], nodes[0]) if walk[-1] != nodes[0] else shortest(nodes[0], nodes[0])
        examples = [g.edges[(walk[k], walk[k + 1])] for k in range(len(walk) - 1)]
        cycles.append(Cycle(g.name, nodes, walk, examples))
    return cycles


# --------------------------------------------------------------------------------------
# Running the checks.
# --------------------------------------------------------------------------------------


@dataclass
class Violation:
    kind: str  # "file", "fn", "cycle"
    path: str
    line: int
    message: str
    notes: list[str]
    allow_key: str
    size: int = 0

    def text(self) -> str:
        return "\n".join([f"{self.path}:{self.line}: {self.message}"] + [f"    {n}" for n in self.notes])


@dataclass
class Result:
    violations: list[Violation]
    graphs: list[CrateGraph]
    cycles: list[Cycle]
    files: dict[str, int]  # path -> line count
    fns: list[FnInfo]  # every fn outside tests
    warnings: list[str]


def workspace_crates(root: Path) -> list[tuple[str, Path]]:
    members = DEFAULT_MEMBERS
    try:
        data = tomllib.loads((root / "Cargo.toml").read_text(encoding="utf-8"))
        members = data.get("workspace", {}).get("members", members)
    except (OSError, tomllib.TOMLDecodeError):
        pass
    out = []
    for m in members:
        d = root / m
        name = m.rsplit("/", 1)[-1]
        try:
            pkg = tomllib.loads((d / "Cargo.toml").read_text(encoding="utf-8"))
            name = pkg.get("lib", {}).get("name") or pkg.get("package", {}).get("name", name)
        except (OSError, tomllib.TOMLDecodeError):
            pass
        out.append((name.replace("-", "_"), d))
    return out


def run_checks(root: Path) -> Result:
    violations: list[Violation] = []
    warnings: list[str] = []
    graphs: list[CrateGraph] = []
    test_files: set[str] = set()
    tree_files: set[str] = set()
    crates = workspace_crates(root)
    for name, d in crates:
        roots = []
        if (d / "src/lib.rs").is_file():
            roots.append((name, d / "src/lib.rs"))
        main = d / "src/main.rs"
        if main.is_file():
            has_mods = any(is_id(ts, k, "mod") for ts in [lex(main.read_text(encoding="utf-8"))] for k in range(len(ts)))
            if not roots or has_mods:
                roots.append((f"{name}[bin]" if roots else name, main))
        # Extra binaries (src/bin/NAME.rs) are crate roots of their own.
        bins = d / "src/bin"
        if bins.is_dir():
            roots += [(f"{name}[bin {b.stem}]", b) for b in sorted(bins.glob("*.rs"))]
        for cname, rf in roots:
            sc = CrateScanner(root, cname, rf)
            sc.scan()
            g = sc.graph()
            graphs.append(g)
            warnings += g.warnings
            test_files |= g.test_files
            tree_files |= g.files

    cycles = [c for g in graphs for c in find_cycles(g)]
    for c in cycles:
        notes = [
            f"{modname(c.walk[k])} -> {modname(c.walk[k + 1])}: {f}:{ln}"
            for k, (f, ln) in enumerate(c.examples)
        ]
        f, ln = c.examples[0]
        key = "cycle " + c.crate + " " + " ".join(sorted(modname(n) for n in c.nodes))
        violations.append(Violation("cycle", f, ln, c.text(), notes, key, len(c.nodes)))

    files: dict[str, int] = {}
    fns: list[FnInfo] = []
    for _name, d in crates:
        for sub in ("src", "tests", "benches"):
            base = d / sub
            if not base.is_dir():
                continue
            for p in sorted(base.rglob("*.rs")):
                rel = p.relative_to(root).as_posix()
                if rel in files:
                    continue
                text = p.read_text(encoding="utf-8")
                nlines = len(text.splitlines())
                files[rel] = nlines
                if nlines > FILE_LIMIT:
                    violations.append(
                        Violation("file", rel, FILE_LIMIT + 1, f"file has {nlines} lines (limit {FILE_LIMIT})", [], rel, nlines)
                    )
                if sub == "src" and rel not in tree_files:
                    if not any(rel == f"{d.relative_to(root).as_posix()}/src/{x}" for x in ("main.rs", "lib.rs")):
                        warnings.append(f"{rel}:1: not reached from the crate root's `mod` declarations")
                in_tests = sub != "src" or rel in test_files or any(
                    part in ("tests", "benches") for part in p.relative_to(d).parts[:-1]
                )
                if in_tests:
                    continue
                for fn in find_fns(lex(text), rel):
                    fns.append(fn)
                    if fn.length > FN_LIMIT:
                        violations.append(
                            Violation(
                                "fn", rel, fn.line, f"fn {fn.name} has {fn.length} lines (limit {FN_LIMIT})", [],
                                f"{rel}:{fn.name}", fn.length,
                            )
                        )
    return Result(violations, graphs, cycles, files, fns, warnings)


def read_allow(root: Path) -> list[tuple[int, str]]:
    p = root / ALLOW_FILE
    if not p.is_file():
        return []
    out = []
    for n, raw in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        s = raw.split("#", 1)[0].strip()
        if s:
            out.append((n, " ".join(s.split())))
    return out


def normalize_allow(entry: str) -> str:
    if entry.startswith("cycle "):
        parts = entry.split()
        return " ".join(parts[:2] + sorted(parts[2:]))
    return entry


def main_check(root: Path, list_mode: bool, out=sys.stdout) -> int:
    res = run_checks(root)
    for w in res.warnings:
        print(f"warning: {w}", file=out)
    if list_mode:
        print_list(res, out)
        return 0
    allow = read_allow(root)
    allowed = {normalize_allow(e): n for n, e in allow}
    used: set[str] = set()
    failures = []
    for v in sorted(res.violations, key=lambda v: (v.path, v.line)):
        if v.allow_key in allowed:
            used.add(v.allow_key)
            print(f"warning (allowed in {ALLOW_FILE}): {v.text()}", file=out)
        else:
            failures.append(v.text())
    for entry, n in allowed.items():
        if entry not in used:
            failures.append(f"{ALLOW_FILE}:{n}: `{entry}` no longer violates; remove it from the allow-list")
    for f in failures:
        print(f, file=out)
    if failures:
        print(f"check-structure: {len(failures)} violation(s)", file=out)
        return 1
    print(summary(res), file=out)
    return 0


def summary(res: Result) -> str:
    parts = [f"check-structure: OK: {len(res.files)} files checked"]
    if res.files:
        big = max(res.files.items(), key=lambda kv: (kv[1], kv[0]))
        parts.append(f"largest {big[0]} ({big[1]} lines)")
    if res.fns:
        fn = max(res.fns, key=lambda f: f.length)
        parts.append(f"longest fn {fn.name} ({fn.length} lines) at {fn.path}:{fn.line}")
    parts.append(
        "modules/sibling edges: "
        + ", ".join(f"{g.name} {len(g.modules)}/{len(g.edges)}" for g in res.graphs)
    )
    return "; ".join(parts)


def print_list(res: Result, out) -> None:
    print(f"Cycles ({len(res.cycles)}):", file=out)
    for c in res.cycles:
        print(f"  {c.text()}", file=out)
        for k, (f, ln) in enumerate(c.examples):
            print(f"      {modname(c.walk[k])} -> {modname(c.walk[k + 1])}: {f}:{ln}", file=out)
    big = sorted(((n, p) for p, n in res.files.items() if n > FILE_LIMIT), reverse=True)
    print(f"Files over {FILE_LIMIT} lines ({len(big)}):", file=out)
    for n, p in big:
        print(f"  {n:5}  {p}", file=out)
    long_fns = sorted((f for f in res.fns if f.length > FN_LIMIT), key=lambda f: (-f.length, f.path, f.line))
    print(f"Functions over {FN_LIMIT} lines ({len(long_fns)}):", file=out)
    for f in long_fns:
        print(f"  {f.length:5}  {f.path}:{f.line}  fn {f.name}", file=out)
    print(summary(res).replace("check-structure: OK: ", "check-structure: "), file=out)


# --------------------------------------------------------------------------------------
# Self-test.
# --------------------------------------------------------------------------------------


def _fn_lines(name: str, total: int) -> str:
    """An fn spanning exactly `total` lines (fn line .. closing brace)."""
    body = "".join(f"    let _v{k} = {k};\n" for k in range(total - 2))
    return f"pub fn {name}() {{\n{body}}}\n"


SELF_TEST_FILES = {
    "Cargo.toml": '[workspace]\nmembers = ["demo"]\n',
    "demo/Cargo.toml": '[package]\nname = "demo"\n',
    "demo/src/lib.rs": """
        //! Root.  crate::a::f in a doc comment is no reference.
        pub mod a;
        pub mod b;
        mod c;
        mod d;
        pub mod p;
        mod s;
        mod t;
        mod u;
        mod v;
        mod big;
        mod tst;
        mod grp;
        mod size600;
        mod size601;
        #[macro_export]
        macro_rules! m { () => { $crate::a::f() }; }
    """,
    # 1. a <-> b via super:: (a `use` one way, an inline path the other way)
    "demo/src/a.rs": """
        use super::b::Thing;
        pub fn f() -> Thing { Thing }
    """,
    "demo/src/b.rs": """
        pub struct Thing;
        pub fn g() { let _ = super::a::f(); }
    """,
    # 2. c <-> d via inline crate:: paths only
    "demo/src/c.rs": """
        pub fn h() { crate::d::k(); }
    """,
    "demo/src/d.rs": """
        pub fn k() {}
        pub fn k2() { crate::c::h() }
    """,
    # 3. parent/child references are no cycle (p -> p::child -> p)
    "demo/src/p/mod.rs": """
        mod child;
        pub use child::X;
        pub use self::child::Y;
        pub fn pf() {}
    """,
    "demo/src/p/child.rs": """
        use super::pf;
        pub struct X;
        pub struct Y;
        pub fn x() { crate::p::pf(); pf(); crate::p::child::x(); }
    """,
    # 4. s -> t only in test code; t -> s for real: no cycle
    "demo/src/s.rs": """
        pub fn s() {}
        #[cfg(test)]
        use crate::t::T;
        #[cfg(test)]
        mod tests {
            use crate::t::T;
            #[test]
            fn f() { crate::t::g(); }
        }
    """,
    "demo/src/t.rs": """
        use crate::s::s;
        pub struct T;
        pub fn g() { s() }
    """,
    # 5. u -> v only inside strings / comments / char literals: no cycle
    "demo/src/u.rs": r'''
        // crate::v::x
        /* crate::v::y /* nested crate::v::n */ still crate::v::q */
        /// doc crate::v::dd
        pub fn f<'a>(x: &'a str) -> &'a str {
            let _s = "crate::v::z \" crate::v::e";
            let _r = r#"crate::v::w "quoted" crate::v::w2"#;
            let _c = '"';
            let _d = '\'';
            let _b = b'{';
            let _l: &'static str = "}";
            'outer: loop { break 'outer; }
            x
        }
    ''',
    "demo/src/v.rs": """
        pub fn g() { let _ = crate::u::f("x"); }
    """,
    # 6. nested use groups: grp::one <-> grp::two (via `super::{..}` and `crate::{..}`)
    "demo/src/grp/mod.rs": """
        mod one;
        mod two;
        pub(crate) use self::{one::O, two::{T2, self as tw}};
    """,
    "demo/src/grp/one.rs": """
        use super::{two::{T2}, super::a};
        pub struct O;
    """,
    "demo/src/grp/two.rs": """
        pub(crate) use crate::{grp::one::{O as _O}};
        pub struct T2;
    """,
    # 7. test-only file
    "demo/src/tst.rs": """
        #![cfg(test)]
        use crate::tst2::Z;
    """,
}


def self_test() -> int:
    import io
    import textwrap

    big = "\n".join(
        [
            _fn_lines("long81", 81),
            _fn_lines("long80", 80),
            "pub trait Tr { fn decl(&self) -> u8; fn with_where<T>(t: T) -> u8 where T: Copy { 1 } }",
            "pub fn ptr(f: fn(u8) -> u8) -> impl Fn(u8) -> Vec<Vec<u8>> { move |x| vec![vec![f(x)]] }",
            "#[cfg(test)]\nmod tests {\n" + _fn_lines("test_long", 120) + "}",
        ]
    )
    failures = []

    def check(cond: bool, what: str) -> None:
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in SELF_TEST_FILES.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        (root / "demo/src/big.rs").write_text(big, encoding="utf-8")
        (root / "demo/tests").mkdir()
        (root / "demo/tests/t.rs").write_text(_fn_lines("test_fn", 200) + "// pad\n" * 500, encoding="utf-8")
        (root / "demo/src/size600.rs").write_text("// x\n" * 600, encoding="utf-8")
        (root / "demo/src/size601.rs").write_text("// x\n" * 601, encoding="utf-8")

        res = run_checks(root)
        cyc = {tuple(sorted(modname(n) for n in c.nodes)) for c in res.cycles}
        check(("a", "b") in cyc, "2-module cycle via super:: (a <-> b)")
        check(("c", "d") in cyc, "cycle via inline crate:: paths (c <-> d)")
        check(("grp::one", "grp::two") in cyc, "cycle via nested use groups (grp::one <-> grp::two)")
        check(not any("p" in c or "p::child" in c for c in cyc), "parent/child references are no cycle")
        check(("s", "t") not in cyc, "references inside #[cfg(test)] are ignored")
        check(("u", "v") not in cyc, "paths inside strings / comments / chars are ignored")
        edges = set(res.graphs[0].edges)
        check((("s",), ("t",)) not in edges and (("t",), ("s",)) in edges, "test-only edge s -> t dropped, t -> s kept")
        check((("u",), ("v",)) not in edges and (("v",), ("u",)) in edges, "no edge u -> v out of strings/comments")
        u_f = next(f for f in res.fns if f.path == "demo/src/u.rs")
        check(u_f.length == 10, f"braces in strings/chars don't unbalance fn bodies (u::f is {u_f.length} lines)")
        check(len(cyc) == 3, f"exactly 3 cycles (got {sorted(cyc)})")
        c_ab = next(c for c in res.cycles if modname(c.nodes[0]) == "a")
        check(
            c_ab.examples == [("demo/src/a.rs", 1), ("demo/src/b.rs", 2)],
            f"cycle examples point at the references (got {c_ab.examples})",
        )
        long = {f.name: f.length for f in res.fns}
        check(long.get("long81") == 81 and long.get("long80") == 80, f"fn lengths counted fn..}} (got {long})")
        fn_v = {v.allow_key for v in res.violations if v.kind == "fn"}
        check(fn_v == {"demo/src/big.rs:long81"}, f"only the 81-line fn is flagged (got {fn_v})")
        check("decl" not in long and long.get("with_where") == 1 and long.get("ptr") == 1, "decls, where, fn types")
        file_v = {v.path for v in res.violations if v.kind == "file"}
        check(file_v == {"demo/src/size601.rs", "demo/tests/t.rs"}, f"files over 600 lines (got {file_v})")
        check(not any(f.name in ("test_long", "test_fn") for f in res.fns), "test fns are not size-checked")
        check(not res.warnings, f"no warnings (got {res.warnings})")

        # allow-list: allowed -> warning; stale entry -> failure
        (root / "scripts").mkdir()
        allow = root / ALLOW_FILE
        allow.write_text(
            "# header\ndemo/src/big.rs:long81\ndemo/src/size601.rs\ndemo/tests/t.rs\n"
            "cycle demo b a\ncycle demo c d\ncycle demo grp::two grp::one\n",
            encoding="utf-8",
        )
        buf = io.StringIO()
        rc = main_check(root, False, buf)
        check(rc == 0 and "check-structure: OK" in buf.getvalue(), "everything allowed -> exit 0 with summary")
        allow.write_text(allow.read_text() + "demo/src/big.rs:long80\n", encoding="utf-8")
        buf = io.StringIO()
        rc = main_check(root, False, buf)
        check(rc == 1 and "long80` no longer violates" in buf.getvalue(), "stale allow entry fails")
        allow.write_text("# empty\n", encoding="utf-8")
        buf = io.StringIO()
        rc = main_check(root, False, buf)
        out = buf.getvalue()
        check(rc == 1 and "demo/src/big.rs:1: fn long81 has 81 lines (limit 80)" in out, "violation format")
        check("demo/src/size601.rs:601: file has 601 lines (limit 600)" in out, "file violation format")
        buf = io.StringIO()
        check(main_check(root, True, buf) == 0, "--list exits 0")
    print("self-test: " + ("PASSED" if not failures else f"FAILED ({len(failures)})"))
    return 1 if failures else 0


def main() -> int:
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends quietly
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true", help="list every cycle, big file and long fn; exit 0")
    ap.add_argument("--self-test", action="store_true", help="run the checks on embedded snippets")
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    return main_check(args.root.resolve(), args.list)


if __name__ == "__main__":
    sys.exit(main())
