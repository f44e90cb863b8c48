"""The password rule: at least 12 characters, and not common, breached or made of the person's own details."""
from __future__ import annotations

import pytest

from catalog.services.accounts import password_policy


@pytest.mark.parametrize("password", ["Password12345", "qwertyuiop12", "123456789012", "aaaaaaaaaaaa",
                                      "indonesia2024", "bismillah123", "P@ssw0rd2026!"])
def test_common_and_guessable_passwords_are_refused(app, password):
    assert "terlalu umum" in password_policy.problem(password)


def test_short_passwords_are_refused(app):
    assert "minimal 12" in password_policy.problem("Xk9#mQ2!vL7")


def test_the_persons_own_details_do_not_make_a_password(app):
    assert password_policy.problem("budisantoso2026", personal=("budi.santoso@bintankab.go.id", "Budi Santoso"))


@pytest.mark.parametrize("password", ["kata-sandi-uji-123", "bintan-laut-biru-2026", "kopi tanjung uban pagi"])
def test_passphrases_pass(app, password):
    assert password_policy.problem(password) is None


def test_a_very_long_password_is_refused_without_checking(app):
    assert "paling panjang" in password_policy.problem("x" * 300)
