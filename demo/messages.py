"""A few shopper ↔ shop conversations, so the merchants' support inbox is not empty."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoMessage:
    from_shop: bool
    body: str
    hours_ago: float  # when it was sent, before the load
    read: bool = True


@dataclass(frozen=True)
class Conversation:
    shopper_email: str
    shop_slug: str
    messages: tuple[DemoMessage, ...]


CONVERSATIONS: tuple[Conversation, ...] = (
    Conversation(
        "claire.martin@exemple.test",
        "fromagerie-le-petit-affineur",
        (
            DemoMessage(
                False,
                "Bonjour, je reçois huit personnes samedi soir : pouvez-vous me conseiller un "
                "plateau avec surtout des chèvres de la région ? Merci !",
                50,
            ),
            DemoMessage(
                True,
                "Bonjour Claire, avec plaisir : le plateau de fromages de Loire « pour 8 "
                "personnes » comprend un sainte-maure, un selles-sur-cher, un valençay et un "
                "pouligny. Commandez-le avant jeudi midi, nous le préparons samedi matin.",
                46,
            ),
            DemoMessage(False, "Parfait, je le commande tout de suite.", 45),
        ),
    ),
    Conversation(
        "julien.lefevre@exemple.test",
        "la-cave-du-coteau",
        (
            DemoMessage(
                False,
                "Bonjour, livrez-vous à vélo jusqu'au hameau de La Croix-Verte ? Je "
                "voudrais un carton de Saumur-Champigny.",
                20,
            ),
            DemoMessage(
                True,
                "Bonjour Julien, oui, La Croix-Verte est dans notre tournée du mercredi et du "
                "samedi, et la livraison est offerte au-delà de 60 €.",
                18,
                read=False,
            ),
        ),
    ),
    Conversation(
        "amina.haddad@exemple.test",
        "librairie-les-mots-passants",
        (
            DemoMessage(
                False,
                "Bonjour, pourriez-vous me mettre de côté le tome 2 des Enquêtes de Zoé "
                "Castor ? Mon fils l'attend avec impatience.",
                3,
                read=False,
            ),
        ),
    ),
)
