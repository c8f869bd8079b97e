"""Running an atheris fuzzer for a bounded time in a child process and reading its outcome.

libFuzzer ends the process it runs in (at the time limit, or at the first finding), so each
fuzzer runs as `python bench/fuzz_X.py --child <libFuzzer flags>` and this module reads what
it printed: how many inputs it ran, and whether it stopped on an uncaught exception, an input
slower than the time limit, or memory over the limit. The input that caused a finding is
written to bench/out/fuzz/ by libFuzzer; the grown input corpus is kept there too, so a later
run starts where this one stopped.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_RUNS = re.compile(r"stat::number_of_executed_units:\s*(\d+)|Done (\d+) runs")
_KINDS = {
    "Uncaught Python exception": "exception",
    "ERROR: libFuzzer: timeout": "timeout",
    "ERROR: libFuzzer: out-of-memory": "out of memory",
    "ERROR: libFuzzer: deadly signal": "crash",
}


@dataclass
class FuzzResult:
    runs: int
    findings: int
    kind: str | None
    detail: str
    seconds: float
    slowest_s: int = 0  # libFuzzer's slowest input, whole seconds
    peak_rss_mb: int = 0

    @property
    def line(self) -> str:
        found = f"{self.findings} finding ({self.kind}): {self.detail}" if self.kind else ""
        found = found or (
            f"no findings; slowest input under {self.slowest_s + 1} s, peak memory"
            f" {self.peak_rss_mb} MB"
        )
        return f"{self.runs:,} inputs ({self.seconds:.0f} s with start-up); {found}"


def run_fuzzer(
    script: Path,
    name: str,
    out: Path,
    seconds: int,
    timeout: int,
    rss_mb: int,
    seeds: list[tuple[str, bytes]],
) -> FuzzResult:
    """Fuzz for `seconds` (each input at most `timeout` s, memory at most `rss_mb`)."""
    import time

    corpus = out / f"{name}-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for seed_name, data in seeds:
        (corpus / seed_name).write_bytes(data)
    findings = out / f"{name}-findings.txt"
    findings.unlink(missing_ok=True)
    command = [
        sys.executable,
        str(script),
        "--child",
        f"-max_total_time={seconds}",
        f"-timeout={timeout}",
        f"-rss_limit_mb={rss_mb}",
        "-print_final_stats=1",
        f"-artifact_prefix={out}/{name}-",
        str(corpus),
    ]
    env = dict(os.environ, FUZZ_FINDINGS=str(findings))
    started = time.monotonic()
    proc = subprocess.run(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        timeout=seconds * 3 + 300,
    )
    elapsed = time.monotonic() - started
    text = proc.stdout
    (out / f"{name}-last-run.log").write_text(text[-200_000:], encoding="utf-8")
    runs = max((int(a or b) for a, b in _RUNS.findall(text)), default=0)
    kind = next((k for marker, k in _KINDS.items() if marker in text), None)
    if kind is None and proc.returncode != 0:
        kind = f"exit status {proc.returncode}"
    detail = ""
    if kind:
        logged = findings.read_text(encoding="utf-8") if findings.exists() else ""
        detail = (logged.strip().splitlines() or [_last_error(text)])[0][:300]
    stats = dict(re.findall(r"stat::(\w+):\s*(\d+)", text))
    return FuzzResult(
        runs,
        1 if kind else 0,
        kind,
        detail,
        elapsed,
        int(stats.get("slowest_unit_time_sec", 0)),
        int(stats.get("peak_rss_mb", 0)),
    )


def _last_error(text: str) -> str:
    lines = [line for line in text.splitlines() if "Error" in line or "ERROR" in line]
    return lines[-1] if lines else text.strip().splitlines()[-1] if text.strip() else ""
