"""Pure permission predicates; services enforce them, templates only use them to hide buttons."""
from __future__ import annotations

from ..models import App, AppState, Organization, OrgKind, Role, User


def _is(user: User | None, role: Role) -> bool:
    return bool(user and user.is_active and user.role == role.value)


def is_admin(user: User | None) -> bool:
    return _is(user, Role.ADMIN)


def can_create_app(user: User | None, org: Organization) -> bool:
    """Publishers list apps for their own organization; admins for anyone."""
    return is_admin(user) or (_is(user, Role.PUBLISHER) and user.organization_id == org.id)


def can_view_app(user: User | None, app: App) -> bool:
    """Published and archived entries are public; drafts only to the publisher and admins."""
    if app.state in (AppState.PUBLISHED.value, AppState.ARCHIVED.value):
        return True
    return is_admin(user) or bool(user and user.is_active and user.organization_id == app.publisher_id)


def can_edit_app(user: User | None, app: App) -> bool:
    if app.state == AppState.ARCHIVED.value:
        return False
    return is_admin(user) or (_is(user, Role.PUBLISHER) and user.organization_id == app.publisher_id)


def can_review_app(user: User | None, app: App) -> bool:
    """Only admins verify entries (publish, or return with a note), whoever published them;
    which states may move is the publishing flow's rule (apps._transition), not the person's."""
    return is_admin(user)


def can_archive_app(user: User | None, app: App) -> bool:
    return is_admin(user) or (_is(user, Role.PUBLISHER) and user.organization_id == app.publisher_id)


def can_manage_tokens(user: User | None, owner: User) -> bool:
    return bool(user and user.is_active and (user.id == owner.id or is_admin(user)))


def auditor_province_id(user: User | None) -> int | None:
    """The province an auditor is limited to, or None for national auditors."""
    if not user:
        return None
    org = user.organization
    if org.kind == OrgKind.AGENCY.value:
        return None
    return org.id if org.kind == OrgKind.PROVINCE.value else org.parent_id


def can_fork(user: User | None, org: Organization) -> bool:
    """Adopters copy apps into their own organization; admins into any."""
    return is_admin(user) or (_is(user, Role.ADOPTER) and user.organization_id == org.id)


def can_push(user: User | None, org_id: int) -> bool:
    """Pushing into a fork: adopters of the fork's organization, and admins."""
    return is_admin(user) or (_is(user, Role.ADOPTER) and user.organization_id == org_id)


def can_manage_fork(user: User | None, org_id: int) -> bool:
    """Sync, annotate, refresh: the same people who may push."""
    return can_push(user, org_id)


def is_auditor(user: User | None) -> bool:
    return _is(user, Role.AUDITOR)


def auditor_covers(user: User | None, org: Organization) -> bool:
    """An auditor in whose scope the organization lies: national, or its province (and kab/kota)."""
    if not is_auditor(user):
        return False
    province_id = auditor_province_id(user)
    return province_id is None or org.id == province_id or org.parent_id == province_id


def can_view_reports(user: User | None) -> bool:
    """Reuse reports and the audit page: auditors (in their scope) and admins."""
    return is_admin(user) or is_auditor(user)


def can_record_deployment(user: User | None, org: Organization) -> bool:
    """Adopters record and change deployments of their own organization; admins of any."""
    return is_admin(user) or (_is(user, Role.ADOPTER) and user.organization_id == org.id)


def can_view_deployment_details(user: User | None, deployment) -> bool:
    """URL, notes and event notes: the organization itself, the app's publisher, auditors in scope, admins."""
    if not (user and user.is_active):
        return False
    return (is_admin(user) or user.organization_id == deployment.organization_id
            or user.organization_id == deployment.app.publisher_id
            or auditor_covers(user, deployment.organization))


def can_confirm_deployment(user: User | None, deployment) -> bool:
    """The app's publisher or an auditor in scope, never the deploying organization itself."""
    if not (user and user.is_active) or user.organization_id == deployment.organization_id:
        return False
    publisher = _is(user, Role.PUBLISHER) and user.organization_id == deployment.app.publisher_id
    return publisher or auditor_covers(user, deployment.organization)


def can_view_evidence(user: User | None, org: Organization) -> bool:
    """An organization's SPBE evidence: its own members, auditors in scope, admins."""
    if not (user and user.is_active):
        return False
    return is_admin(user) or user.organization_id == org.id or auditor_covers(user, org)


# Accounts (issue 16): the platform admin manages everyone; an org admin the accounts of their
# own organization, with every role but the platform's `admin`.
ORG_ADMIN_GRANTS = frozenset({Role.PUBLISHER.value, Role.ADOPTER.value, Role.AUDITOR.value, Role.ORG_ADMIN.value})
AUDITOR_ORG_KINDS = frozenset({OrgKind.PROVINCE.value, OrgKind.AGENCY.value})


def is_org_admin(user: User | None) -> bool:
    return _is(user, Role.ORG_ADMIN)


def role_fits_organization(role: str, org: Organization) -> bool:
    """Auditors sit in a province (Inspektorat) or a national body, never in a kab/kota."""
    return role != Role.AUDITOR.value or org.kind in AUDITOR_ORG_KINDS


def can_manage_people(user: User | None, org: Organization) -> bool:
    """See and invite the accounts of `org`: admins for any, org admins for their own."""
    return is_admin(user) or (is_org_admin(user) and user.organization_id == org.id)


def can_grant_role(user: User | None, role: str, org: Organization) -> bool:
    """Give `role` to an account of `org` (inviting or changing): org admins never `admin`."""
    if not can_manage_people(user, org) or not role_fits_organization(role, org):
        return False
    return is_admin(user) or role in ORG_ADMIN_GRANTS


def can_manage_account(user: User | None, target: User) -> bool:
    """Change the role of, deactivate or reactivate `target`: never oneself (no one locks
    themselves out), and an org admin never a platform admin, even one filed under their organization."""
    if not user or target.id == user.id or not can_manage_people(user, target.organization):
        return False
    return is_admin(user) or target.role != Role.ADMIN.value


def can_manage_sessions(user: User | None, owner: User) -> bool:
    """See and end the sign-in sessions of `owner`: the person themselves, or a platform admin."""
    return bool(user and user.is_active and (user.id == owner.id or is_admin(user)))


def can_offer_contribution(user: User | None, org_id: int) -> bool:
    """Offering a fork's commits to upstream: the people who may push to the fork."""
    return can_push(user, org_id)


def can_decide_contribution(user: User | None, app: App) -> bool:
    """Accepting or declining a contribution: the app's publishers, and admins."""
    return is_admin(user) or (_is(user, Role.PUBLISHER) and user.organization_id == app.publisher_id)


def can_push_hosted(user: User | None, publisher_id: int) -> bool:
    """Pushing to an upstream hosted in the catalog: the app's publishers, and admins."""
    return is_admin(user) or (_is(user, Role.PUBLISHER) and user.organization_id == publisher_id)
