"""Every table, imported in one place for Alembic's autogenerate and the migration check."""

from arkenos_api.analysis.models import SessionAnalysis
from arkenos_api.analytics.models import AnalyticsRollup
from arkenos_api.auth.models import ApiToken, AuthSession, LoginAttempt, User
from arkenos_api.calls.models import CallPolicy
from arkenos_api.code.models import (
    AssistantMessage,
    AssistantProposal,
    CodeRevision,
    CodeTree,
    CodeVersion,
)
from arkenos_api.core.db import Base
from arkenos_api.internal.models import (
    CallSession,
    ToolCallRow,
    TranscriptSegmentRow,
    TurnMetricRow,
    UsageEventRow,
)
from arkenos_api.jobs.models import OutboxEvent, WebhookAttempt, WebhookMessage
from arkenos_api.keys.models import DataKey, ProviderKey
from arkenos_api.pricing.models import PriceOverride
from arkenos_api.webhooks.models import WebhookReceipt
from arkenos_api.workspaces.models import Invitation, Membership, Workspace

__all__ = [
    "AnalyticsRollup",
    "ApiToken",
    "AssistantMessage",
    "AssistantProposal",
    "AuthSession",
    "Base",
    "CallPolicy",
    "CallSession",
    "CodeRevision",
    "CodeTree",
    "CodeVersion",
    "DataKey",
    "Invitation",
    "LoginAttempt",
    "Membership",
    "OutboxEvent",
    "PriceOverride",
    "ProviderKey",
    "SessionAnalysis",
    "ToolCallRow",
    "TranscriptSegmentRow",
    "TurnMetricRow",
    "UsageEventRow",
    "User",
    "WebhookAttempt",
    "WebhookMessage",
    "WebhookReceipt",
    "Workspace",
]
