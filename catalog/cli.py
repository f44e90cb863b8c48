"""`flask --app wsgi catalog ...`: seed, users and tokens, reindex, audit-verify, backup and restore."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .extensions import db
from .services.accounts import tokens, users
from .services.catalog import indexing
from .services.errors import ServiceError

catalog_cli = AppGroup("catalog", help="Katalog Bagi-Pakai commands.")


@catalog_cli.command("seed")
@click.option("--demo", is_flag=True, help="Also add demo apps (with local git repos) and demo users.")
def seed_command(demo: bool) -> None:
    """Idempotent: 38 provinces, 514 kab/kota, national agencies; --demo adds the demo catalog."""
    from seed.regions import seed_regions

    added = seed_regions()
    db.session.commit()
    click.echo(f"organizations added: {added}")
    if indexing.index_out_of_date():
        click.echo(f"search index rebuilt: {indexing.reindex_all()} published apps")
    if demo:
        from seed.demo import seed_apps, seed_forks, seed_users

        # Demo sources are local: mirror them now, inline, so that forks can follow.
        current_app.config["JOBS_IMMEDIATE"] = True
        new_users = seed_users()
        new_apps = seed_apps(Path(current_app.config["DATA_DIR"]) / "demo-sources")
        new_forks = seed_forks()
        from seed.demo_deployments import seed_demo_deployments

        deployed = seed_demo_deployments()
        click.echo(f"demo users added: {len(new_users)}; demo apps added: {len(new_apps)}; "
                   f"demo forks added: {len(new_forks)}; demo deployments added: {len(deployed.created)}")
        for reason in deployed.skipped:
            click.echo(f"demo deployment skipped: {reason}")


@catalog_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "org_code", required=True, help="Organization code, e.g. 21.72 or anri.")
@click.option("--role", required=True, type=click.Choice(users.ROLES))
def create_user_command(email: str, name: str, org_code: str, role: str) -> None:
    """Create an account; the password is read from stdin."""
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        user = users.create_user(email=email, name=name, org_code=org_code, role=role, password=password)
    except ServiceError as exc:
        raise click.ClickException(_describe(exc)) from exc
    click.echo(f"created user {user.email} ({user.role}, {user.organization.code})")


@catalog_cli.command("create-token")
@click.option("--email", required=True)
@click.option("--label", required=True)
@click.option("--scope", "scopes", multiple=True, type=click.Choice(tokens.SCOPES),
              help="git, read or write; repeatable. None given: all three (scripts written before scopes).")
@click.option("--days", default=tokens.DEFAULT_LIFETIME_DAYS, show_default=True,
              help=f"Days until the token expires (at most {tokens.MAX_LIFETIME_DAYS}).")
def create_token_command(email: str, label: str, scopes: tuple[str, ...], days: int) -> None:
    """Print a new personal access token once."""
    user = users.get_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    try:
        _row, plain = tokens.create_token(user, label=label, actor=user, scopes=scopes or None, lifetime_days=days)
    except ServiceError as exc:
        raise click.ClickException(_describe(exc)) from exc
    click.echo(plain)


@catalog_cli.command("password-login")
@click.argument("org_code")
@click.argument("state", type=click.Choice(["on", "off"]))
def password_login_command(org_code: str, state: str) -> None:
    """Allow (on) or refuse (off) password sign-in for one organization: off, its people sign in
    through single sign-on only (README, "Single sign-on and two-factor")."""
    from .services.accounts import single_sign_on

    try:
        org = single_sign_on.set_password_login(org_code, state == "on", actor=None)
    except ServiceError as exc:
        raise click.ClickException(_describe(exc)) from exc
    click.echo(f"{org.code} {org.name}: password sign-in {state}")


@catalog_cli.command("two-factor-reset")
@click.option("--email", required=True)
def two_factor_reset_command(email: str) -> None:
    """Remove a person's two-factor sign-in (phone and recovery codes lost): they enrol again."""
    from .services.accounts import two_factor

    user = users.get_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    two_factor.reset(user, actor=None)
    click.echo(f"{user.email}: two-factor removed")


