"""The indicator SQL (DuckDB, one ``*.sql`` file per indicator family), shipped as package data.

The ``__init__`` makes the folder an importable package so that the files are found the same way
in a clone, an editable install and an installed wheel (``engine.sql.SQL_DIR``); the SQL itself
is only read, never imported.
"""
