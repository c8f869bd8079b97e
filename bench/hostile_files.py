"""Hostile corpus files at full size: each is put beside the bundled briefing and indexed by a
fresh process, which reports what became of each file, how long the reindex took and its peak
memory, against the baseline of the bundled briefing alone in the same run.

The files: a real 200 MB text file; an 8 MB one (just under the limit for text); one line of
5 MB; a Word file that unpacks to 1 GB (a zip bomb) and one with 7 MB of markup (just under
its limit); a PDF whose one page inflates to 70 MB of drawing instructions; five malformed
PDFs; a link to a file outside the corpus; a named pipe; a file name with a line break and
right-to-left marks.

    nice -n 10 .venv/bin/python bench/hostile_files.py

It prints rows for docs/reliability.md. The files are made in a temporary folder and deleted.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

COMMAND = "nice -n 10 .venv/bin/python bench/hostile_files.py"


def peak_mb() -> float:
    """This process's peak resident memory. (Not `ru_maxrss`, which Linux carries over from
    the parent across exec, so a parent's peak would be counted as the child's.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(corpus: str, db: str) -> None:
    from index.questions.answer import Index
    from index.storage.reindex import reindex

    started = time.monotonic()
    report = reindex(corpus, db)
    seconds = time.monotonic() - started
    index = Index(db)
    longest = index.connection().execute("SELECT max(length(text)) FROM passages").fetchone()[0]
    found = index.answer("Raeisi railway Rasht Astara").found
    out = {
        "seconds": seconds,
        "rss_mb": peak_mb(),
        "files": {f.path: [f.status, f.reason, f.passages] for f in report.files},
        "longest_passage": longest,
        "bundled_answers": found,
    }
    print(json.dumps(out))


def run(folder: Path, add: Callable[[Path], None]) -> dict:
    corpus = folder / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.copytree(ROOT / "corpus", corpus)
    add(corpus)
    db = folder / "index.db"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(corpus), str(db)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cases(tmp: Path) -> dict[str, tuple[Callable[[Path], None], str]]:
    from hostile_files import (
        STRANGE_NAME,
        malformed_pdfs,
        pdf_flate_bomb,
        text_file,
        zip_bomb_docx,
    )

    outside = tmp / "outside.txt"
    outside.write_text("The zebra password is kept outside the corpus.\n")

    def pdfs(c: Path) -> None:
        for name, data in malformed_pdfs().items():
            (c / name).write_bytes(data)

    def strange(c: Path) -> None:
        (c / STRANGE_NAME).write_text("date 2024-03-20\n\nThe Caspian ferry resumed service.\n")

    return {
        "bundled briefing alone (baseline)": (lambda c: None, ""),
        "200 MB text file": (lambda c: text_file(c / "huge.txt", 200 * 2**20), "huge.txt"),
        "8 MB text file (under the limit)": (
            lambda c: text_file(c / "big.txt", 8 * 2**20 - 4096),
            "big.txt",
        ),
        "one line of 5 MB": (
            lambda c: text_file(c / "line.txt", 5 * 2**20, line=None),
            "line.txt",
        ),
        "zip bomb .docx (1 GB unpacked)": (
            lambda c: (c / "bomb.docx").write_bytes(zip_bomb_docx(2**30)),
            "bomb.docx",
        ),
        ".docx with 7 MB of markup (under the limit)": (
            lambda c: (c / "heavy.docx").write_bytes(zip_bomb_docx(7 * 2**20)),
            "heavy.docx",
        ),
        "PDF inflating to 70 MB": (
            lambda c: (c / "inflating.pdf").write_bytes(pdf_flate_bomb(70 * 2**20)),
            "inflating.pdf",
        ),
        "five malformed PDFs": (pdfs, "*.pdf"),
        "link to a file outside the corpus": (
            lambda c: (c / "link.txt").symlink_to(outside),
            "link.txt",
        ),
        "named pipe": (lambda c: os.mkfifo(c / "pipe.txt"), "pipe.txt"),
        "file name with a line break and RTL marks": (strange, STRANGE_NAME),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        for name, (add, target) in cases(Path(tmp)).items():
            out = run(Path(tmp), add)
            base = base or out
            files = {
                path: v
                for path, v in out["files"].items()
                if (path.endswith(".pdf") if target == "*.pdf" else path == target)
            }
            outcome = "; ".join(
                f"{status}" + (f" ({reason})" if reason else f", {n} passages")
                for status, reason, n in files.values()
            )
            rss = out["rss_mb"]
            print(
                f"{name}: {outcome or '-'} | {out['seconds']:.1f} s, peak {rss:.0f} MB"
                f" ({rss / base['rss_mb']:.2f}x the baseline), longest passage"
                f" {out['longest_passage']:,} characters, bundled briefing still answers:"
                f" {out['bundled_answers']}",
                flush=True,
            )
            rows.append((name, outcome, out, rss / base["rss_mb"]))
    print()
    for name, outcome, out, ratio in rows[1:]:
        lost = "nothing" if out["bundled_answers"] else "the rest of the corpus"
        print(
            f"| Hostile file: {name} | once, beside the bundled briefing | {lost} lost;"
            f" {outcome}; {out['seconds']:.1f} s, peak memory {out['rss_mb']:.0f} MB"
            f" ({ratio:.2f}x the bundled briefing alone) | `{COMMAND}` |"
        )


if __name__ == "__main__":
    main()
