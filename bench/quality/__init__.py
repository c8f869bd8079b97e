"""Answer quality on public question sets: `python -m bench.quality.<figure>`."""
