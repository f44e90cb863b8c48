"""Categories that cover the same work under different keys: an app in one is a likely
duplicate of an app in another ("hr" and "employee-management" hold SIMPEG and Simanja)."""
from __future__ import annotations

GROUPS: tuple[frozenset[str], ...] = tuple(frozenset(g) for g in (
    {"hr", "employee-management", "payroll", "time-tracking", "time-management", "talent-management",
     "applicant-tracking"},
    {"document-management", "workflow-management", "e-signature", "digital-asset-management",
     "knowledge-management", "regulations-and-directives"},
    {"accounting", "budgeting", "financial-reporting", "billing-and-invoicing", "taxes-management",
     "erp", "grant-management"},
    {"help-desk", "service-desk", "customer-service-and-support", "feedback-and-reviews-management",
     "whistleblowing", "call-center-management"},
    {"project-management", "enterprise-project-management", "agile-project-management",
     "project-collaboration", "task-management"},
    {"inventory-management", "it-asset-management", "warehouse-management", "facility-management",
     "property-management", "real-estate-management", "fleet-management"},
    {"data-analytics", "business-intelligence", "data-visualization", "predictive-analysis"},
    {"content-management", "website-builder", "blog", "communications"},
    {"video-conferencing", "web-conferencing", "instant-messaging", "voip", "collaboration",
     "web-collaboration"},
    {"survey", "data-collection"},
    {"learning-management-system", "educational-content"},
))


def related(category: str) -> frozenset[str]:
    """The category and those of its group; the category alone when it has no group."""
    for group in GROUPS:
        if category in group:
            return group
    return frozenset({category}) if category else frozenset()
