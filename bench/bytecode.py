"""Bytecode for the briefbot being timed, as an installed copy has it.

`pip install` compiles a package's modules when it installs them, and a source checkout has
them compiled on its first run (into `__pycache__`). A machine that sets
`PYTHONDONTWRITEBYTECODE` (as some sandboxes and containers do) never writes them for an
editable install, and every start then compiles all of `bot` and `index` again: 0.3 to 0.4 s
of the bot's start on this machine, which no installed copy pays. The start-up benchmarks
compile them first, so that they time what a maintainer's machine runs.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

_COMPILE = (
    "import compileall, os, bot, index\n"
    "for m in (bot, index):\n"
    "    compileall.compile_dir(os.path.dirname(m.__file__), quiet=2)\n"
)


def compile_package(briefbot: Path) -> None:
    """Compile `bot` and `index` with the Python beside the `briefbot` command given."""
    # -I: the modules that Python imports, not a copy in the folder it runs from
    subprocess.run([str(briefbot.parent / "python"), "-I", "-c", _COMPILE], check=True)
