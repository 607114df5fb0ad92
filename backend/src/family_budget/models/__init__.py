"""SQLAlchemy models, one file per table family, re-exported here for Alembic and services."""

from family_budget.models.account import (
    Account,
    AccountKind,
    AccountShare,
    AccountSource,
    on_budget_by_default,
)
from family_budget.models.activity_total import ActivityTotal
from family_budget.models.audit_event import AuditAction, AuditEvent
from family_budget.models.bank_connection import BankConnection, BankConnectionStatus
from family_budget.models.bank_connection_account import BankConnectionAccount
from family_budget.models.bank_pending_edit import BankPendingEdit
from family_budget.models.base import Base
from family_budget.models.budget import BudgetAssignment
from family_budget.models.category import Category, CategoryGroup, TargetKind
from family_budget.models.device import DevicePlatform, PushDevice, SignInDevice
from family_budget.models.export import Export, ExportKind, ExportStatus
from family_budget.models.household import Household, Invitation, Membership, Role
from family_budget.models.idempotency import IdempotencyKey
from family_budget.models.import_batch import Import, ImportRow, ImportRowStatus, ImportStatus
from family_budget.models.job import Job
from family_budget.models.notification import Notification, NotificationPreference
from family_budget.models.receipt import Receipt, ReceiptStatus
from family_budget.models.reconciliation import Reconciliation
from family_budget.models.recovery_code import RecoveryCode
from family_budget.models.rule import PayeeMatch, Rule
from family_budget.models.scheduled import (
    BillCalendarFeed,
    BudgetAlertSetting,
    ScheduledOccurrence,
    ScheduledTransaction,
)
from family_budget.models.token import OneTimeToken, RefreshToken, TokenPurpose
from family_budget.models.transaction import (
    ClearedState,
    Transaction,
    TransactionSplit,
    TransactionStatus,
    TransactionTag,
)
from family_budget.models.user import User
from family_budget.models.user_session import UserSession

__all__ = [
    "Account",
    "AccountKind",
    "AccountShare",
    "AccountSource",
    "ActivityTotal",
    "AuditAction",
    "AuditEvent",
    "BankConnection",
    "BankConnectionAccount",
    "BankConnectionStatus",
    "BankPendingEdit",
    "Base",
    "BillCalendarFeed",
    "BudgetAlertSetting",
    "BudgetAssignment",
    "Category",
    "CategoryGroup",
    "ClearedState",
    "DevicePlatform",
    "Export",
    "ExportKind",
    "ExportStatus",
    "Household",
    "IdempotencyKey",
    "Import",
    "ImportRow",
    "ImportRowStatus",
    "ImportStatus",
    "Invitation",
    "Job",
    "Membership",
    "Notification",
    "NotificationPreference",
    "OneTimeToken",
    "PayeeMatch",
    "PushDevice",
    "Receipt",
    "ReceiptStatus",
    "Reconciliation",
    "RecoveryCode",
    "RefreshToken",
    "Role",
    "Rule",
    "ScheduledOccurrence",
    "ScheduledTransaction",
    "SignInDevice",
    "TargetKind",
    "TokenPurpose",
    "Transaction",
    "TransactionSplit",
    "TransactionStatus",
    "TransactionTag",
    "User",
    "UserSession",
    "on_budget_by_default",
]
