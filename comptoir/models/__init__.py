"""The platform's tables (SQLAlchemy 2 typed models); Alembic migrations live in comptoir/migrations."""

from comptoir.models.accounts import (
    DeletionRequest,
    DeletionStatus,
    LoginAttempt,
    LoginSession,
    PasswordResetToken,
    Role,
    SignUpAttempt,
    User,
)
from comptoir.models.base import Base
from comptoir.models.catalogue import Category, Product, SearchWord
from comptoir.models.media import MediaFile, Photo, ProductPhoto
from comptoir.models.money import (
    CommissionInvoice,
    CreditNote,
    DocumentCounter,
    Invoice,
    InvoiceCounter,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    StripeEvent,
)
from comptoir.models.orders import (
    CartItem,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    ReturnRequest,
    ReturnStatus,
    StatusEvent,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.models.settlements import (
    PayoutAttempt,
    PayoutAttemptStatus,
    PayoutMethod,
    SepaBatch,
    Settlement,
    SettlementItem,
    SettlementState,
    ShopPayoutAccount,
)
from comptoir.models.shops import (
    DeliveryKind,
    DeliveryMode,
    OpeningHours,
    PickupSlotRule,
    Shop,
    ShopClosure,
    ShopStatus,
)
from comptoir.models.support import AttentionItem, AuditLog, ContactMessage, Message, SentEmail

__all__ = [
    "AttentionItem", "AuditLog", "Base", "CartItem", "Category", "CommissionInvoice",
    "ContactMessage", "CreditNote", "DocumentCounter",
    "DeletionRequest", "DeletionStatus", "DeliveryKind", "DeliveryMode", "Invoice",
    "InvoiceCounter", "LedgerEntry", "LedgerKind", "LineStatus", "LoginAttempt", "LoginSession",
    "MediaFile", "Message", "OpeningHours", "Order", "OrderLine", "OrderStatus", "PasswordResetToken",
    "Payment", "PaymentStatus", "PayoutAttempt", "PayoutAttemptStatus", "PayoutMethod", "Photo",
    "PickupSlotRule", "SepaBatch", "Settlement", "SettlementItem", "SettlementState",
    "ShopPayoutAccount", "Product", "ProductPhoto", "SearchWord", "Refund", "RefundStatus",
    "ReturnRequest", "ReturnStatus", "Role", "SentEmail", "Shop", "ShopClosure", "ShopStatus",
    "SignUpAttempt",
    "StatusEvent", "StripeEvent", "User", "VendorOrder", "VendorOrderStatus",
]
