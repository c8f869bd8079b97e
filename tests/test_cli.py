"""The `briefbot` command, as a maintainer scripts it."""

import json
import subprocess
import sys

from click.testing import CliRunner

from bot.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_reindex_prints_summary_and_fails_on_bad_file(corpus, tmp_path):
    db = str(tmp_path / "i.db")
    result = run("reindex", "--corpus", str(corpus), "--db", db)
    assert result.exit_code == 0
    assert "1 added, 0 changed, 0 removed, 0 unchanged, 0 failed" in result.output
    (corpus / "broken.txt").write_bytes(b"")
    result = run("reindex", "--corpus", str(corpus), "--db", db)
    assert result.exit_code == 1
    assert "broken.txt: the file is empty" in result.output


def test_ask_answers_with_title_date_and_quote(db):
    result = run("ask", "what did Raeisi say about the railway?", "--db", str(db))
    assert result.exit_code == 0
    first = result.output.splitlines()[0]
    assert first.startswith("1. Russian President") and "2024-03-19" in first
    assert "suitable groundwork" in result.output


def test_ask_json_has_the_documented_fields(db):
    result = run("ask", "--json", "railway", "--db", str(db), "-k", "2")
    answer = json.loads(result.output)
    assert answer["question"] == "railway"
    hit = answer["hits"][0]
    assert set(hit) == {
        "rank",
        "score",
        "document",
        "title",
        "date",
        "heading",
        "passage_id",
        "quote",
        "text",
    }
    assert hit["document"] == "2024-03-19-putin-raeisi-nowruz.txt"
    assert hit["rank"] == 1 and hit["date"] == "2024-03-19"


def test_ask_json_stdin_answers_each_line_as_it_arrives(db):
    """A script can write a question, wait for its answer, then write the next."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "-", "--db", str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for question in ["railway", "weather in Oslo", "Gaza"]:
            proc.stdin.write(question + "\n")
            proc.stdin.flush()
            answer = json.loads(proc.stdout.readline())
            assert answer["question"] == question
            assert bool(answer["hits"]) == (question != "weather in Oslo")
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    assert proc.returncode == 0


def test_ask_without_index_says_how_to_build_it(tmp_path):
    result = CliRunner().invoke(main, ["ask", "x", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "briefbot reindex" in result.output


def test_stats_and_nothing_found(db):
    result = run("stats", "--db", str(db))
    assert "documents    1 (0 undated)" in result.output
    assert "passages     5" in result.output
    result = run("ask", "weather in Oslo", "--db", str(db))
    assert "Nothing in the briefings answers that" in result.output


def test_run_without_token_opens_console_chat(db, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    result = CliRunner(env={"TELEGRAM_BOT_TOKEN": None}).invoke(
        main, ["run", "--db", str(db)], input="railway\n\n"
    )
    assert "No Telegram token is set" in result.output
    assert "suitable groundwork" in result.output
