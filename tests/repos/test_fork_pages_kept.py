"""A fork's page and its diffs kept per session (web/session_pages.py), through real requests: the
divergence refresh rewrites what they show with no audit event, and the next view shows it."""
from __future__ import annotations

from catalog.extensions import db
from catalog.models.data_version import data_version
from catalog.services import repo_paths
from catalog.services.repos import refresh
from tests.repos.gitclient import git


def _hit(response) -> bool:
    return response.headers.get("X-Page-Cache") == "hit"


def _commit_behind_the_catalogs_back(fork, tmp_path, path: str, text: str) -> None:
    """A new commit on the fork's branch with no hook run and no audit event: the state between
    a push and the refresh job that follows it."""
    bare = repo_paths.absolute(fork.relpath)
    work = tmp_path / "langsung"
    if not work.exists():
        git("clone", "-q", str(bare), str(work))
    git("pull", "-q", "origin", fork.default_branch, cwd=work)
    (work / path).write_text(text)
    git("add", path, cwd=work)
    git("commit", "-qm", f"Ubah {path}", cwd=work)
    git("--git-dir", str(bare), "fetch", "-q", str(work), f"+{fork.default_branch}:{fork.default_branch}")


def _refresh_as_the_job_does(fork) -> None:
    before = data_version(db.session)
    refresh.refresh_batch([fork.id], details="now")
    db.session.commit()
    assert data_version(db.session) == before  # no audit event: only the fork's stamp moved


def test_a_kept_fork_page_follows_the_divergence_refresh(fork, adopter, login, client, tmp_path):
    login(adopter)
    client.get("/")  # the first page after sign-in writes "last seen" and sends a new cookie
    page = f"/forks/{fork.id}"
    first, second = client.get(page), client.get(page)
    assert not _hit(first) and _hit(second) and second.get_data() == first.get_data()
    assert '<li id="stat-ahead"><strong>0</strong>' in second.get_data(as_text=True)

    _commit_behind_the_catalogs_back(fork, tmp_path, "CATATAN-DAERAH.md", "Kota Tanjung Pinang\n")
    assert _hit(client.get(page))  # the page shows the stored heads, which did not move yet
    _refresh_as_the_job_does(fork)
    after = client.get(page)
    assert not _hit(after)
    assert '<li id="stat-ahead"><strong>1</strong>' in after.get_data(as_text=True)
    assert _hit(client.get(page))


def test_a_kept_diff_follows_the_divergence_refresh(fork, adopter, login, client, tmp_path):
    _commit_behind_the_catalogs_back(fork, tmp_path, "CATATAN-DAERAH.md", "versi pertama\n")
    _refresh_as_the_job_does(fork)
    login(adopter)
    client.get("/")
    diff = f"/forks/{fork.id}/diff?path=CATATAN-DAERAH.md"
    first, second = client.get(diff), client.get(diff)
    assert first.status_code == 200 and not _hit(first) and _hit(second)
    assert "versi pertama" in second.get_data(as_text=True)

    _commit_behind_the_catalogs_back(fork, tmp_path, "CATATAN-DAERAH.md", "versi kedua\n")
    _refresh_as_the_job_does(fork)
    after = client.get(diff)
    assert not _hit(after) and "versi kedua" in after.get_data(as_text=True)


def test_another_forks_refresh_leaves_a_kept_page_kept(fork, published_app, make_user, adopter, login, client,
                                                       tmp_path):
    from catalog.services.repos import forks
    other = forks.create_fork("simanja", actor=make_user("adopter", "21.71"))
    login(adopter)
    client.get("/")
    page = f"/forks/{fork.id}"
    client.get(page)
    assert _hit(client.get(page))
    _commit_behind_the_catalogs_back(other, tmp_path, "CATATAN-DAERAH.md", "Kota Batam\n")
    _refresh_as_the_job_does(other)
    assert _hit(client.get(page))


def test_a_diff_between_two_commits_is_computed_once_per_process(fork, client, tmp_path, monkeypatch):
    from catalog import vcs
    _commit_behind_the_catalogs_back(fork, tmp_path, "CATATAN-DAERAH.md", "versi pertama\n")
    _refresh_as_the_job_does(fork)
    calls, real = [], vcs.file_diff
    monkeypatch.setattr(vcs, "file_diff", lambda *a, **k: calls.append(a[1:]) or real(*a, **k))
    diff = f"/forks/{fork.id}/diff?path=CATATAN-DAERAH.md"
    pages = [client.get(diff).get_data(as_text=True) for _ in range(3)]  # a visitor: no page kept
    assert len(calls) == 1 and pages[0] == pages[2] and "versi pertama" in pages[0]
    _commit_behind_the_catalogs_back(fork, tmp_path, "CATATAN-DAERAH.md", "versi kedua\n")
    _refresh_as_the_job_does(fork)
    assert "versi kedua" in client.get(diff).get_data(as_text=True) and len(calls) == 2
