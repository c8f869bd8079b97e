"""`briefbot`: the bot, a console chat, one-shot questions, reindexing and statistics.

Each command is one library call; what the library raises becomes a message that says what
to do. Every option falls back to the settings (environment and `.env`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

# What answers questions (the question path, numpy, the console's rendering) is imported by
# the commands that use it: `reindex` and `watch` need none of it, and importing it took a
# third of a `briefbot reindex` that found nothing to do (0.12 of 0.36 s, with bytecode).

if TYPE_CHECKING:
    from index import Index, Report, timeline

    from .quick_settings import AskSettings
    from .settings import Settings

_db_option = click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), help="Index file."
)
_corpus_option = click.option(
    "--corpus", type=click.Path(file_okay=False, path_type=Path), help="Corpus folder."
)


def _settings(ctx: click.Context, **overrides) -> Settings:
    """The settings, read on first use: importing pydantic-settings costs 0.15 s, which a
    command that can do without it (`ask`, `reindex`: see `_light_settings`) need not pay."""
    if ctx.obj is None:
        from .settings import Settings

        try:
            ctx.obj = Settings()
        except ValueError as exc:
            raise click.ClickException(f"a setting is invalid:\n{exc}") from None
    settings: Settings = ctx.obj
    values = {k: v for k, v in overrides.items() if v is not None}
    return settings.model_copy(update=values) if values else settings


def _light_settings(ctx: click.Context, **overrides: Path | None) -> Settings | AskSettings:
    """The corpus folder, the index and what `ask` shows, read without pydantic when they are
    written plainly (`quick_settings`): `ask` and `reindex` need nothing else."""
    from dataclasses import replace

    from . import quick_settings

    quick = quick_settings.read() if ctx.obj is None else None
    if quick is None:
        return _settings(ctx, **overrides)
    values = {k: v for k, v in overrides.items() if v is not None}
    return replace(quick, **values) if values else quick


#: Said when the index was built by a briefbot that analysed words otherwise.
OUTDATED = (
    "Note: this index was built by an earlier version of briefbot, which reads some words"
    " otherwise; until `briefbot reindex` rebuilds it, some questions miss their answers."
)


def _open_index(path: Path, corpus: Path | None = None, *, on_demand: bool = False) -> Index:
    """The index, with the corpus folder's alias file (`aliases.toml`) when there is one."""
    from index import ALIASES_FILE, Index, IndexMissing

    aliases = corpus / ALIASES_FILE if corpus is not None else None
    index = Index(path, aliases=aliases, on_demand=on_demand)
    try:
        index.connection()
        if index.outdated():
            click.echo(OUTDATED, err=True)
    except IndexMissing as exc:
        raise click.ClickException(str(exc)) from None
    return index


