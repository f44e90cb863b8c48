"""All tables; importing this package registers them with the metadata."""
from ..vocab.deployments import DeploymentStatus, Environment, Hosting
from .account_link import AccountLink, LinkKind
from .app import App, AppPlatform, AppState
from .audit import AuditEvent, AuditHead, AuditVerified
from .contribution import AppHotspots, Contribution, ContributionState
from .deployment import Deployment, DeploymentEvent
from .index_node import IndexNode
from .nodes import PeriodicClaim
from .notification import EmailState, Notification
from .organization import Organization, OrgKind
from .outbox import IndexChange, IndexChangePruned
from .proposal import Proposal, ProposalStatus
from .repository import Fork, Mirror, MirrorState, Release
from .throttle import LoginThrottle
from .two_factor import RecoveryCode, TwoFactor
from .user import AccessToken, Role, User
from .user_session import UserSession
from .vitality import AppVitality

__all__ = [
    "LoginThrottle", "AccountLink", "LinkKind", "RecoveryCode", "TwoFactor", "UserSession",
    "AccessToken", "App", "AppPlatform", "AppState", "AuditEvent", "AuditHead", "AuditVerified",
    "IndexChange", "IndexChangePruned", "IndexNode",
    "Deployment", "DeploymentEvent", "DeploymentStatus", "Environment", "Hosting",
    "Fork", "Mirror", "MirrorState", "Organization", "OrgKind", "Release", "Role", "User",
    "EmailState", "Notification", "Proposal", "ProposalStatus", "AppVitality", "AppHotspots", "Contribution",
    "ContributionState", "PeriodicClaim",
]
