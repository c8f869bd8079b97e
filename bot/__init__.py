"""briefbot's application: settings, the `briefbot` command and the Telegram bot."""
