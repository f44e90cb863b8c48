"""Pure vocabularies (categories, statuses, hosting, slugs): everyone may import them; they
import nothing of ours, so they sit at the bottom of the layers."""
from __future__ import annotations


def N_(text: str) -> str:
    """Marks a label for the translation catalog; pages translate it when shown, data keeps Indonesian."""
    return text
