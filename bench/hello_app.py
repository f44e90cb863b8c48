"""The reference for request overhead: a bare Flask app served with the same gunicorn settings."""
from flask import Flask

app = Flask(__name__)


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def hello(path: str) -> str:
    return "hello"
