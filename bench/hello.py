"""The ceiling: a one-line Flask app, served by the same gunicorn settings as the portal in the same run, so a page's
throughput can be read as a share of what this machine and stack can do at all."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
