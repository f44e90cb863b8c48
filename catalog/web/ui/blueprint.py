"""The ui blueprint, apart from its views so that they can import it without a cycle, and what
its views share."""
from flask import Blueprint, request

bp = Blueprint("ui", __name__)
MAX_PAGE = 10**6  # the range the API allows for its page parameter (api/common.int_arg)


def page_arg(name: str = "page") -> int:
    """The page a list was asked for: 1 for anything that is not a page number, and never past
    MAX_PAGE (a longer number overflowed the database's integer: a 500)."""
    try:
        return max(1, min(int(request.args.get(name, 1)), MAX_PAGE))
    except ValueError:
        return 1