@click.group()
@click.version_option(package_name="briefbot")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Answer questions over dated briefings by quoting the passages that answer them."""
    ctx.obj = None  # read by the first command that needs them (`_settings`)


def _corpus_folder(s: Settings | AskSettings) -> Path:
    if not s.corpus.is_dir():
        raise click.ClickException(
            f"the corpus folder {s.corpus} does not exist; pass --corpus or set BRIEFBOT_CORPUS"
        )
    return s.corpus


@main.command("reindex")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_corpus_option
@_db_option
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Read every file into a fresh index and swap it in when complete.",
)
@click.option("--wait", type=float, default=0.0, help="Seconds to wait for another reindex.")
@click.option("-q", "--quiet", is_flag=True, help="Only the summary, warnings and failures.")
@click.pass_context
def reindex_command(ctx, paths, corpus, db, dry_run, rebuild, wait, quiet):
    """Bring the index in line with the corpus folder: add, replace and remove briefings.

    Given PATHS (files or folders inside the corpus), only those are looked at.
    """
    from index import ReindexBusy, corpus_files, reindex

    s = _light_settings(ctx, corpus=corpus, db=db)
    folder = _corpus_folder(s)
    if rebuild and (dry_run or paths):
        raise click.UsageError("--rebuild reads the whole corpus; it takes no PATHS or --dry-run")
    if paths:  # as the maintainer typed them, from where they stand
        paths = [Path(os.path.abspath(p)) for p in paths]
        root = Path(os.path.abspath(folder))
        for p in paths:
            if not p.is_relative_to(root):
                raise click.UsageError(f"{p} is not inside the corpus folder {root}")
    options = {"dry_run": dry_run, "rebuild": rebuild, "wait": wait, "paths": paths or None}
    try:
        if sys.stderr.isatty() and not quiet and not paths:
            total = sum(1 for _ in corpus_files(folder))
            with click.progressbar(length=total, label="Indexing", file=sys.stderr) as bar:
                report = reindex(folder, s.db, progress=lambda _path: bar.update(1), **options)
        else:
            report = reindex(folder, s.db, **options)
    except ReindexBusy as exc:
        raise click.ClickException(str(exc)) from None
    _print_report(report, quiet)
    if report.failed:
        sys.exit(1)


def _print_report(report: Report, quiet: bool) -> None:
    for f in report.files:
        if f.status == "failed":
            click.echo(f"failed    {f.path}: {f.reason}", err=True)
        elif not quiet:
            notes = [f"{f.passages} passages"] if f.passages else []
            if f.reason:
                notes.append(f.reason)
            if f.undated:
                notes.append("undated: no date in its metadata, its first line or its name")
            click.echo(f"{f.status:<9} {f.path}" + (f" ({'; '.join(notes)})" if notes else ""))
        for w in f.warnings:
            click.echo(f"warning   {f.path}: {w}", err=True)
    click.echo(report.summary())


@main.command("watch")
@_corpus_option
@_db_option
@click.option(
    "--quiet-ms",
    type=click.IntRange(50, 60_000),
    default=1_000,
    show_default=True,
    help="How long the corpus must be still before changes are indexed.",
)
@click.pass_context
def watch_command(ctx, corpus, db, quiet_ms):
    """Keep the index up to date: reindex after each burst of changes in the corpus.

    Runs until interrupted (Ctrl-C).
    """
    from index import ReindexBusy, watch

    s = _settings(ctx, corpus=corpus, db=db)
    folder = _corpus_folder(s)
    click.echo(f"Watching {folder} for changes; Ctrl-C stops.", err=True)

    def show(report: Report) -> None:
        if report.changed_anything:
            _print_report(report, quiet=False)
        sys.stdout.flush()

    try:
        watch(folder, s.db, show, quiet_ms=quiet_ms)
    except ReindexBusy as exc:
        raise click.ClickException(str(exc)) from None


@main.command("ask")
@click.argument("question")
@click.option("-k", "results", type=click.IntRange(1, 100), help="How many passages.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
@_db_option
@click.pass_context
def ask_command(ctx, question, results, as_json, db):
    """Answer QUESTION from the index; `-` reads one question per line from standard input."""
    from index import Kind, classify_message, timeline

    from .console import WELCOME, render_text, timeline_text, to_json
    from .days import today

    s = _light_settings(ctx, db=db)
    k = results or s.results
    index = _open_index(s.db, s.corpus, on_demand=True)  # a question or a few, then done
    questions = (line.rstrip("\n") for line in sys.stdin) if question == "-" else [question]
    color = sys.stdout.isatty()
    for q in questions:
        said = classify_message(q)
        if said.kind is not Kind.QUESTION:  # a greeting, thanks, "more": nothing to search
            if as_json:
                click.echo(json.dumps({"question": q, "hits": []}, ensure_ascii=False))
            else:
                click.echo(WELCOME if said.kind is Kind.THANKS else CHAT_HELP)
            sys.stdout.flush()
            continue
        subject = timeline.asked(said.text)
        if subject is not None:  # "how did the railway deal develop?"
            found = timeline.of(index, subject, today(s.timezone))
            if as_json:
                click.echo(json.dumps(timeline_json(q, found), ensure_ascii=False))
            else:
                click.echo(timeline_text(found, color=color))
            sys.stdout.flush()
            continue
        answer = index.answer(q, k=k)
        if as_json:
            click.echo(json.dumps(to_json(answer), ensure_ascii=False))
        else:
            click.echo(render_text(answer, color=color))
            if question == "-":
                click.echo()
        sys.stdout.flush()


@main.command("chat")
@_db_option
@click.pass_context
def chat_command(ctx, db):
    """Ask questions in the console, on the same answers the bot gives."""
    s = _settings(ctx, db=db)
    index = _open_index(s.db, s.corpus)
    _chat(index, s.results, s.timezone)


CHAT_HELP = """\
Ask in plain words, e.g. "what did Raeisi say about the railway?". A question can follow
up the one before ("and about Gaza?"), name its dates ("last week", "in March 2024"), or
put words in quotes to find them as written; "what happened yesterday?" gives that day's
briefings.
  /sources                                the briefings, newest first
  /summary [today|yesterday|YYYY-MM-DD]   a day's summary, as a group gets it each day
  /timeline SUBJECT                       how a story developed, a line a day
  /follow SUBJECT                         what following it in Telegram would have sent
  /new                                    a new question, not a follow-up
