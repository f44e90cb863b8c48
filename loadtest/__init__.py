"""Load test: the real stack (gunicorn gthread workers, the job worker, PostgreSQL or SQLite) driven
by concurrent virtual users over loopback — API users with tokens and browser users signed in
through the login form — with figures per request class, an optional saturation curve, and every
acknowledged write checked afterwards.

Run `python -m loadtest.run --help` (or `make loadtest`). Not part of `make test`.
"""
