"""Issue 18, item 1: every node's search index follows the change log on one shared database.

Two "nodes" are two apps on the test's database, each with its own index directory and node id;
the services' inline apply is held back, so only the followers the test runs touch an index.
"""
from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from catalog import create_app
from catalog.extensions import db
from catalog.models import App, IndexChange, IndexChangePruned, IndexNode
from catalog.models.data_version import data_version
from catalog.models.index_position import read_position
from catalog.models.types import utcnow
from catalog.services import fsck
from catalog.services.catalog import apps, index_follower, indexing
from catalog.services.catalog.index_documents import backend
from catalog.services.tx import write
from tests.conftest import close_app
from tests.factories import app_payload


@pytest.fixture
def nodes(app, tmp_path, monkeypatch):
    """node("a") -> that node's Flask app (made once): same database, own index and node id."""
    monkeypatch.setattr(indexing, "apply_soon", lambda: None)
    made = {}

    def node(name: str, **config):
        if name not in made:
            made[name] = create_app({**app.config, "SEARCH_INDEX_DIR": str(tmp_path / f"index-{name}"),
                                     "NODE_ID": f"node-{name}", "INDEX_REPORT_SECONDS": 0, **config})
        return made[name]

    yield node
    for node_app in made.values():
        with node_app.app_context():
            close_app(node_app)


@pytest.fixture
def people(make_user):
    return make_user("publisher", "21"), make_user("admin", "komdigi")


def _publish(people, slug: str, name: str | None = None) -> int:
    publisher, admin = people
    apps.create_app(app_payload(name=name or f"Aplikasi {slug}", slug=slug), actor=publisher)
    apps.submit_app(slug, actor=publisher)
    return apps.publish_app(slug, actor=admin).id


def follow(node_app):
    with node_app.app_context():
        try:
            return index_follower.catch_up()
        finally:
            db.session.remove()


def indexed(node_app) -> set[int]:
    with node_app.app_context():
        return set(backend().all_ids())


def _log_ids() -> list[int]:
    db.session.rollback()
    return db.session.execute(db.select(IndexChange.id).order_by(IndexChange.id)).scalars().all()


def test_a_publish_is_seen_by_both_nodes_after_each_follower_runs(app, nodes, people):
    a, b = nodes("a"), nodes("b")
    first = _publish(people, "srikandi", "Srikandi")
    assert "no position file" in follow(a).rebuilt and "no position file" in follow(b).rebuilt
    assert indexed(a) == indexed(b) == {first}
    second = _publish(people, "simpeg", "SIMPEG")
    assert indexed(a) == {first}  # nothing reaches an index but through its follower
    assert follow(a).apps == 1
    assert indexed(a) == {first, second} and indexed(b) == {first}
    assert follow(b).apps == 1 and indexed(b) == {first, second}
    with b.app_context():
        assert backend().matching_ids("simpeg") == [second]
    assert follow(a).changes == 0  # applied once


def test_an_archived_app_leaves_every_nodes_index(app, nodes, people):
    a, b = nodes("a"), nodes("b")
    kept, gone = _publish(people, "srikandi"), _publish(people, "simpeg")
    follow(a), follow(b)
    apps.archive_app("simpeg", actor=people[1])
    follow(a), follow(b)
    assert indexed(a) == indexed(b) == {kept}
    assert gone not in indexed(b)


def test_a_change_committed_while_a_new_node_builds_is_applied_after(app, nodes, people, monkeypatch):
    """The build reads the log's head first, then the rows: a publish committed after the rows
    were read has a newer id, which the node applies on its next pass."""
    a = nodes("a")
    first = _publish(people, "srikandi")
    publisher, _admin = people
    apps.create_app(app_payload(name="SIMPEG", slug="simpeg"), actor=publisher)
    apps.submit_app("simpeg", actor=publisher)
    late = db.session.execute(db.select(App.id).where(App.slug == "simpeg")).scalar_one()
    db.session.rollback()
    read_rows = index_follower.published_documents

    def rows_then_a_publish_elsewhere():
        docs = list(read_rows())
        with a.app_context():
            with db.engine.begin() as other:  # another node's request, on a connection of its own
                other.execute(db.update(App).where(App.id == late).values(state="published"))
                other.execute(db.insert(IndexChange).values(app_id=late, queued_at=utcnow()))
        return docs

    monkeypatch.setattr(index_follower, "published_documents", rows_then_a_publish_elsewhere)
    with a.app_context():
        built = index_follower.follow_once()
        assert built.rebuilt and set(backend().all_ids()) == {first}
        db.session.remove()
    assert follow(a).apps == 1 and indexed(a) == {first, late}


