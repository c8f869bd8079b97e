"""`briefbot`: the bot, a console chat, one-shot questions, reindexing and statistics.

Each command is one library call; what the library raises becomes a message that says what
to do. Every option falls back to the settings (environment and `.env`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from index.answer import Index
from index.reindex import ReindexBusy, Report, corpus_files, reindex
from index.store import IndexMissing

from .console import render_text, to_json
from .settings import Settings

_db_option = click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), help="Index file."
)
_corpus_option = click.option(
    "--corpus", type=click.Path(file_okay=False, path_type=Path), help="Corpus folder."
)


def _settings(ctx: click.Context, **overrides) -> Settings:
    settings: Settings = ctx.obj
    values = {k: v for k, v in overrides.items() if v is not None}
    return settings.model_copy(update=values) if values else settings


def _open_index(path: Path) -> Index:
    index = Index(path)
    try:
        index.connection()
    except IndexMissing as exc:
        raise click.ClickException(str(exc)) from None
    return index


@click.group()
@click.version_option(package_name="briefbot")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Answer questions over dated briefings by quoting the passages that answer them."""
    try:
        ctx.obj = Settings()
    except ValueError as exc:
        raise click.ClickException(f"a setting is invalid:\n{exc}") from None


@main.command("reindex")
@_corpus_option
@_db_option
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--wait", type=float, default=0.0, help="Seconds to wait for another reindex.")
@click.option("-q", "--quiet", is_flag=True, help="Only the summary and failures.")
@click.pass_context
def reindex_command(ctx, corpus, db, dry_run, wait, quiet):
    """Bring the index in line with the corpus folder: add, replace and remove briefings."""
    s = _settings(ctx, corpus=corpus, db=db)
    if not s.corpus.is_dir():
        raise click.ClickException(
            f"the corpus folder {s.corpus} does not exist; pass --corpus or set BRIEFBOT_CORPUS"
        )
    show_bar = sys.stderr.isatty() and not quiet
    try:
        if show_bar:
            total = sum(1 for _ in corpus_files(s.corpus))
            with click.progressbar(length=total, label="Indexing", file=sys.stderr) as bar:
                report = reindex(
                    s.corpus, s.db, dry_run=dry_run, wait=wait, progress=lambda _path: bar.update(1)
                )
        else:
            report = reindex(s.corpus, s.db, dry_run=dry_run, wait=wait)
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
            note = f" ({f.passages} passages)" if f.passages else ""
            if f.undated:
                note += " — undated: no date in the file or its name"
            click.echo(f"{f.status:<9} {f.path}{note}")
        for w in f.warnings:
            click.echo(f"warning   {f.path}: {w}", err=True)
    click.echo(report.summary())


@main.command("ask")
@click.argument("question")
@click.option("-k", "results", type=click.IntRange(1, 100), help="How many passages.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
@_db_option
@click.pass_context
def ask_command(ctx, question, results, as_json, db):
    """Answer QUESTION from the index; `-` reads one question per line from standard input."""
    s = _settings(ctx, db=db)
    k = results or s.results
    index = _open_index(s.db)
    questions = (line.rstrip("\n") for line in sys.stdin) if question == "-" else [question]
    color = sys.stdout.isatty()
    for q in questions:
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
    index = _open_index(s.db)
    _chat(index, s.results)


def _chat(index: Index, k: int) -> None:
    stats = index.stats()
    click.echo(
        f"briefbot knows {stats.documents} briefing(s), {_date_range(stats)}. "
        "Ask a question; an empty line or Ctrl-D ends."
    )
    color = sys.stdout.isatty()
    while True:
        try:
            question = input("? ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not question.strip():
            return
        click.echo(render_text(index.answer(question, k=k), color=color))


def _date_range(stats) -> str:
    if stats.first_date is None:
        return "none of them dated"
    if stats.first_date == stats.last_date:
        return f"dated {stats.first_date}"
    return f"dated {stats.first_date} to {stats.last_date}"


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
    for path, reason in st.failures:
        click.echo(f"failed       {path}: {reason}")


@main.command("run")
@_corpus_option
@_db_option
@click.pass_context
def run_command(ctx, corpus, db):
    """Serve the bot on Telegram; without a token, chat in the console instead."""
    s = _settings(ctx, corpus=corpus, db=db)
    index = _open_index(s.db)
    if s.telegram_bot_token is None:
        click.echo(
            "No Telegram token is set, so here is the console chat on the same answers.\n"
            "To serve on Telegram, create a bot with @BotFather and put its token in .env:\n"
            "  TELEGRAM_BOT_TOKEN=123456:ABC...\n"
        )
        _chat(index, s.results)
        return
    from .app import run_bot

    run_bot(s, index)


if __name__ == "__main__":  # pragma: no cover
    main()
