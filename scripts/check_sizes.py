"""Keep modules and functions short enough to read: no module over 400 lines and no function
over 60 lines in gis/, layers/, api/ and maps/ (Python and the pages' JavaScript).

    python scripts/check_sizes.py        (part of `make lint`)

Python functions are measured with `ast` (decorators and docstring included); JavaScript
functions (declarations, methods, arrow functions with a body) by matching braces, outside
strings, template literals and comments. Migrations are history, not read as code: skipped.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gis", "layers", "api", "maps")
MAX_MODULE = 400
MAX_FUNCTION = 60
SKIP = ("migrations", "vendor", "node_modules")


def sources() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix in (".py", ".js") and not any(p in path.parts for p in SKIP):
                yield path


def python_functions(text: str) -> Iterator[tuple[str, int, int]]:
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            yield node.name, start, (node.end_lineno or node.lineno) - start + 1


# The opening of a function body: `function f(...) {`, `name(...) {` (a method, not a
# control statement), `=> {`.
_KEYWORDS = r"(?!(?:if|for|while|switch|catch|with|return|else)\b)"
_OPENER = re.compile(
    r"(?:function\b[^{;]*|=>\s*"
    rf"|^\s*(?:async\s+)?(?:get\s+|set\s+)?{_KEYWORDS}[A-Za-z_$][\w$]*\s*\([^;{{]*\)\s*)\{{$"
)
_NAME = re.compile(
    r"function\s+([\w$]+)"
    r"|([\w$]+)\s*(?:=|:)\s*(?:async\s*)?(?:function|\()"
    r"|^\s*(?:async\s+)?([\w$]+)\s*\("
)


def _code_only(text: str) -> str:
    """The text with strings, template literals and comments blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        two = text[i : i + 2]
        if two in ("//", "/*"):
            end = text.find("\n" if two == "//" else "*/", i + 2)
            end = n if end < 0 else end + (0 if two == "//" else 2)
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif text[i] in "'\"`":
            quote, j = text[i], i + 1
            while j < n and text[j] != quote:
                j += 2 if text[j] == "\\" else 1
            out.append(quote + re.sub(r"[^\n]", " ", text[i + 1 : j]) + quote)
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def javascript_functions(text: str) -> Iterator[tuple[str, int, int]]:
    code = _code_only(text)
    stack: list[tuple[str | None, int]] = []
    line = 1
    for index, char in enumerate(code):
        if char == "\n":
            line += 1
        elif char == "{":
            head = code[code.rfind("\n", 0, index) + 1 : index + 1]
            is_function = bool(_OPENER.search(head))
            name = _NAME.search(head) if is_function else None
            label = next((g for g in name.groups() if g), None) if name else None
            stack.append(((label or "<anonymous>") if is_function else None, line))
        elif char == "}" and stack:
            label, start = stack.pop()
            if label is not None:
                yield label, start, line - start + 1


def problems(path: Path) -> Iterator[str]:
    text = path.read_text(encoding="utf-8")
    relative = path.relative_to(ROOT)
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines > MAX_MODULE:
        yield f"{relative}: {lines} lines (at most {MAX_MODULE}); split it by concern"
    functions = python_functions if path.suffix == ".py" else javascript_functions
    for name, start, length in functions(text):
        if length > MAX_FUNCTION:
            yield f"{relative}:{start}: {name} has {length} lines (at most {MAX_FUNCTION})"


def main() -> int:
    found = [problem for path in sources() for problem in problems(path)]
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
