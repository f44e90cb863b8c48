"""What a new password must be: at least 12 characters, and not common, breached or guessable.

The check is zxcvbn (PyPI `zxcvbn`, maintained, offline): it matches the password against the
30,000 most common passwords of real breaches (with l33t, reversed and keyboard variants),
common words and names, dates, sequences and repeats, and estimates the guesses an attacker
needs; fewer than 10^8 (its score below 3) is refused. A plain list would pass "Password12345"
or "qwertyuiop12"; zxcvbn does not. Its dictionaries are English, so the person's own e-mail and
name, the catalog's name and common Indonesian password words are added to them.
"""
from __future__ import annotations

import threading

from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; this bounds the work an anonymous form can ask for
MIN_SCORE = 3
CHECKED_PREFIX = 72  # zxcvbn's own limit; a longer password is judged by its first 72 characters
INDONESIAN_WORDS = (
    "katasandi", "kata sandi", "sandi", "rahasia", "indonesia", "jakarta", "bandung", "surabaya",
    "merdeka", "garuda", "pancasila", "bismillah", "alhamdulillah", "sayang", "sayangku", "cinta",
    "rindu", "selamat", "masuk", "admin", "pemda", "diskominfo", "kominfo", "pemkab", "pemkot",
    "katalog", "bagi pakai", "bagipakai", "spbe",
)
# zxcvbn keeps the user inputs in a module-level dictionary: one check at a time per process.
_LOCK = threading.Lock()


def problem(password: str, *, personal: tuple[str, ...] = ()) -> str | None:
    """Why `password` may not be used (Indonesian, translatable), or None. `personal`: the
    person's e-mail, name and the like, which must not make up the password."""
    if len(password) < MIN_LENGTH:
        return _("Kata sandi minimal %(n)s karakter.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Kata sandi paling panjang %(n)s karakter.", n=MAX_LENGTH)
    inputs = [*INDONESIAN_WORDS]
    for value in personal:
        value = (value or "").strip().lower()
        if value:
            words = value.replace("@", " ").replace(".", " ").replace("-", " ").replace("_", " ").split()
            inputs += [value, *words, "".join(words), "".join(value.split("@")[0].split("."))]
    from zxcvbn import zxcvbn  # 30,000-word lists: loaded at the first check, not at start-up

    with _LOCK:
        score = zxcvbn(password[:CHECKED_PREFIX], user_inputs=inputs)["score"]
    if score < MIN_SCORE:
        return _("Kata sandi ini terlalu umum atau mudah ditebak (misalnya kata umum, nama, tanggal, "
                 "urutan angka atau huruf keyboard, atau bagian dari e-mail Anda). Pakai beberapa kata "
                 "acak yang mudah Anda ingat.")
    return None
