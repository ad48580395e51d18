"""The contact form (open to everyone) and the shopper's conversations with shops."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from comptoir.domain.labels import a_name
from comptoir.errors import DomainError, NotFound
from comptoir.services import messages as shop_messages
from comptoir.web.deps import SessionDep
from storefront.deps import Form, ShopperPage, VisitorDep, text
from storefront.i18n import _
from storefront.templating import redirect, render

router = APIRouter()


def contact_subjects() -> dict[str, str]:
    """The contact form's subjects."""
    return {
        "question": _("Une question sur Comptoir"),
        "commande": _("Une commande"),
        "boutique": _("Proposer un commerce"),
        "donnees": _("Mes données personnelles"),
        "autre": _("Autre chose"),
    }


@router.get("/contact")
def contact_page(request: Request, visitor: VisitorDep, sujet: str = "question") -> Response:
    """Write to the platform's team (suggest a shop, a question…); no account needed."""
    user = visitor.user
    values = {
        "name": f"{user.first_name} {user.last_name}".strip() if user else "",
        "email": user.email if user else "",
        "subject": sujet if sujet in contact_subjects() else "question",
        "body": "",
    }
    return render(
        request, "support/contact.html", {"values": values, "subjects": contact_subjects()}
    )


@router.post("/contact")
def contact_submit(request: Request, form: Form, db: SessionDep) -> Response:
    """Keep the message for the operators, then thank the visitor."""
    values = {
        "name": text(form, "name", 200),
        "email": text(form, "email", 320),
        "subject": text(form, "subject", 40),
        "body": text(form, "body", shop_messages.MAX_MESSAGE_LENGTH + 1),
    }
    subjects = contact_subjects()
    subject = subjects.get(values["subject"], "")
    try:
        shop_messages.save_contact_message(
            db, values["name"], values["email"], subject, values["body"]
        )
    except DomainError as exc:
        return render(
            request,
            "support/contact.html",
            {"values": values, "subjects": subjects, "error": exc.message},
            status_code=exc.status_code,
        )
    return redirect(
        "/contact",
        _("Merci ! Votre message est envoyé à l'équipe Comptoir ; nous vous répondons par e-mail."),
    )


@router.get("/messages")
def conversations(request: Request, db: SessionDep, shopper: ShopperPage) -> Response:
    """My conversations with shops."""
    return render(
        request, "support/threads.html", {"threads": shop_messages.shop_threads(db, shopper)}
    )


@router.get("/messages/{slug}")
def conversation(request: Request, slug: str, db: SessionDep, shopper: ShopperPage) -> Response:
    """My conversation with one shop (about my orders or not)."""
    shop, messages = shop_messages.shop_conversation(db, shopper, slug[:120])
    return render(request, "support/conversation.html", {"shop": shop, "messages": messages})


@router.post("/messages/{slug}")
def write(slug: str, form: Form, db: SessionDep, shopper: ShopperPage) -> Response:
    """Write to a shop."""
    back = f"/messages/{slug[:120]}"
    try:
        message = shop_messages.post_shop_message(db, shopper, slug[:120], text(form, "body", 5000))
    except NotFound:
        raise
    except DomainError as exc:
        return redirect(back, exc.message, "error")
    return redirect(back, _("Message envoyé %(a_shop)s.", a_shop=a_name(message.shop_name)))