"more" shows the next passages for the question before. An empty line, "quit" or Ctrl-D
ends."""
#: What ends the console chat, besides an empty line: not a question for the briefings.
_QUIT = frozenset({"quit", "exit", "/quit", "/exit", "q"})
#: Briefings `/sources` lists in the console.
SOURCES_SHOWN = 20


def _chat(index: Index, k: int, timezone: str = "UTC") -> None:
    """Each question may follow up the one before ("and about Gaza?"); dates such as
    "yesterday" are the settings' time zone's. A line that starts with "/" is a command, as
    in a Telegram chat, so that the console shows what the bot does."""
    from index import Kind, classify_message, timeline

    from .console import NO_MORE, WELCOME, render_text, timeline_text
    from .days import today

    stats = index.stats()
    click.echo(
        f"briefbot knows {stats.documents} briefing(s), {_date_range(stats)}. "
        "Ask a question, or /help; an empty line, quit or Ctrl-D ends."
    )
    color = sys.stdout.isatty()
    previous = None
    shown = 0  # passages of the previous question shown so far, for "more"
    while True:
        try:
            question = input("? ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not question.strip() or question.strip().lower().strip("!.") in _QUIT:
            return
        if question.lstrip().startswith("/"):
            command, _, rest = question.strip().partition(" ")
            if command == "/new":
                previous, shown = None, 0
                click.echo("The next question starts afresh.")
            else:
                click.echo(_chat_command(index, command, rest.strip(), timezone))
            continue
        said = classify_message(question)
        if said.kind is Kind.HELP:
            click.echo(CHAT_HELP)
            continue
        if said.kind is Kind.THANKS:
            click.echo(WELCOME)
            continue
        if said.kind is Kind.CHATTER:  # "ok", "lol": said back, as the bot, left alone
            continue
        if previous is not None and said.kind is Kind.MORE:  # the next page of the last
            answer = index.answer(previous, k=k, offset=shown, today=today(timezone))
            click.echo(render_text(answer, color=color) if answer.hits else NO_MORE)
            shown += len(answer.hits)
            continue
        subject = timeline.asked(said.text)
        if subject is not None:  # "how did the railway deal develop?": its days
            click.echo(timeline_text(timeline.of(index, subject, today(timezone)), color=color))
            continue
        answer = index.answer(question, k=k, previous=previous, today=today(timezone))
        click.echo(render_text(answer, color=color))
        previous, shown = answer.reading, len(answer.hits)


def _chat_command(index: Index, command: str, argument: str, timezone: str) -> str:
    if command in ("/help", "/start"):
        return CHAT_HELP
    if command == "/sources":
        from index import browse

        from .days import iso_day

        with index.connected() as conn:
            total = browse.overview(conn).documents
            listed = browse.briefings(conn, SOURCES_SHOWN)
        lines = [
            f"{iso_day(b.date):<10}  {b.title}"
            f" ({b.passages} passage{'s' if b.passages != 1 else ''})"
            for b in listed
        ]
        if total > len(listed):
            lines.append(f"… and {total - len(listed)} more (`briefbot stats` counts them).")
        return "\n".join(lines) or "No briefings are indexed yet."
    if command in ("/follow", "/timeline"):
        return _follow_or_timeline(index, command, argument, timezone)
    if command == "/summary":
        from .daily import SUMMARY_USAGE

        return _summary(index, argument or None, timezone, "/summary") or SUMMARY_USAGE
    return f"{command} is not a command here; /help lists them."


def _follow_or_timeline(index: Index, command: str, subject: str, timezone: str) -> str:
    """`/timeline SUBJECT` and `/follow SUBJECT` in the console: the timeline, and what
    following the subject would have sent over the briefings indexed so far."""
    from index import follow, timeline

    from .console import matches_text, timeline_text
    from .days import today

    if not subject:
        return f"Use {command} followed by a subject, e.g. {command} the railway deal."
    color = sys.stdout.isatty()
    if command == "/timeline":
        return timeline_text(timeline.of(index, subject, today(timezone)), color=color)
    with index.connected() as conn:
        matches = follow.would_send(conn, subject, index.aliases.current())
    return matches_text(subject, matches, color=color)


def timeline_json(question: str, found: timeline.Timeline) -> dict:
    """A timeline for scripts: each day's date, briefing, passage and sentence."""
    return {
        "question": question,
        "subject": found.subject,
        "hits": [],
        "timeline": [
            {
                "date": e.date.isoformat(),
                "document": e.hit.document,
                "title": e.hit.title,
                "passage_id": e.hit.passage_id,
                "sentence": e.text,
                "briefings": list(e.briefings),
            }
            for e in found.entries
        ],
        "note": found.note,
        "missing": found.missing,
    }


