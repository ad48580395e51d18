"""What the platform's e-mails say, read in the real SMTP sink: the shop in every subject,
pickup details in the confirmation, a notice when a message arrives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import Order, Role, Shop, User, VendorOrder
from comptoir.orders.contracts import EmailRequest
from comptoir.services import messages as shop_messages
from comptoir.services.mail_templates import order_email
from tests.conftest import MailSink, text_of
from tests.factories import create_order, create_product, create_shop, create_user

ORDER_TEMPLATES = {
    "lines_unavailable": {"amount_cents": "450"},
    "merchant_reminder": {"status_label": "Confirmée"},
    "new_vendor_order": {},
    "order_cancelled": {"reason": "délai dépassé"},
    "order_paid": {},
    "order_payable": {"deadline_iso": "2026-12-06T10:00:00+00:00"},
    "ready_for_pickup": {},
    "refund_made": {"amount_cents": "450"},
    "reservation_reminder": {"deadline_iso": "2026-12-06T10:00:00+00:00"},
    "reservation_to_confirm": {"deadline_iso": "2026-12-06T10:00:00+00:00"},
    "return_refused": {"reason": "produit ouvert"},
    "return_requested": {"amount_cents": "450", "reason": "abîmé"},
    "shipped": {},
    "vendor_completed": {"return_deadline_iso": "2026-12-20T10:00:00+00:00"},
}


def _two_shop_order(db: Session) -> tuple[Order, Shop, Shop, list[VendorOrder]]:
    halles = create_shop(db, name="Fromagerie des Halles", with_slots=True, phone="04 78 00 00 00")
    fournil = create_shop(db, name="Le Fournil", address_line="8 quai de Loire", postal_code="49350",
                          city="Montlouvier-sur-Loire")  # fmt: skip
    shopper = create_user(db, first_name="Léa")
    order = create_order(
        db,
        shopper,
        [(create_product(db, halles, price_cents=1200), 1),
         (create_product(db, fournil, price_cents=300), 2)],
    )  # fmt: skip
    parts = list(
        db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id).order_by(VendorOrder.id))
    )
    start = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # 10 h in Paris
    parts[0].pickup_slot_start, parts[0].pickup_slot_end = start, start + timedelta(hours=1)
    db.commit()
    return order, halles, fournil, parts


def test_every_order_e_mail_names_its_shop_in_the_subject(db: Session, mail_sink: MailSink) -> None:
    order, halles, _, parts = _two_shop_order(db)
    for template, extra in ORDER_TEMPLATES.items():
        for to in ("shopper", "merchant"):
            mail_sink.clear()
            key = f"test:{template}:{to}:{order.id}"
            assert order_email(db, EmailRequest(order.id, template, key, to, parts[0].id, extra))
            (sent,) = mail_sink.messages()
            assert halles.name in str(sent["Subject"]), (template, sent["Subject"])
    db.commit()


def test_the_confirmation_gives_the_slot_the_address_and_the_opening_hours(
    db: Session, mail_sink: MailSink
) -> None:
    order, halles, fournil, _ = _two_shop_order(db)
    shopper = db.get_one(User, order.shopper_id)
    mail_sink.clear()
    assert order_email(db, EmailRequest(order.id, "order_paid", f"paid-{order.id}"))
    db.commit()
    (mail,) = mail_sink.to(shopper.email)
    subject, text = str(mail["Subject"]), text_of(mail)
    assert "Fromagerie des Halles" in subject and "Le Fournil" in subject
    # The shop with slots: its address and the chosen slot (Paris time).
    assert f"Retrait chez Fromagerie des Halles : {halles.address_line}, 69001 Lyon" in text
    assert "Votre créneau : mardi 8 décembre 2026 à 10\u00a0h\u00a000" in text
    # The shop without slots: its address and its opening hours.
    assert "Retrait chez Le Fournil : 8 quai de Loire, 49350 Montlouvier-sur-Loire" in text
    assert "lundi : 9 h 00 – 19 h 00" in text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "dimanche : fermé" in text
    assert "Téléphone : 04 78 00 00 00" in text
    html = mail.get_body(preferencelist=("html",))  # the same words, laid out
    assert html is not None
    assert "Retrait chez Fromagerie des Halles" in str(html.get_content())


def test_a_message_notifies_the_other_side_once_per_conversation_and_window(
    db: Session, mail_sink: MailSink
) -> None:
    order, halles, _, parts = _two_shop_order(db)
    shopper = db.get_one(User, order.shopper_id)
    merchant = db.get_one(User, halles.owner_id)
    mail_sink.clear()
    shop_messages.post_order_message(db, shopper, order.id, halles.id, "Je peux venir à 18 h ?")
    db.commit()
    shop_messages.post_order_message(db, shopper, order.id, halles.id, "Ou plutôt 17 h ?")
    db.commit()
    to_shop = mail_sink.to(merchant.email)
    assert len(to_shop) == 1, [str(m["Subject"]) for m in to_shop]  # one per window
    subject, text = str(to_shop[0]["Subject"]), text_of(to_shop[0])
    assert "Nouveau message de Léa" in subject and "Fromagerie des Halles" in subject
    assert f"commande n° {order.id}" in subject and "Je peux venir à 18 h ?" in text
    assert f"/vendeur/commandes/{parts[0].id}" in text
    shop_messages.post_vendor_order_message(db, merchant, parts[0].id, "Oui, à 17 h c'est parfait.")
    db.commit()
    (answer,) = mail_sink.to(shopper.email)
    assert "Nouveau message de « Fromagerie des Halles »" in str(answer["Subject"])
    assert "parfait" in text_of(answer)
    assert f"/commandes/{order.id}#messages-{halles.id}" in text_of(answer)
    # A message that is not committed sends nothing.
    shop_messages.post_order_message(db, shopper, order.id, parts[1].shop_id, "Annulé")
    db.rollback()
    assert len(mail_sink.messages()) == 2
    assert merchant.role == Role.merchant
