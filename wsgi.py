"""Entry point for `flask --app wsgi` and gunicorn (`gunicorn wsgi:app`)."""
import gc

from catalog import create_app

app = create_app()
# Everything loaded at boot lives as long as the process: keep it out of the collector's full
# passes, which otherwise stall a request now and then for 80-100 ms at national scale.
gc.freeze()
