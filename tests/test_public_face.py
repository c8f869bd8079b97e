"""`bot/` reaches `index/` only through its public face, and every name there resolves: the
folders behind it can move without touching the application."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import index

ROOT = Path(__file__).resolve().parents[1]


def test_every_public_name_resolves():
    for name in index.__all__:
        assert getattr(index, name) is not None, name


def test_the_bot_imports_index_only_through_its_public_face():
    inside = []
    for path in sorted((ROOT / "bot").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("index."):
                inside.append(f"{path.name}: from {node.module} import …")
            if isinstance(node, ast.Import):
                inside += [
                    f"{path.name}: import {a.name}"
                    for a in node.names
                    if a.name.startswith("index.")
                ]
    assert inside == []


def test_answering_does_not_load_the_reindexer_or_the_summariser():
    code = (
        "import sys\n"
        "from index import Index\n"
        "print(sorted(m for m in ('index.storage.reindex', 'index.summary') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_the_front_door_keeps_its_first_address():
    from index.answer import Index as Old

    assert Old is index.Index
