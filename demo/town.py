"""Montlouvier-sur-Loire, an invented town of the Loire valley, and its shops.

Everything here is plain data; `demo.load` turns it into rows. Telephone numbers
are in the ranges ARCEP reserves for fiction (02 61 91 …, 06 39 98 …), e-mail domains end
in `.test` (reserved, never routable), and the SIRET numbers are made up but pass INSEE's
Luhn check like real ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from comptoir.models.shops import DeliveryKind, ShopStatus

TOWN_NAME = "Montlouvier-sur-Loire"
POSTAL_CODE = "49350"
MERCHANT_DOMAIN = "montlouvier.test"

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
MON_TO_SAT = (MON, TUE, WED, THU, FRI, SAT)
TUE_TO_SAT = (TUE, WED, THU, FRI, SAT)
TUE_TO_SUN = (TUE, WED, THU, FRI, SAT, SUN)

OpeningRange = tuple[int, time, time]  # weekday (0 = Monday), opens, closes


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _span(text: str) -> tuple[time, time]:
    """'7:00-13:00' → (07:00, 13:00)."""
    start, end = text.split("-")
    return _time(start), _time(end)


def weekly(*groups: tuple[Sequence[int], Sequence[str]]) -> tuple[OpeningRange, ...]:
    """Opening ranges from (weekdays, ['7:00-13:00', '15:30-19:30']) groups."""
    ranges: list[OpeningRange] = []
    for weekdays, spans in groups:
        for weekday in weekdays:
            ranges += [(weekday, *_span(span)) for span in spans]
    return tuple(sorted(ranges))


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class PickupSlots:
    """Pickup slots of `slot_minutes` within `span` on `weekdays`, `capacity` orders each."""

    weekdays: tuple[int, ...]
    span: str
    slot_minutes: int
    capacity: int

    def rules(self) -> list[tuple[int, time, time, int, int]]:
        """One (weekday, starts, ends, slot_minutes, capacity) rule per weekday."""
        starts, ends = _span(self.span)
        return [(day, starts, ends, self.slot_minutes, self.capacity) for day in self.weekdays]


@dataclass(frozen=True)
class Closure:
    """An exceptional closure: every year from `month_day`, or `in_days` after the load."""

    reason: str
    days: int
    month_day: tuple[int, int] | None = None
    in_days: int | None = None

    def dates(self, today: date) -> tuple[date, date]:
        """First and last closed day, the first one always after `today`."""
        if self.month_day is not None:
            month, day = self.month_day
            start = date(today.year, month, day)
            if start <= today:
                start = date(today.year + 1, month, day)
        else:
            start = today + timedelta(days=self.in_days or 1)
        return start, start + timedelta(days=self.days - 1)


@dataclass(frozen=True)
class Delivery:
    kind: DeliveryKind
    label: str
    price_cents: int = 0
    free_above_cents: int | None = None


PICKUP = Delivery(DeliveryKind.pickup, "Retrait en boutique")


def bike(price_cents: int, free_above_cents: int | None) -> Delivery:
    """Local delivery by cargo bike within the town."""
    return Delivery(
        DeliveryKind.local_delivery,
        f"Livraison à vélo dans {TOWN_NAME} et ses hameaux (le jour même ou le lendemain)",
        price_cents,
        free_above_cents,
    )


def colissimo(price_cents: int, free_above_cents: int | None = None, note: str = "") -> Delivery:
    """Postal shipping anywhere in metropolitan France."""
    label = "Colissimo, France métropolitaine (2 à 4 jours ouvrés)" + (f" – {note}" if note else "")
    return Delivery(DeliveryKind.shipping, label, price_cents, free_above_cents)


def return_policy(returnable: str, excluded: str, extra: str = "") -> str:
    """Each shop's own conditions, always within the legal 14-day right of withdrawal."""
    text = (
        f"Droit de rétractation : {returnable} peuvent être retournés dans les 14 jours suivant "
        "leur réception (le délai exact de chaque commande figure dans votre espace "
        "« Commandes »), dans leur état et leur emballage d'origine, sans avoir à vous "
        "justifier. Demandez le retour depuis votre commande : le remboursement est fait "
        "automatiquement sur la carte utilisée pour le paiement. Exceptions prévues par "
        f"l'article L.221-28 du Code de la consommation : {excluded}"
    )
    return f"{text} {extra}".strip()


