"""Speed of briefbot's `search` against the usual ways of doing BM25 in Python.

One command: `python -m bench.speed --sizes 10000,100000,1000000 --corpus synthetic,newswire`.
See `bench/speed/__main__.py` for what it measures and `docs/benchmarks.md` ("Speed").
"""
