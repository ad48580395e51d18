"""The core never depends on the Temporal code: comptoir/ imports neither workflows nor activities."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("workflows", "activities")


def imported_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_comptoir_never_imports_workflows_or_activities() -> None:
    files = sorted((ROOT / "comptoir").rglob("*.py"))
    assert len(files) > 20  # the walk really found the package
    offending = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    ]
    assert offending == []
