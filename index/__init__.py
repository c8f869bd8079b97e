"""briefbot's answer pipeline: corpus files to ranked, quoted passages, with no Telegram in it."""
