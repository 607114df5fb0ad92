"""Importing bank files: parsing (CSV, OFX, QFX, QIF), payee cleaning and duplicate matching.

The parsing core is pure code: `parsing.parse_file` reads bytes or a seekable binary file and
returns rows in file order; `payees` turns bank noise into a payee; `dedupe` decides which rows
an account already has. The API, database and worker layers call these."""
