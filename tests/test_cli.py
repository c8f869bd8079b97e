"""The `briefbot` command, as a maintainer scripts it."""

import json
import subprocess
import sys

import pytest
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
    assert first.startswith("1. Putin Raeisi Nowruz") and "2024-03-19" in first
    assert "suitable groundwork" in result.output


def test_ask_says_which_words_no_briefing_holds_when_nothing_answers(db):
    """The console says why as the bot does: the words no briefing mentions, then where to
    look instead."""
    result = run("ask", "what did Putin say about Ukraine?", "--db", str(db))
    assert result.output.startswith("No briefing mentions Ukraine. The nearest briefings:")
    nowhere = run("ask", "zorblax quux", "--db", str(db))
    assert nowhere.output.startswith("No briefing mentions zorblax, quux. Try other words")
    # the same reasons as the bot gives, decided once in index (`Answer.why`)
    words = run("ask", "what did she say?", "--db", str(db))
    assert words.output.startswith("Who do you mean by “she”? Ask again with a name")
    words = run("ask", "what is the?", "--db", str(db))
    assert words.output.startswith("That question has no words I can look up")


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
        "also",
    }
    assert hit["also"] == []  # one briefing: nothing repeats it
    assert hit["document"] == "2024-03-19-putin-raeisi-nowruz.txt"
    assert hit["rank"] == 1 and hit["date"] == "2024-03-19"
    assert answer["why"] is None and answer["missing"] == [] and answer["nearest"] == []
    nothing = json.loads(
        run("ask", "--json", "what did Putin say about Ukraine?", "--db", str(db)).output
    )
    assert nothing["hits"] == [] and nothing["why"] == "nothing answers"
    assert nothing["missing"] == ["Ukraine"] and nothing["note"] is None
    assert answer["note"] is None
    # Putin greeted Iranians on Nowruz; Raeisi is not quoted on it, and the note says so.
    unquoted = json.loads(
        run("ask", "--json", "what did Raeisi say about Nowruz?", "--db", str(db)).output
    )
    assert unquoted["hits"] == [] and unquoted["why"] == "not quoted"
    assert unquoted["note"] == "The briefings do not quote Raeisi on Nowruz."
    assert nothing["nearest"][0]["document"] == "2024-03-19-putin-raeisi-nowruz.txt"


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
    assert "No briefing mentions weather, Oslo" in result.output
    result = run("ask", "railway weather", "--db", str(db), "--json")
    assert json.loads(result.output)["hits"]  # one word held is enough to answer


def test_run_without_token_opens_console_chat(db, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    result = CliRunner(env={"TELEGRAM_BOT_TOKEN": None}).invoke(
        main, ["run", "--db", str(db)], input="railway\n\n"
    )
    assert "No Telegram token is set" in result.output
    assert "suitable groundwork" in result.output


def test_summary_prints_a_days_briefings_as_a_group_gets_them(db):
    result = run("summary", "2024-03-19", "--db", str(db))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Briefings of Tuesday 19 March 2024: 1 briefing."
    assert lines[2].startswith("Putin Raeisi Nowruz") and "2024-03-19" in lines[2]
    assert lines[3].startswith("   > ")
    assert "Rasht-Astara railway" in result.output  # a hyphenated name is never cut


def test_summary_of_a_day_without_briefings_names_the_nearest(db):
    result = run("summary", "2024-03-25", "--db", str(db))
    assert result.exit_code == 0
    assert result.output == (
        "No briefings are dated Monday 25 March 2024. The nearest are dated Tuesday 19 March"
        " 2024: briefbot summary 2024-03-19.\n"
    )
    result = run("summary", "next week", "--db", str(db))
    assert result.exit_code == 2
    assert "give today, yesterday or a date such as 2024-03-19" in result.output


def test_console_chat_takes_the_bots_commands(db):
    lines = [
        "/help",
        "/sources",
        "/summary 2024-03-19",
        "/summary someday",
        "what did Raeisi say about the railway?",
        "and about Gaza?",
        "/new",
        "and about Gaza?",
        "/frobnicate",
        "",
    ]
    result = run("chat", "--db", str(db), input="\n".join(lines) + "\n")
    out = result.output
    assert "/summary [today|yesterday|YYYY-MM-DD]" in out
    assert "2024-03-19  Putin Raeisi Nowruz" in out and "(5 passages)" in out
    assert "Briefings of Tuesday 19 March 2024: 1 briefing." in out
    assert "Use /summary, /summary yesterday or /summary 2024-03-19." in out
    # The follow-up is read with the question before it; after /new it stands alone.
    assert out.count("Read as: what Raeisi said about Gaza.") == 1
    assert "The next question starts afresh." in out
    assert "/frobnicate is not a command here; /help lists them." in out


@pytest.mark.parametrize("word", ["quit", "exit", "Quit!"])
def test_quit_ends_the_console_chat_and_is_not_asked(db, word):
    """ "quit" is what people type to leave a prompt: it ends the chat, and the briefings are
    not searched for it (it got "No briefing mentions quit")."""
    result = run("chat", "--db", str(db), input=f"{word}\nRaeisi\n")
    assert result.exit_code == 0
    assert "No briefing mentions" not in result.output
    assert "Raeisi" not in result.output.split("ends.", 1)[1]  # nothing asked after it


def test_an_index_built_by_an_earlier_analyser_says_to_reindex(db, corpus):
    """An index whose words an earlier briefbot analysed ("U.S." once "u") misses questions
    asked with this one's: `ask` answers, and says how to mend it; the reindex rebuilds it."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '3.2' WHERE key = 'analyser_version'")
    conn.close()
    old = run("ask", "what did Raeisi say about the railway?", "--db", str(db))
    assert old.exit_code == 0 and "suitable groundwork" in old.output
    assert "built by an earlier version of briefbot" in old.output
    assert "`briefbot reindex` rebuilds it" in old.output
    run("reindex", "--corpus", str(corpus), "--db", str(db))
    new = run("ask", "what did Raeisi say about the railway?", "--db", str(db))
    assert "earlier version" not in new.output


def test_more_in_the_console_pages_through_the_question_before(db):
    result = run("chat", "--db", str(db), input="Raeisi\nmore\nmore\n\n")
    out = result.output
    assert "\n3. " in out and "? 4. " in out  # the second page goes on from the first
    assert out.count("There are no more results for that question.") == 1
