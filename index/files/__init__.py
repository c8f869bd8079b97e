"""Briefing files into passages: reading each format, finding sentences, cutting passages."""
