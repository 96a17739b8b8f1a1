"""The shape of the code base (docs/architecture.md): small modules, and imports a reader can see.

The dependency direction itself is checked by import-linter (`lint-imports`, contracts in pyproject.toml).
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tolk", "glossaries", "machinery", "lqa", "workflows")
MAX_LINES = 400


def modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
                  if "migrations" not in path.parts)


def test_no_module_is_longer_than_400_lines():
    long = {str(path.relative_to(ROOT)): n for path in modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"split these by concern (at most {MAX_LINES} lines each): {long}"


def _comments(source: str) -> dict[int, str]:
    return {tok.start[0]: tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.COMMENT}


def function_imports(path: Path) -> list[tuple[int, str, str]]:
    """First-party imports inside functions: (line, imported module, the comment on that line)."""
    source = path.read_text(encoding="utf-8")
    comments = _comments(source)
    found = []
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if name.split(".")[0] in PACKAGES:
                    end = node.end_lineno or node.lineno
                    comment = " ".join(comments.get(n, "") for n in range(node.lineno, end + 1))
                    found.append((node.lineno, name, comment))
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_inside_functions_say_why(path):
    """An import inside a function hides a dependency from the reader: allowed only to defer a load, and
    then it says so (``# lazy: <why>``), never to dodge an import cycle."""
    unexplained = [f"{path.relative_to(ROOT)}:{line} imports {name}"
                   for line, name, comment in function_imports(path) if "lazy:" not in comment]
    assert unexplained == [], "move these imports to the top of the module (or mark a deferred load '# lazy: why')"
