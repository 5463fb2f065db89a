"""The comparison for an import into a store that keeps a text index: sqlite-utils inserting
a JSON Lines file, then enabling an FTS5 trigram table of its titles and bodies (populated
from the rows, kept by triggers), as one process.

    python bench/sqlite_fts_import.py DATABASE TABLE FILE
"""

import sys

from sqlite_utils.cli import cli

database, table, path = sys.argv[1:4]
cli.main(["insert", database, table, path, "--nl"], standalone_mode=False)
cli.main(["enable-fts", database, table, "title", "body", "--tokenize", "trigram", "--create-triggers"],
         standalone_mode=False)
