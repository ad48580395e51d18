from datetime import UTC, date, datetime

import pytest

from comptoir.domain.labels import (
    a_name,
    count_fr,
    de_name,
    delivery_kind_label,
    elide_de,
    format_date_fr,
    format_datetime_fr,
    order_status_label,
    plural_fr,
    vendor_order_status_label,
)
from comptoir.domain.paris_time import PARIS
from comptoir.models.orders import OrderStatus, VendorOrderStatus
from comptoir.models.shops import DeliveryKind


def test_every_stored_status_has_a_french_label() -> None:
    for order_status in OrderStatus:
        assert order_status_label(order_status) != order_status.value
    for vendor_status in VendorOrderStatus:
        assert vendor_order_status_label(vendor_status) != vendor_status.value
    for kind in DeliveryKind:
        assert delivery_kind_label(kind) != kind.value


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("awaiting_confirmation", "En attente de confirmation"),
        ("processing", "En cours"),
        ("completed", "Terminée"),
        ("payment_failed", "Échouée"),
        ("partially_refunded", "Partiellement remboursée"),
    ],
)
def test_order_status_labels(code: str, label: str) -> None:
    assert order_status_label(code) == label


def test_vendor_order_and_delivery_labels() -> None:
    assert vendor_order_status_label("ready_for_pickup") == "Prête à retirer"
    assert vendor_order_status_label("closed") == "Clôturée"
    assert vendor_order_status_label(VendorOrderStatus.return_requested) == "Retour demandé"
    assert delivery_kind_label("local_delivery") == "Livraison locale"
    assert delivery_kind_label(DeliveryKind.shipping) == "Envoi postal"


def test_unknown_codes_are_shown_as_they_are() -> None:
    assert order_status_label("lost_in_space") == "lost_in_space"
    assert vendor_order_status_label("") == ""
    assert delivery_kind_label("drone") == "drone"


def test_format_date_fr() -> None:
    assert format_date_fr(date(2026, 12, 3)) == "jeudi 3 décembre 2026"
    assert format_date_fr(date(2026, 12, 1)) == "mardi 1er décembre 2026"
    assert format_date_fr(date(2027, 8, 15)) == "dimanche 15 août 2027"
    assert format_date_fr(date(2026, 2, 28)) == "samedi 28 février 2026"


def test_format_date_fr_of_a_datetime_uses_the_paris_day() -> None:
    assert format_date_fr(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "vendredi 1er janvier 2027"


def test_format_datetime_fr() -> None:
    assert format_datetime_fr(datetime(2026, 12, 3, 14, 30, tzinfo=PARIS)) == (
        "jeudi 3 décembre 2026 à 14\u00a0h\u00a030"
    )
    # 07:05 UTC in summer is 09:05 in Paris.
    assert format_datetime_fr(datetime(2026, 7, 14, 7, 5, tzinfo=UTC)) == (
        "mardi 14 juillet 2026 à 9\u00a0h\u00a005"
    )


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("expédier la commande", "d'expédier la commande"),
        ("accepter le retour", "d'accepter le retour"),
        ("honorer la commande", "d'honorer la commande"),
        ("hacher menu", "de hacher menu"),
        ("commencer la préparation", "de commencer la préparation"),
        ("refuser le retour", "de refuser le retour"),
    ],
)
def test_de_is_elided_before_a_vowel_or_mute_h(phrase: str, expected: str) -> None:
    assert elide_de(phrase) == expected


def test_every_settlement_state_and_payout_method_has_a_french_label() -> None:
    from comptoir.domain.labels import PAYOUT_METHOD_LABELS, SETTLEMENT_STATE_LABELS
    from comptoir.models.settlements import PayoutMethod, SettlementState

    assert set(SETTLEMENT_STATE_LABELS) == {s.value for s in SettlementState}
    assert set(PAYOUT_METHOD_LABELS) == {m.value for m in PayoutMethod}
    assert SETTLEMENT_STATE_LABELS["carried"] == "Reporté"


@pytest.mark.parametrize(
    ("name", "of", "to"),
    [
        ("Au Fournil", "d'Au Fournil", "au Fournil"),
        ("Aux Délices", "d'Aux Délices", "aux Délices"),
        ("Le Pont", "du Pont", "au Pont"),
        ("Les Halles", "des Halles", "aux Halles"),
        ("Épicerie Martin", "d'Épicerie Martin", "à Épicerie Martin"),
        ("Fromagerie des Halles", "de Fromagerie des Halles", "à Fromagerie des Halles"),
        ("La Cave", "de La Cave", "à La Cave"),
    ],
)
def test_shop_names_take_de_and_a_the_french_way(name: str, of: str, to: str) -> None:
    assert (de_name(name), a_name(name)) == (of, to)


def test_zero_and_one_take_the_singular() -> None:
    assert [plural_fr(n, "produit", "produits") for n in (0, 1, 2, -1, -2)] == [
        "produit", "produit", "produits", "produit", "produits"
    ]
    assert count_fr(0, "produit créé", "produits créés") == "0 produit créé"
    assert count_fr(3, "facture conservée", "factures conservées") == "3 factures conservées"
