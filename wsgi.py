"""Entry point for `flask --app wsgi` and gunicorn (`gunicorn wsgi:app`)."""
from catalog import create_app

app = create_app()
