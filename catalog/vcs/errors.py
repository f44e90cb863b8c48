"""Errors raised by the git layer, each with a message in Bahasa Indonesia for users."""
from __future__ import annotations

from ..vocab import N_


class VcsError(Exception):
    """Base of every git-layer error; `.message` is safe to show to a user."""

    message_id = "vcs_error"
    default_message = N_("Operasi repositori gagal.")

    def __init__(self, message: str | None = None, *, detail: str = "") -> None:
        self.message = message or self.default_message
        # Detail is for logs (git stderr, command); never shown to users verbatim.
        self.detail = detail
        super().__init__(self.message if not detail else f"{self.message} ({detail})")


class GitTimeout(VcsError):
    """A git command ran past its wall-clock limit and was killed with its process group."""

    message_id = "timeout"
    default_message = N_("Operasi repositori melewati batas waktu dan dihentikan.")


class GitCommandError(VcsError):
    """git exited non-zero; `.stderr` holds the trimmed error output."""

    message_id = "git_failed"
    default_message = N_("Perintah git gagal dijalankan.")

    def __init__(self, message: str | None = None, *, args: tuple[str, ...] = (),
                 returncode: int = 1, stderr: str = "") -> None:
        self.args_run = args
        self.returncode = returncode
        self.stderr = stderr
        super().__init__(message, detail=f"exit {returncode}: {stderr}")


class UnsafeRemote(VcsError):
    """A remote URL was refused; `.message_id` says why, the message never echoes secrets."""

    default_message = N_("Alamat repositori tidak diizinkan.")

    def __init__(self, message_id: str, message: str | None = None) -> None:
        self.message_id = message_id
        super().__init__(message)


class RevisionNotFound(VcsError):
    """A revision, ref or path does not exist (or is not a valid name)."""

    message_id = "revision_not_found"
    default_message = N_("Revisi tidak ditemukan di repositori.")


class SizeLimitExceeded(VcsError):
    """A repository, transfer or output grew past the configured cap."""

    message_id = "size_limit"
    default_message = N_("Ukuran repositori melebihi batas yang diizinkan.")


class InvalidBundle(VcsError):
    """A bundle file failed `git bundle verify` or could not be imported."""

    message_id = "invalid_bundle"
    default_message = N_("Berkas bundle git tidak valid atau tidak lengkap.")


class RefChanged(VcsError):
    """A ref moved between reading and updating it (compare-and-swap lost); retry."""

    message_id = "ref_changed"
    default_message = N_("Cabang berubah saat diperbarui; silakan coba lagi.")
