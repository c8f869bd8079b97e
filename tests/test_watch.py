"""`briefbot watch`: a burst of copied files is one reindex, and later changes are picked up."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from briefing_files import briefing_text

from index.questions.answer import Index
from index.storage.reindex import Report
from index.storage.watch import watch


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_burst_of_500_files_is_one_run_and_later_changes_follow(tmp_path: Path):
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    corpus.mkdir()
    (corpus / "first.txt").write_text(briefing_text(1))
    reports: list[Report] = []
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=watch,
        args=(corpus, db, reports.append),
        kwargs={"quiet_ms": 1000, "stop": stop, "ready": ready.set},
        daemon=True,
    )
    thread.start()
    try:
        assert ready.wait(20)
        assert len(reports) == 1 and reports[0].counts["added"] == 1  # brought up to date
        burst = corpus / "burst"
        burst.mkdir()
        for n in range(500):
            (burst / f"{n:03d}.txt").write_text(briefing_text(n + 10))
        (corpus / ".hidden.txt").write_text("not a briefing")
        (corpus / "notes.json").write_text("{}")
        assert wait_for(lambda: len(reports) >= 2)
        time.sleep(2.5)  # long enough for a second run, were there one
        assert len(reports) == 2
        assert reports[1].counts["added"] == 500 and not reports[1].failed
        assert Index(db).stats().documents == 501

        (corpus / "first.txt").unlink()
        assert wait_for(lambda: len(reports) >= 3)
        assert reports[2].counts["removed"] == 1
        assert Index(db).stats().documents == 500
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
