"""The index file: its tables, writing and reindexing, BM25 over FTS5 and the postings, the
index's own words, and browsing what it holds."""
