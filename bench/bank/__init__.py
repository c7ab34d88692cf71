"""Importing a bank statement of many entries: `python -m bench.bank [--db postgresql]`.

One CAMT.053 file of `--entries` lines (default 10 000), imported by
`governance.ledger.bank.statement_import.import_statement` into a cooperative with open
invoices, against a **bare parse of the same file in the same run**: lxml reading the file and
every entry's amount and reference, no check, no database. Goal: the import takes at most 5×
the bare parse. Also printed: the app's own reader (`read_statements`, with its checks) alone,
and a second import of the same file (nothing recorded).

The file's lines: 30 % client payments carrying an open invoice's structured communication
(each one a payment, allocations, a journal entry and its audit events), 30 % credits without
communication (proposals ranked over every open invoice), 30 % debits to suppliers (proposed
as costs), 10 % bank fees.
"""
