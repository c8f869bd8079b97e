"""Every setting is documented in .env.example, under the name people will set."""

from pathlib import Path

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _env_names(field_name, field) -> set[str]:
    alias = field.validation_alias
    if alias is not None:
        return {str(c) for c in alias.choices}
    return {"BRIEFBOT_" + field_name.upper()}


def test_every_setting_is_in_env_example():
    documented = {
        line.split("=", 1)[0].strip()
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    for name, field in Settings.model_fields.items():
        assert _env_names(name, field) & documented, f"{name} is missing from .env.example"


def test_every_documented_line_has_a_comment_above_it():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            assert lines[i - 1].startswith("#"), f"{line} has no comment"


def test_telegram_names_and_id_lists(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("ALLOWED_CHAT_IDS", "1, -100200")
    s = Settings(_env_file=None)
    assert s.telegram_bot_token.get_secret_value() == "123:abc"
    assert s.telegram_base_url == "http://127.0.0.1:9/bot"
    assert s.allowed_chat_ids == {1, -100200}
    assert "123:abc" not in repr(s)
