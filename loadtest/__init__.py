"""Load test: the real stack (gunicorn gthread workers, the job worker, PostgreSQL or SQLite) driven
by concurrent virtual users over loopback; every acknowledged write is checked afterwards.

Run `python -m loadtest.run --help` (or `make loadtest`). Not part of `make test`.
"""
