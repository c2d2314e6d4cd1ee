"""Dependencies point gui -> ceremony -> crypto, never back; short commands stay light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "crypto": ("ceremony", "gui", "PySide6"),
    "ceremony": ("gui", "PySide6"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant):
                names.add(str(node.args[0].value).split(".")[0])
            elif node.args and isinstance(node.args[0], ast.JoinedStr):
                first = node.args[0].values[0]
                if isinstance(first, ast.Constant):
                    names.add(str(first.value).split(".")[0])
    return names


def test_dependencies_point_one_way() -> None:
    offenders = []
    for package, forbidden in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            bad = _imports(path) & set(forbidden)
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders


def test_terminal_commands_do_not_load_qt_or_pdf_libraries() -> None:
    code = ("import sys; from gui.launcher import main; main(['csr', 'check', '/nonexistent']);"
            "heavy = [m for m in ('PySide6', 'reportlab', 'pyhanko', 'pkilint') if m in "
            "sys.modules]; print(','.join(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.stdout.strip() == "", done.stdout