def _summary(index: Index, day_text: str | None, timezone: str, command: str) -> str | None:
    """A day's summary as plain text, or why there is none and the nearest days that have
    briefings (each as the `command` that sums it up); None when `day_text` is not a day."""
    from index import browse, day_briefings, summarise

    from . import render_summary  # loads telegram: only for summaries
    from .console import blocks_text
    from .daily import parse_day
    from .days import today

    day = parse_day(day_text, today(timezone))
    if day is None:
        return None
    with index.connected() as conn:
        briefings = day_briefings(conn, day)
        nearest = [] if briefings else browse.nearest_dates(conn, day)
    blocks = render_summary.summary_blocks(summarise(briefings, day=day))
    return blocks_text(blocks) if blocks else render_summary.no_briefings(day, nearest, command)


def _date_range(stats) -> str:
    if stats.first_date is None:
        return "none of them dated"
    if stats.first_date == stats.last_date:
        return f"dated {stats.first_date}"
    return f"dated {stats.first_date} to {stats.last_date}"


@main.command("summary")
@click.argument("day", required=False)
@_db_option
@click.pass_context
def summary_command(ctx, day, db):
    """Print DAY's summary (today, yesterday or YYYY-MM-DD; today if left out) as the bot
    posts it to a group: to see what a subscription will send."""
    s = _settings(ctx, db=db)
    text = _summary(_open_index(s.db), day, s.timezone, "briefbot summary")
    if text is None:
        raise click.BadParameter(
            "give today, yesterday or a date such as 2024-03-19.", param_hint="DAY"
        )
    click.echo(text)