@catalog_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the database."""
    click.echo(f"indexed {indexing.reindex_all()} published apps")


@catalog_cli.command("follow-index")
@click.option("--once", is_flag=True, help="Apply what the change log holds now, then exit (tests, cron).")
@click.option("--interval", default=0.5, show_default=True, help="Seconds between looks at the change log.")
@click.option("--idle-interval", default=1.0, show_default=True,
              help="Seconds between looks after a minute without changes.")
def follow_index_command(once: bool, interval: float, idle_interval: float) -> None:
    """Keep this node's search index (CATALOG_INDEX_DIR) following the change log; a new node,
    or one whose index is gone or too far behind, first rebuilds it from the database."""
    import signal

    from .services.catalog import index_follower

    node = current_app.config["NODE_ID"]
    if once:
        result = index_follower.catch_up()
        if result.rebuilt:
            click.echo(f"node {node}: index rebuilt from the database, since {result.rebuilt}")
        click.echo(f"node {node}: {result.changes} changes applied ({result.apps} apps), "
                   f"at change {result.position.high}")
        return
    stop = index_follower.StopFlag()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"node {node}: following the change log into {current_app.config['SEARCH_INDEX_DIR']}")
    index_follower.follow_until(stop, interval=interval, idle_interval=idle_interval)
    click.echo(f"node {node}: follower stopped")


@catalog_cli.command("audit-verify")
@click.option("--checkpoint", "checkpoint_file", type=click.File("r"), default=None,
              help="Also check that the chain still holds this exported checkpoint (JSON file).")
def audit_verify_command(checkpoint_file) -> None:
    """Exit 0 when the audit chain is intact, 1 naming the first bad event otherwise."""
    if checkpoint_file is not None:
        _verify_checkpoint_file(checkpoint_file)
        return
    from .services.oversight import checkpoints as audit_checkpoint

    report = audit_checkpoint.verify_full()
    if report.ok:
        click.echo(f"audit chain intact: {report.checked} events, head {report.head_hash}")
        return
    click.echo(f"audit chain BROKEN at event {report.first_bad_seq}: {report.problem}", err=True)
    sys.exit(1)


@catalog_cli.command("fsck")
@click.option("--repair", is_flag=True,
              help="Fix what a crash or a reinstall can leave: temp dirs, a stale index, lost fetches, old hooks.")
@click.option("--min-age", default=3600.0, show_default=True,
              help="Seconds before a temp dir or pending fetch counts as abandoned; 0 when all processes are stopped.")
def fsck_command(repair: bool, min_age: float) -> None:
    """Report (and repair) disagreements between rows, repositories, hooks and the search index."""
    from .services import fsck

    report = fsck.check(repair=repair, min_age=min_age)
    for line in report.problems:
        click.echo(f"problem: {line}")
    for line in report.repaired:
        click.echo(f"repaired: {line}")
    for line in report.notes:
        click.echo(f"note: {line}")
    if not report.problems:
        click.echo("fsck: rows, repositories and search index agree")
    sys.exit(0 if report.ok else 1)


@catalog_cli.command("worker")
@click.option("--workers", default=2, show_default=True)
def worker_command(workers: int) -> None:
    """Run the background worker: mirrors, divergence refreshes, search index, periodic sweeps."""
    from .jobs.queue import consumer

    consumer(current_app._get_current_object(), workers).run()


@catalog_cli.command("audit-checkpoint")
@click.option("--catalog-url", default="", help="Public address of this catalog, recorded in the checkpoint.")
def audit_checkpoint_command(catalog_url: str) -> None:
    """Print the audit chain head as a dated JSON checkpoint to keep outside the server."""
    import json

    from .services.oversight import checkpoints as audit_checkpoint

    try:
        body = audit_checkpoint.make_checkpoint(catalog_url or current_app.config["BASE_URL"])
    except ServiceError as exc:
        raise click.ClickException(_describe(exc)) from exc
    click.echo(json.dumps(body, indent=2))


@catalog_cli.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--verify", "verify", is_flag=True,
              help="Check an existing backup (hashes, database dump, bundles) instead of making one.")
def backup_command(directory: Path, verify: bool) -> None:
    """Online consistent backup into DIRECTORY (new or empty): database, repositories, audit
    checkpoint, manifest. With --verify: exit 0 when the backup in DIRECTORY is sound, 1 naming
    what is not."""
    from .services.operations import backup
    from .services.operations.manifest import BackupError
    from .vcs.errors import VcsError

    if verify:
        report = backup.verify_backup(directory)
        for line in report.checked:
            click.echo(f"checked: {line}")
        for line in report.problems:
            click.echo(f"problem: {line}", err=True)
        if not report.ok:
            click.echo(f"backup {directory} FAILED verification ({len(report.problems)} problems)", err=True)
            sys.exit(1)
        click.echo(f"backup {directory} verified")
        return
    try:
        result = backup.make_backup(directory)
    except (BackupError, VcsError) as exc:
        click.echo(f"backup failed, {directory} left as it was: {exc}", err=True)
        sys.exit(1)
    click.echo(result.summary())


@catalog_cli.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(directory: Path) -> None:
    """Fill an EMPTY data dir and EMPTY database from the backup in DIRECTORY, rebuild the search
    index, repair hooks and derived state, and end with fsck; refuses a non-empty catalog."""
    from .services.operations import restore
    from .services.operations.manifest import BackupError

    try:
        report = restore.restore_backup(directory)
    except BackupError as exc:
        click.echo(f"restore failed: {exc}", err=True)
        sys.exit(1)
    click.echo(f"restored {report.repositories} repositories; search index: {report.indexed} published apps")
    for line in report.repaired:
        click.echo(f"repaired: {line}")
    for line in report.notes:
        click.echo(f"note: {line}")
    for line in report.notes:
        click.echo(line)
    for line in report.problems:
        click.echo(f"problem: {line}", err=True)
    if not report.ok:
        sys.exit(1)
    click.echo("fsck: rows, repositories and search index agree")


@catalog_cli.command("validate-publiccode")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate_publiccode_command(files: tuple[Path, ...]) -> None:
    """Print the reader's verdict per publiccode.yml, key by key; exit 1 if any is invalid."""
    from .publiccode.report import verdict

    invalid = 0
    for path in files:
        result = verdict(str(path), path.read_bytes())
        for line in result.lines:
            click.echo(line)
        state = "valid" if result.valid else "INVALID"
        click.echo(f"{path}: {state} ({result.errors} errors, {result.warnings} warnings)")
        invalid += not result.valid
    sys.exit(1 if invalid else 0)


def _verify_checkpoint_file(handle) -> None:
    """audit-verify --checkpoint: exit 1 unless the intact chain holds the checkpoint's seq and hash."""
    import json

    from .services.oversight import checkpoints as audit_checkpoint

    try:
        doc = json.load(handle)
    except ValueError:
        click.echo("checkpoint file is not valid JSON", err=True)
        sys.exit(1)
    result = audit_checkpoint.verify_checkpoint(doc)
    if not result.ok:
        click.echo(f"audit checkpoint FAILED: {result.message}", err=True)
        sys.exit(1)
    click.echo(f"audit chain intact: {result.message}")


def _describe(exc: ServiceError) -> str:
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    return f"{exc.message} {details}".strip()


def register(app: Flask) -> None:
    app.cli.add_command(catalog_cli)
