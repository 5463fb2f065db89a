"""Readers for input files: JSONL/JSON, CSV (Chinese headers, GB18030) and scraped pages."""