ALCOHOL_NOTICE = (
    "La vente de boissons alcooliques est interdite aux mineurs : une pièce d'identité peut "
    "vous être demandée au retrait ou à la livraison."
)


@dataclass(frozen=True)
class DemoShop:
    """One shop of the town, its owner's login and what it sells (`assortment`)."""

    assortment: str  # key of demo.assortments.ASSORTMENTS
    sku_prefix: str
    slug: str
    name: str
    trade: str
    legal_name: str
    siret: str
    vat_number: str
    address_line: str
    phone: str
    email: str
    description: str
    return_policy: str
    hours: tuple[OpeningRange, ...]
    deliveries: tuple[Delivery, ...]
    owner: Person
    pickup_slots: tuple[PickupSlots, ...] = ()
    closures: tuple[Closure, ...] = ()
    status: ShopStatus = ShopStatus.approved


def _merchant(first_name: str, last_name: str, login: str, phone: str) -> Person:
    return Person(first_name, last_name, f"{login}@{MERCHANT_DOMAIN}", phone)


SHOPS: tuple[DemoShop, ...] = (
    DemoShop(
        assortment="boulangerie",
        sku_prefix="FOU",
        slug="au-fournil-de-la-loire",
        name="Au Fournil de la Loire",
        trade="Boulangerie-pâtisserie",
        legal_name="SARL Fournil de la Loire",
        siret="84351585900026",
        vat_number="FR46843515859",
        address_line="12 rue Nationale",
        phone="02 61 91 00 01",
        email="contact@fournil-de-la-loire.test",
        description=(
            "Boulangerie artisanale depuis 1987 : pains au levain naturel cuits sur sole, "
            "farines de meuniers de Touraine et viennoiseries pur beurre. Nos pâtisseries "
            "sont faites chaque matin dans le fournil, derrière la boutique."
        ),
        return_policy=return_policy(
            "les biscuits et confiseries en sachet fermé",
            "les pains, viennoiseries, pâtisseries et sandwichs, denrées qui se détériorent "
            "rapidement, ainsi que les gâteaux et pièces montées réalisés selon vos "
            "indications ne sont ni repris ni échangés.",
            "Un produit abîmé ou non conforme ? Signalez-le le jour même par la messagerie : "
            "nous le remplaçons ou le remboursons.",
        ),
        hours=weekly(
            (TUE_TO_SAT, ("7:00-13:00", "15:30-19:30")),
            ((SUN,), ("7:00-12:30",)),
        ),
        pickup_slots=(
            PickupSlots(TUE_TO_SUN, "7:30-12:30", 30, 8),
            PickupSlots(TUE_TO_SAT, "16:00-19:00", 30, 6),
        ),
        deliveries=(PICKUP,),
        closures=(
            Closure("Congés annuels", 15, month_day=(8, 11)),
            Closure("Réfection du four à sole", 3, in_days=23),
        ),
        owner=_merchant("Marc", "Girard", "boulangerie", "06 39 98 20 01"),
    ),
    DemoShop(
        assortment="fromagerie",
        sku_prefix="FRO",
        slug="fromagerie-le-petit-affineur",
        name="Fromagerie Le Petit Affineur",
        trade="Fromagerie",
        legal_name="Le Petit Affineur SAS",
        siret="83020835100015",
        vat_number="FR06830208351",
        address_line="3 place du Marché",
        phone="02 61 91 00 02",
        email="bonjour@petit-affineur.test",
        description=(
            "Fromages fermiers au lait cru affinés dans notre cave de tuffeau, à deux pas de "
            "la Loire. Chèvres de Touraine, pâtes pressées du Jura et de Savoie, crèmerie et "
            "plateaux composés à la demande."
        ),
        return_policy=return_policy(
            "les accessoires (couteaux, planches, cloches) non utilisés",
            "les fromages et produits laitiers, denrées périssables, ainsi que les plateaux "
            "et meules découpés à votre demande ne sont ni repris ni échangés.",
            "Un fromage qui ne vous semble pas à point ? Écrivez-nous : nous trouverons une "
            "solution.",
        ),
        hours=weekly(
            ((TUE, WED, THU, FRI), ("9:00-12:30", "15:00-19:00")),
            ((SAT,), ("8:30-13:00", "14:30-19:00")),
            ((SUN,), ("9:00-12:30",)),
        ),
        pickup_slots=(
            PickupSlots(TUE_TO_SAT, "10:00-12:00", 30, 4),
            PickupSlots(TUE_TO_SAT, "16:00-18:30", 30, 4),
        ),
        deliveries=(PICKUP, bike(390, 3500)),
        closures=(Closure("Congés d'été", 10, month_day=(8, 18)),),
        owner=_merchant("Sophie", "Lambert", "fromagerie", "06 39 98 20 02"),
    ),
    DemoShop(
        assortment="librairie",
        sku_prefix="LIB",
        slug="librairie-les-mots-passants",
        name="Librairie Les Mots Passants",
        trade="Librairie",
        legal_name="Les Mots Passants SCOP",
        siret="60923177400017",
        vat_number="FR91609231774",
        address_line="27 quai de la Loire",
        phone="02 61 91 00 03",
        email="librairie@motspassants.test",
        description=(
            "Librairie indépendante généraliste : romans, essais, bandes dessinées et un grand "
            "rayon jeunesse. Nous commandons tout livre disponible chez l'éditeur et recevons "
            "des auteurs un samedi par mois."
        ),
        return_policy=return_policy(
            "les livres et articles de papeterie",
            "les livres dédicacés à votre nom et les journaux ou magazines ne sont pas repris.",
            "Les frais d'envoi des livres suivent la loi (3 € minimum en dessous de 35 €).",
        ),
        hours=weekly(
            ((TUE, WED, THU, FRI), ("10:00-12:30", "14:00-19:00")),
            ((SAT,), ("10:00-19:00",)),
        ),
        deliveries=(PICKUP, colissimo(300)),
        closures=(
            Closure("Inventaire annuel", 1, month_day=(1, 7)),
            Closure("Salon du livre jeunesse de Saumur : toute l'équipe y est", 2, in_days=40),
        ),
        owner=_merchant("Étienne", "Rivière", "librairie", "06 39 98 20 03"),
    ),
    DemoShop(
        assortment="fleuriste",
        sku_prefix="FLE",
        slug="l-atelier-des-fleurs",
        name="L'Atelier des Fleurs",
        trade="Fleuriste",
        legal_name="EURL Fontaine Fleurs",
        siret="44322499300024",
        vat_number="FR58443224993",
        address_line="8 rue des Tanneurs",
        phone="02 61 91 00 04",
        email="atelier@fleurs-fontaine.test",
        description=(
            "Fleurs de saison, cultivées autant que possible en Anjou, plantes d'intérieur et "
            "compositions pour les mariages et les deuils. Chaque bouquet est monté à la "
            "commande."
        ),
        return_policy=return_policy(
            "les plantes en pot et les accessoires (vases, cache-pots) non utilisés",
            "les fleurs coupées, bouquets et compositions, qui se détériorent rapidement, et "
            "les créations sur mesure (mariage, deuil, événements) ne sont ni reprises ni "
            "échangées.",
        ),
        hours=weekly(
            (TUE_TO_SAT, ("9:00-12:30", "14:30-19:00")),
            ((SUN,), ("9:00-13:00",)),
        ),
        pickup_slots=(
            PickupSlots(TUE_TO_SAT, "10:00-12:00", 30, 3),
            PickupSlots(TUE_TO_SAT, "15:00-18:30", 30, 3),
            PickupSlots((SUN,), "9:30-12:30", 60, 3),
        ),
        deliveries=(PICKUP, bike(490, 6000)),
        closures=(
            Closure("Congés", 7, month_day=(8, 25)),
            Closure("Formation art floral à Angers", 2, in_days=16),
        ),
        owner=_merchant("Léa", "Fontaine", "fleuriste", "06 39 98 20 04"),
    ),
    DemoShop(
        assortment="caviste",
        sku_prefix="CAV",
        slug="la-cave-du-coteau",
        name="La Cave du Coteau",
        trade="Caviste",
        legal_name="La Cave du Coteau SARL",
        siret="57747151900014",
        vat_number="FR01577471519",
        address_line="41 Grande Rue",
        phone="02 61 91 00 05",
        email="cave@cave-du-coteau.test",
        description=(
            "Vins de Loire avant tout (Anjou, Saumur, Touraine, Sancerre), quelques belles "
            "bouteilles d'ailleurs et des spiritueux de petits producteurs. Dégustation "
            "commentée le premier vendredi du mois. " + ALCOHOL_NOTICE
        ),
        return_policy=return_policy(
            "les bouteilles non ouvertes, conservées à l'abri de la chaleur et de la lumière,",
            "les vins vendus en primeur (livrés plus de 30 jours après l'achat, au prix du "
            "marché) et les coffrets composés selon vos choix ne sont pas repris.",
            ALCOHOL_NOTICE,
        ),
        hours=weekly(
            ((MON,), ("15:00-19:30",)),
            (TUE_TO_SAT, ("9:30-12:30", "15:00-19:30")),
            ((SUN,), ("10:00-12:30",)),
        ),
        deliveries=(
            PICKUP,
            bike(490, 6000),
            colissimo(990, 15000, "carton protecteur, 6 bouteilles au plus par colis"),
        ),
        closures=(Closure("Vendanges chez nos vignerons", 5, month_day=(9, 22)),),
        owner=_merchant("Thomas", "Chevallier", "caviste", "06 39 98 20 05"),
    ),
    DemoShop(
        assortment="primeur",
        sku_prefix="PRI",
        slug="le-panier-du-val",
        name="Le Panier du Val",
        trade="Primeur",
        legal_name="Benali Primeurs EI",
        siret="59256429800012",
        vat_number="FR96592564298",
        address_line="5 rue du Pont",
        phone="02 61 91 00 06",
        email="panier@panier-du-val.test",
        description=(
            "Fruits et légumes de saison achetés chaque matin aux maraîchers du Val de Loire "
            "et au marché de gros d'Angers. Champignons des caves de Saumur, paniers "
            "composés pour la semaine."
        ),
        return_policy=return_policy(
            "les produits d'épicerie (miel, noix, jus) non ouverts",
            "les fruits et légumes frais, qui se détériorent rapidement, ne sont ni repris ni "
            "échangés.",
            "Un fruit abîmé à la livraison ? Envoyez-nous une photo par la messagerie : il "
            "est remboursé.",
        ),
        hours=weekly(
            (MON_TO_SAT, ("8:00-13:00", "15:30-19:30")),
            ((SUN,), ("8:30-12:30",)),
        ),
        pickup_slots=(
            PickupSlots(MON_TO_SAT, "9:00-12:00", 30, 6),
            PickupSlots(MON_TO_SAT, "17:00-19:00", 30, 6),
        ),
        deliveries=(PICKUP, bike(350, 3000)),
        closures=(Closure("Congés d'hiver", 7, month_day=(2, 16)),),
        owner=_merchant("Karim", "Benali", "primeur", "06 39 98 20 06"),
    ),
    DemoShop(
        assortment="boucherie",
        sku_prefix="BOU",
        slug="boucherie-charcuterie-moreau",
        name="Boucherie-Charcuterie Moreau",
        trade="Boucherie-charcuterie",
        legal_name="Moreau et Fils SARL",
        siret="42572187500028",
        vat_number="FR05425721875",
        address_line="14 rue des Halles",
        phone="02 61 91 00 07",
        email="boucherie@moreau-et-fils.test",
        description=(
            "Viandes de races locales (rouge des prés, charolaise) achetées sur pied dans le "
            "Maine-et-Loire, volailles fermières de Loué. Rillettes, rillons et pâtés faits "
            "maison selon la recette familiale."
        ),
        return_policy=return_policy(
            "les conserves et bocaux non ouverts",
            "les viandes, volailles, charcuteries et plats cuisinés, denrées périssables, "
            "ainsi que les pièces préparées à votre demande (rôtis farcis, caissettes) ne "
            "sont ni repris ni échangés.",
        ),
        hours=weekly(
            (TUE_TO_SAT, ("8:00-12:45", "15:30-19:15")),
            ((SUN,), ("8:30-12:30",)),
        ),
        pickup_slots=(
            PickupSlots(TUE_TO_SAT, "9:00-12:30", 30, 5),
            PickupSlots(TUE_TO_SAT, "16:00-19:00", 30, 5),
            PickupSlots((SUN,), "9:00-12:00", 30, 5),
        ),
        deliveries=(PICKUP, bike(450, 5000)),
        closures=(
            Closure("Congés annuels", 14, month_day=(7, 20)),
            Closure("Formation hygiène et sécurité alimentaire", 1, in_days=10),
        ),
        owner=_merchant("Pierre", "Moreau", "boucherie", "06 39 98 20 07"),
    ),
    DemoShop(
        assortment="epicerie",
        sku_prefix="EPI",
        slug="les-saveurs-de-leonie",
        name="Les Saveurs de Léonie",
        trade="Épicerie fine",
        legal_name="Les Saveurs de Léonie SAS",
        siret="52952925700014",
        vat_number="FR62529529257",
        address_line="2 place de l'Église",
        phone="02 61 91 00 08",
        email="bonjour@saveurs-leonie.test",
        description=(
            "Épicerie fine de producteurs : conserves de la mer, confitures artisanales, "
            "huiles, épices et biscuits. Coffrets et paniers garnis composés pour vos "
            "cadeaux."
        ),
        return_policy=return_policy(
            "les produits d'épicerie non ouverts",
            "le foie gras mi-cuit, produit frais, et les coffrets ou paniers garnis composés "
            "selon vos choix ne sont pas repris.",
        ),
        hours=weekly(
            ((MON,), ("14:30-19:00",)),
            (TUE_TO_SAT, ("9:30-13:00", "14:30-19:00")),
        ),
        deliveries=(PICKUP, bike(390, 4000), colissimo(690, 6000)),
        closures=(Closure("Congés d'hiver", 6, month_day=(1, 12)),),
        owner=_merchant("Léonie", "Garnier", "epicerie", "06 39 98 20 08"),
    ),
    DemoShop(
        assortment="poissonnerie",
        sku_prefix="POI",
        slug="la-maree-ligerienne",
        name="La Marée Ligérienne",
        trade="Poissonnerie",
        legal_name="SARL La Marée Ligérienne",
        siret="33281595000016",
        vat_number="FR90332815950",
        address_line="19 rue Victor-Hugo",
        phone="02 61 91 00 09",
        email="maree@maree-ligerienne.test",
        description=(
            "Arrivages quotidiens des criées de La Turballe et des Sables-d'Olonne, poissons "
            "de Loire de nos pêcheurs professionnels, huîtres et plateaux de fruits de mer "
            "sur commande."
        ),
        return_policy=return_policy(
            "les conserves et produits d'épicerie de la mer non ouverts",
            "les poissons, coquillages, crustacés et plats du traiteur, denrées périssables, "
            "et les plateaux préparés à votre demande ne sont ni repris ni échangés.",
        ),
        hours=weekly(
            ((TUE, THU, FRI, SAT), ("8:00-12:30", "16:00-19:00")),
            ((WED, SUN), ("8:00-12:30",)),
        ),
        pickup_slots=(PickupSlots(TUE_TO_SUN, "9:00-12:00", 30, 4),),
        deliveries=(PICKUP,),
        closures=(Closure("Congés annuels", 12, month_day=(3, 3)),),
        owner=_merchant("Yann", "Le Gall", "poissonnerie", "06 39 98 20 09"),
    ),
    DemoShop(
        assortment="chocolatier",
        sku_prefix="CHO",
        slug="chocolaterie-bonnefoy",
        name="Chocolaterie Bonnefoy",
        trade="Chocolatier",
        legal_name="Bonnefoy Chocolatier SAS",
        siret="32464219800026",
        vat_number="FR46324642198",
        address_line="6 rue du Château",
        phone="02 61 91 00 10",
        email="chocolaterie@bonnefoy.test",
        description=(
            "Chocolats de la fève à la tablette depuis trois générations : grands crus, "
            "bonbons pralinés et ganaches, confiseries maison et créations de Pâques et de "
            "Noël."
        ),
        return_policy=return_policy(
            "les tablettes, ballotins et confiseries non ouverts, conservés entre 15 et 18 °C,",
            "les produits descellés après la livraison (protection de l'hygiène) et les "
            "créations personnalisées sur commande ne sont pas repris.",
        ),
        hours=weekly(
            (TUE_TO_SAT, ("9:30-12:30", "14:00-19:00")),
            ((SUN,), ("10:00-12:30",)),
        ),
        pickup_slots=(PickupSlots(TUE_TO_SAT, "14:00-18:00", 60, 4),),
        deliveries=(PICKUP, colissimo(790, 7000, "colis isotherme de mai à septembre")),
        closures=(Closure("Congés d'été", 21, month_day=(7, 28)),),
        owner=_merchant("Hélène", "Bonnefoy", "chocolatier", "06 39 98 20 10"),
    ),
    DemoShop(
        assortment="quincaillerie",
        sku_prefix="QUI",
        slug="quincaillerie-lebrun",
        name="Quincaillerie Lebrun",
        trade="Quincaillerie",
        legal_name="Établissements Lebrun SARL",
        siret="83047858200018",
        vat_number="FR70830478582",
        address_line="33 avenue de la Gare",
        phone="02 61 91 00 11",
        email="quincaillerie@lebrun.test",
        description=(
            "La quincaillerie du centre depuis 1952 : visserie au détail, outillage, "
            "électricité, jardin et entretien. Reproduction de clés et découpe de verre sur "
            "mesure à l'atelier."
        ),
        return_policy=return_policy(
            "les articles non utilisés",
            "les découpes sur mesure (verre, tringles) et les reproductions de clés ne sont "
            "pas reprises.",
        ),
        hours=weekly(
            ((MON, TUE, WED, THU, FRI), ("8:30-12:00", "14:00-18:30")),
            ((SAT,), ("9:00-12:30", "14:00-18:00")),
        ),
        deliveries=(PICKUP, bike(590, 8000)),
        closures=(Closure("Inventaire", 2, in_days=30),),
        owner=_merchant("Gérard", "Lebrun", "quincaillerie", "06 39 98 20 11"),
    ),
    DemoShop(
        assortment="papeterie",
        sku_prefix="PAP",
        slug="le-coin-des-ecoliers",
        name="Le Coin des Écoliers",
        trade="Papeterie-jouets",
        legal_name="Le Coin des Écoliers EURL",
        siret="62799531900019",
        vat_number="FR74627995319",
        address_line="9 rue des Mariniers",
        phone="02 61 91 00 12",
        email="bonjour@coin-des-ecoliers.test",
        description=(
            "Fournitures scolaires et de bureau, jeux de société, jouets en bois et loisirs "
            "créatifs. Nous préparons les listes de fournitures de la rentrée."
        ),
        return_policy=return_policy(
            "les articles dans leur emballage d'origine",
            "les articles personnalisés (faire-part, tampons gravés) et les listes de "
            "fournitures préparées selon la liste de votre enfant ne sont pas repris.",
        ),
        hours=weekly(
            ((MON,), ("14:00-19:00",)),
            (TUE_TO_SAT, ("9:30-12:30", "14:00-19:00")),
        ),
        deliveries=(PICKUP, colissimo(590, 5000)),
        closures=(Closure("Congés", 7, month_day=(2, 23)),),
        owner=_merchant("Margaux", "Perrot", "papeterie", "06 39 98 20 12"),
    ),
    DemoShop(
        assortment="torrefacteur",
        sku_prefix="TOR",
        slug="brulerie-des-halles",
        name="Brûlerie des Halles",
        trade="Torréfacteur (café & thé)",
        legal_name="Brûlerie des Halles SAS",
        siret="89722559500023",
        vat_number="FR32897225595",
        address_line="22 rue Jean-Jaurès",
        phone="02 61 91 00 13",
        email="cafe@brulerie-des-halles.test",
        description=(
            "Cafés de spécialité torréfiés chaque semaine dans la boutique, en grains ou "
            "moulus à la demande, thés et infusions en vrac, et tout le nécessaire pour les "
            "préparer."
        ),
        return_policy=return_policy(
            "les paquets scellés et les accessoires non utilisés",
            "les paquets ouverts et les cafés moulus selon la mouture que vous avez choisie "
            "ne sont pas repris.",
        ),
        hours=weekly(
            (TUE_TO_SAT, ("9:00-12:30", "14:30-19:00")),
            ((SUN,), ("9:30-12:30",)),
        ),
        pickup_slots=(
            PickupSlots(TUE_TO_SAT, "10:00-12:00", 30, 3),
            PickupSlots(TUE_TO_SAT, "15:00-18:30", 30, 3),
        ),
        deliveries=(PICKUP, bike(290, 2500), colissimo(490, 4500)),
        closures=(Closure("Congés d'été", 10, month_day=(8, 1)),),
        owner=_merchant("Antoine", "Delorme", "torrefacteur", "06 39 98 20 13"),
    ),
    DemoShop(
        assortment="bieres",
        sku_prefix="BIE",
        slug="le-houblon-ligerien",
        name="Le Houblon Ligérien",
        trade="Cave à bières",
        legal_name="Le Houblon Ligérien SARL",
        siret="71554698200011",
        vat_number="FR15715546982",
        address_line="1 place de la Mairie",
        phone="02 61 91 00 14",
        email="cave@houblon-ligerien.test",
        description=(
            "Plus de 200 références de bières artisanales, dont une trentaine brassées en "
            "Pays de la Loire, cidres et poirés fermiers, fûts et tireuses pour vos fêtes. "
            + ALCOHOL_NOTICE
        ),
        return_policy=return_policy(
            "les bouteilles et canettes non ouvertes",
            "les coffrets composés selon vos choix ne sont pas repris ; les fûts sont "
            "consignés et la tireuse louée, ils se rendent selon les conditions de location.",
            ALCOHOL_NOTICE,
        ),
        hours=weekly(
            ((TUE, WED, THU), ("15:00-20:00",)),
            ((FRI, SAT), ("10:00-13:00", "15:00-20:30")),
        ),
        deliveries=(PICKUP, bike(390, 4000)),
        closures=(
            Closure("Fête de la bière de Montlouvier : retrouvez-nous sur le stand", 2, in_days=19),
        ),
        owner=_merchant("Lucas", "Marchal", "bieres", "06 39 98 20 14"),
    ),
    # A merchant who has just applied: the operator has this shop to approve.
    DemoShop(
        assortment="savonnerie",
        sku_prefix="SAV",
        slug="savonnerie-de-la-levee",
        name="Savonnerie de la Levée",
        trade="Savonnerie artisanale",
        legal_name="Inès Roussel EI",
        siret="79926009600018",
        vat_number="FR52799260096",
        address_line="7 chemin de la Levée",
        phone="02 61 91 00 15",
        email="contact@savonnerie-levee.test",
        description=(
            "Savons saponifiés à froid au lait d'ânesse et aux huiles végétales, cosmétiques "
            "solides sans emballage plastique, fabriqués dans mon atelier au bord de la Levée."
        ),
        return_policy=return_policy(
            "les savons et cosmétiques dans leur emballage scellé",
            "les produits descellés après la livraison (protection de l'hygiène) ne sont pas "
            "repris.",
        ),
        hours=weekly(((WED, THU, FRI, SAT), ("10:00-12:30", "14:30-18:30"))),
        deliveries=(PICKUP,),
        owner=_merchant("Inès", "Roussel", "savonnerie", "06 39 98 20 15"),
        status=ShopStatus.pending,
    ),
)


SHOPPERS: tuple[Person, ...] = (
    Person("Claire", "Martin", "claire.martin@exemple.test", "06 39 98 10 01"),
    Person("Julien", "Lefèvre", "julien.lefevre@exemple.test", "06 39 98 10 02"),
    Person("Amina", "Haddad", "amina.haddad@exemple.test", "06 39 98 10 03"),
)
OPERATOR = Person("Nadia", "Perrin", "operateur@comptoir.test", "02 61 91 00 99")


def shop_by_assortment(assortment: str) -> DemoShop:
    """The demo shop selling `assortment` (KeyError when there is none)."""
    for shop in SHOPS:
        if shop.assortment == assortment:
            return shop
    raise KeyError(assortment)