def test_a_node_that_was_down_catches_up_without_rebuilding(app, nodes, people):
    a, b = nodes("a"), nodes("b")
    follow(a), follow(b)
    published = {_publish(people, f"aplikasi-{i}") for i in range(4)}
    follow(a)
    result = follow(b)  # back from a reboot: the same position file, the log still holds its changes
    assert result.rebuilt is None and result.apps == 4
    assert indexed(b) == published == indexed(a)


def test_pruning_waits_for_the_slowest_live_node(app, nodes, people):
    a, b = nodes("a"), nodes("b")
    _publish(people, "srikandi")
    follow(a), follow(b)
    behind_b = _publish(people, "simpeg")
    follow(a)
    with a.app_context():
        b_applied = db.session.get(IndexNode, "node-b").applied_id
        index_follower.prune()
        db.session.remove()
    assert _log_ids() and min(_log_ids()) > b_applied  # only what b has applied went
    follow(b)
    assert behind_b in indexed(b)
    with a.app_context():
        assert index_follower.prune() > 0
        db.session.remove()
    assert _log_ids() == []  # both past everything
    assert db.session.get(IndexChangePruned, 1).through_id > b_applied


def test_a_node_away_too_long_stops_holding_the_log_and_rebuilds(app, nodes, people):
    a, b = nodes("a"), nodes("b")
    first = _publish(people, "srikandi")
    follow(a), follow(b)
    with write():
        db.session.get(IndexNode, "node-b").last_seen_at = utcnow() - timedelta(days=8)
    apps.archive_app("srikandi", actor=people[1])
    later = _publish(people, "simpeg")
    follow(a)
    with a.app_context():
        assert index_follower.prune() > 0  # b, away 8 days (> 7), no longer counts
        db.session.remove()
    result = follow(b)
    assert "pruned" in result.rebuilt
    assert indexed(b) == {later} and first not in indexed(b)
    assert follow(b).rebuilt is None  # and then follows as usual


def test_a_deleted_index_directory_is_rebuilt(app, nodes, people):
    a = nodes("a")
    first = _publish(people, "srikandi")
    follow(a)
    shutil.rmtree(a.config["SEARCH_INDEX_DIR"])
    second = _publish(people, "simpeg")
    result = follow(a)
    assert "no position file" in result.rebuilt
    assert indexed(a) == {first, second}
    assert read_position(a.config["SEARCH_INDEX_DIR"]).high == max(_log_ids())


def test_an_index_emptied_under_its_position_is_rebuilt(app, nodes, people):
    a = nodes("a")
    first = _publish(people, "srikandi")
    follow(a)
    with a.app_context():
        backend().rebuild([])  # e.g. a schema change made it afresh; the position file stayed
    assert "empty" in follow(a).rebuilt and indexed(a) == {first}


def test_an_id_that_never_commits_is_waited_for_then_given_up(app, nodes, people):
    """A rolled back transaction leaves an id unused: the node looks for it for the grace time,
    holding its reported position (and so pruning) just below it, then moves on."""
    a = nodes("a", INDEX_GAP_GRACE_SECONDS=0)
    app_id = _publish(people, "srikandi")
    follow(a)
    with write():
        for _ in range(3):
            indexing.mark_dirty(app_id)
    missing = _log_ids()[-2]
    with write():
        db.session.execute(db.delete(IndexChange).where(IndexChange.id == missing))  # as if rolled back
    with a.app_context():
        first = index_follower.follow_once().position
        assert first.gaps.keys() == {missing} and first.applied == missing - 1
        assert db.session.get(IndexNode, "node-a").applied_id == missing - 1  # pruning keeps it
        assert index_follower.follow_once().position.applied == max(_log_ids())  # grace 0: given up
        db.session.remove()


@pytest.mark.skipif(not (app_url := __import__("os").environ.get("CATALOG_TEST_DATABASE_URL", "")).startswith(
    "postgresql"), reason="ids committing out of order need concurrent writers on PostgreSQL")