@main.command("timeline")
@click.argument("subject", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@_db_option
@click.pass_context
def timeline_command(ctx, subject, as_json, db):
    """How SUBJECT developed: a line a day, oldest first, each with the sentence that says
    what was new that day. SUBJECT may name dates ("Gaza since March")."""
    from index import timeline

    from .console import timeline_text
    from .days import today

    s = _settings(ctx, db=db)
    text = " ".join(subject)
    found = timeline.of(_open_index(s.db, s.corpus), text, today(s.timezone))
    if as_json:
        click.echo(json.dumps(timeline_json(text, found), ensure_ascii=False))
    else:
        click.echo(timeline_text(found, color=sys.stdout.isatty()))


@main.command("follow")
@click.argument("subject", nargs=-1)
@_db_option
@click.option(
    "--state", "state_db", type=click.Path(dir_okay=False, path_type=Path), help="State file."
)
@click.pass_context
def follow_command(ctx, subject, db, state_db):
    """Without SUBJECT, the subjects chats follow in the bot; with it, what following it
    would have sent over the briefings indexed so far (each day's new passages that answer
    it, as the bot judges them), to try a subject before following it."""
    s = _settings(ctx, db=db, state_db=state_db)
    if subject:
        from index import follow

        from .console import matches_text

        text = " ".join(subject)
        index = _open_index(s.db, s.corpus)
        with index.connected() as conn:
            matches = follow.would_send(conn, text, index.aliases.current())
        click.echo(matches_text(text, matches, color=sys.stdout.isatty()))
        return
    if not s.state_db.exists():
        click.echo(f"No chat follows anything yet (no state file at {s.state_db}).")
        return
    from .state import State, follows

    state = State(s.state_db)
    try:
        items = follows(state)
    finally:
        state.close()
    if not items:
        click.echo("No chat follows anything yet.")
    for item in items:
        sent = f"{item.sent} passage{'s' if item.sent != 1 else ''} sent"
        topic = f" topic {item.thread_id}" if item.thread_id is not None else ""
        click.echo(f"chat {item.chat_id:<16}{topic} {item.subject} ({sent})")


@main.command("stats")
@_db_option
@click.pass_context
def stats_command(ctx, db):
    """What the index holds."""
    s = _settings(ctx, db=db)
    st = _open_index(s.db).stats()
    click.echo(f"index        {s.db} ({st.size_bytes / 1_000_000:.1f} MB)")
    click.echo(f"documents    {st.documents} ({st.undated} undated)")
    click.echo(f"passages     {st.passages}")
    click.echo(f"terms        {st.terms}")
    click.echo(f"dates        {_date_range(st)}")
    click.echo(f"last reindex {st.last_reindex or 'never'}: {st.last_summary or ''}")
    if st.failures:
        click.echo(f"failed       {len(st.failures)} file(s) could not be read:")
    for path, reason in st.failures:
        click.echo(f"  {path}: {reason}")


@main.command("feedback")
@click.option(
    "--days",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="The questions of the last DAYS days.",
)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="From this day (UTC) on.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Up to this day (UTC), included.")
@click.option(
    "--export",
    "export_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write them to FILE as benchmark questions (questions.jsonl layout).",
)
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="Listed.")
@click.option(
    "--state", "state_db", type=click.Path(dir_okay=False, path_type=Path), help="State file."
)
@_db_option
@click.pass_context
def feedback_command(ctx, days, since, until, export_path, limit, state_db, db):
    """What people made of the answers: those voted down, the questions nothing answered
    (most asked first, near-duplicates together) and the share of answers voted up."""
    from . import feedback  # the bot's state file and sqlite-utils: only here

    s = _settings(ctx, state_db=state_db, db=db)
    if not s.state_db.exists():
        raise click.ClickException(
            f"there is no state file at {s.state_db}; the bot writes it once it runs"
            " (pass --state or set BRIEFBOT_STATE_DB)"
        )
    end = (until + dt.timedelta(days=1)).replace(tzinfo=dt.UTC).timestamp() if until else None
    start = since.replace(tzinfo=dt.UTC).timestamp() if since else None
    with feedback.opened(s.state_db, s.db if s.db.exists() else None) as (state, text):
        rep = feedback.report_for(state, start, end, days)
        click.echo(feedback.text_report(rep, limit, text))
        if export_path is not None:
            written = feedback.export(state, rep, export_path, text)
            click.echo(
                f"\nWrote {len(written)} questions to {export_path}, their gold empty: mark the"
                " passages that answer each by hand (README, 'Feedback')."
            )


@main.command("run")
@_corpus_option
@_db_option
@click.pass_context
def run_command(ctx, corpus, db):
    """Serve the bot on Telegram; without a token, chat in the console instead."""
    s = _settings(ctx, corpus=corpus, db=db)
    if not s.db.exists() and s.corpus.is_dir():  # first run: build the index from the corpus
        from index import reindex

        click.echo(f"No index at {s.db} yet; indexing {s.corpus} first.", err=True)
        click.echo(reindex(s.corpus, s.db).summary(), err=True)
    if s.telegram_bot_token is None:
        index = _open_index(s.db, s.corpus)
        click.echo(
            "No Telegram token is set, so here is the console chat on the same answers.\n"
            "To serve on Telegram, create a bot with @BotFather and put its token in .env:\n"
            "  TELEGRAM_BOT_TOKEN=123456:ABC...\n"
        )
        _chat(index, s.results, s.timezone)
        return
    # The answering processes first, forked before this process opens the index or imports
    # Telegram's libraries: they read the index while the bot starts (`answering.fork_early`).
    from index import ALIASES_FILE

    from . import answering

    aliases = s.corpus / ALIASES_FILE
    pool = None
    if s.db.exists():
        pool = answering.fork_early(s.db, aliases, s.search_processes)
    try:
        index = _open_index(s.db, s.corpus)
        from .app import TokenRejected, run_bot

        try:
            run_bot(s, index, answering_pool=pool)
        except TokenRejected as exc:
            raise click.ClickException(str(exc)) from None
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


if __name__ == "__main__":  # pragma: no cover
    main()
