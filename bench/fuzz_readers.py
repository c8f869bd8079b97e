"""A coverage-guided fuzzer (atheris) on the corpus readers: bytes in, as a plain-text,
Markdown, HTML, PDF or Word file (the first byte picks which), through `index.files.documents.parse`
and the passage splitter, as a reindex reads a file.

A reader may refuse a file (`UnreadableFile`, reported to the maintainer by name). Findings:
an input slower than `--timeout` seconds or over `--rss-mb` of memory (either would stall a
reindex), which stop the run; and any other exception, which a reindex catches and reports as
"its reader failed" — each kind is counted, and the run goes on.

    nice -n 10 .venv/bin/python bench/fuzz_readers.py
    make fuzz
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from fuzzing import run_fuzzer  # noqa: E402

COMMAND = "nice -n 10 .venv/bin/python bench/fuzz_readers.py"
OUT = ROOT / "bench" / "out" / "fuzz"
SUFFIXES = (".txt", ".md", ".html", ".pdf", ".docx")


def seeds() -> list[tuple[str, bytes]]:
    """One small good file of each kind, prefixed with the byte that picks its reader."""
    from briefing_files import briefing_text, make_docx, make_html, make_pdf

    text = briefing_text(1)
    files = {
        ".txt": text.encode(),
        ".md": f"---\ntitle: A note\ndate: 2024-03-19\n---\n\n# Trade\n\n{text}".encode(),
        ".html": make_html("A note", text.split("\n\n")),
        ".pdf": make_pdf([["# Trade", *text.split(". ")[:6]]], title="A note"),
        ".docx": make_docx([("title", "A note"), ("paragraph", text)]),
    }
    return [(f"seed{s}", bytes([SUFFIXES.index(s)]) + data) for s, data in files.items()]


def fuzz_child(argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports():
        import index.files.documents  # noqa: F401
        import index.files.formats.docx  # noqa: F401
        import index.files.formats.html  # noqa: F401
        import index.files.formats.pdf  # noqa: F401
        import index.files.passages  # noqa: F401
        import index.files.sentences  # noqa: F401
    from index.files.documents import UnreadableFile, parse
    from index.files.passages import passages

    log = Path(os.environ["FUZZ_FINDINGS"])
    seen: set[str] = set()

    def one(data: bytes) -> None:
        if not data:
            return
        suffix = SUFFIXES[data[0] % len(SUFFIXES)]
        try:
            passages(parse(data[1:], f"2024-03-19-fuzz{suffix}"))
        except UnreadableFile:
            pass
        except RecursionError:
            raise
        except Exception as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            signature = f"{suffix} {type(exc).__name__} at {where}"
            if signature not in seen:
                seen.add(signature)
                with open(log, "a", encoding="utf-8") as f:
                    f.write(f"{signature}: {str(exc)[:160]!r}\n")

    atheris.Setup(argv, one)
    atheris.Fuzz()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        fuzz_child([sys.argv[0], *sys.argv[2:]])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--timeout", type=int, default=20, help="seconds one input may take")
    parser.add_argument("--rss-mb", type=int, default=2048)
    args = parser.parse_args()

    result = run_fuzzer(
        Path(__file__), "readers", OUT, args.seconds, args.timeout, args.rss_mb, seeds()
    )
    caught = OUT / "readers-findings.txt"
    kinds = caught.read_text(encoding="utf-8").splitlines() if caught.exists() else []
    hard = result.kind in ("timeout", "out of memory", "crash") or (
        result.kind is not None and result.kind.startswith("exit")
    )
    print(
        result.line
        if hard
        else f"{result.runs:,} inputs ({result.seconds:.0f} s with start-up); no hang, slowest"
        f" input under {result.slowest_s + 1} s, peak memory {result.peak_rss_mb} MB"
    )
    print(f"{len(kinds)} kinds of exception other than UnreadableFile (a reindex reports these")
    print("as 'its reader failed' and goes on):")
    for line in kinds:
        print(f"  {line}")
    command = COMMAND
    if args.seconds != 300:
        command += f" --seconds {args.seconds}"
    print()
    print(
        f"| Fuzzing the corpus readers (atheris, {args.seconds} s; text, Markdown, HTML, PDF,"
        f" Word) | {result.runs:,} inputs | {1 if hard else 0} hangs or memory blow-ups;"
        f" {len(kinds)} kinds of reader exception, each caught and reported | `{command}` |"
    )


if __name__ == "__main__":
    main()