def test_a_change_committed_after_a_later_id_is_not_skipped(app, nodes, people):
    """PostgreSQL hands out ids at INSERT: the transaction holding the lower id commits last."""
    a = nodes("a")
    slow_app, quick_app = _publish(people, "srikandi"), _publish(people, "simpeg")
    follow(a)
    with a.app_context():
        engine = db.engine
        slow = engine.connect()
        try:
            slow_tx = slow.begin()
            slow.execute(db.update(App).where(App.id == slow_app).values(name="Srikandi Arsip Nasional"))
            slow.execute(db.insert(IndexChange).values(app_id=slow_app, queued_at=utcnow()))
            with engine.begin() as quick:
                quick.execute(db.update(App).where(App.id == quick_app).values(name="SIMPEG Kepegawaian"))
                quick.execute(db.insert(IndexChange).values(app_id=quick_app, queued_at=utcnow()))
            db.session.remove()
            first = index_follower.catch_up()
            assert first.apps == 1 and len(first.position.gaps) == 1  # the quick one; the slow id awaited
            assert backend().matching_ids("kepegawaian") == [quick_app]
            assert backend().matching_ids("nasional") == []
            slow_tx.commit()
        finally:
            slow.close()
        db.session.remove()
        second = index_follower.catch_up()
        assert second.apps == 1 and second.position.gaps == {}
        assert backend().matching_ids("nasional") == [slow_app]
        db.session.remove()


def test_the_data_version_moves_when_this_nodes_index_applies(app, nodes, people):
    a, b = nodes("a"), nodes("b")
    _publish(people, "srikandi")
    follow(a), follow(b)

    def version(node_app):
        with node_app.app_context():
            try:
                return data_version(db.session)
            finally:
                db.session.remove()

    before_a, before_b = version(a), version(b)
    with write():  # a change of the index alone: no audit event
        indexing.mark_dirty(db.session.execute(db.select(App.id)).scalar_one())
    assert version(a) == before_a  # nothing applied on a yet
    follow(a)
    after_a = version(a)
    assert after_a != before_a and after_a[0] == before_a[0]
    assert version(b) == before_b  # b's index has not moved: b's pages stay as they are
    follow(b)
    assert version(b) != before_b


def test_fsck_reports_each_nodes_lag(app, nodes, people):
    a, b = nodes("a"), nodes("b")
    _publish(people, "srikandi")
    follow(a), follow(b)
    _publish(people, "simpeg")
    follow(a)
    with a.app_context():
        report = fsck.check()
        db.session.remove()
    assert not [p for p in report.problems if p.startswith("search index")]  # a is up to date
    lags = {line.split(":")[0]: line for line in report.notes}
    assert "0 changes behind" in lags["search index of node node-a"]
    assert "0 changes behind" not in lags["search index of node node-b"]
    with b.app_context():
        problems = [p for p in fsck.check().problems if p.startswith("search index")]
        db.session.remove()
    assert problems and "changes not applied on this node" in problems[0]


def test_a_reader_from_before_the_index_moved_does_not_bring_the_old_version_back():
    from time import monotonic

    from catalog.models.data_version import STALE_READER_GRACE, is_newer

    current = (5, 12, 2_000)
    assert is_newer((5, 13, 3_000), current, monotonic())  # this node's index applied a change
    assert is_newer((6, 12, 2_000), current, monotonic())  # a committed change
    assert not is_newer((5, 11, 1_000), current, monotonic())  # read just before the follower wrote
    assert is_newer((5, 11, 1_000), current, monotonic() - STALE_READER_GRACE - 1)  # still seen: adopted


def test_one_process_at_a_time_applies_to_an_index(app, nodes, people):
    """The worker's job and the node's follower loop share an index: the second one waits, then
    leaves the changes to the one holding it."""
    a = nodes("a")
    _publish(people, "srikandi")
    with a.app_context():
        with index_follower.index_lock():
            with pytest.raises(index_follower.FollowerBusy):
                index_follower.follow_once(wait=0.1)
            assert read_position(a.config["SEARCH_INDEX_DIR"]) is None  # nothing written meanwhile
        assert index_follower.follow_once(wait=0.1).rebuilt  # free again
        db.session.remove()
