"""Non-food shops of the demo town: bookshop, florist, hardware store, stationer and the
soap maker who is waiting for approval. Book titles and authors are invented.
"""

from __future__ import annotations

from demo.catalogue import (
    VAT_FOOD,
    VAT_INTERMEDIATE,
    VAT_STANDARD,
    Format,
    ProductRange,
    Variety,
)

V = Variety
F = Format

LIBRAIRIE: tuple[ProductRange, ...] = (
    ProductRange(
        "livres",
        VAT_FOOD,
        (
            V("Les Mariniers de la Loire", 2200, "Roman. Trois générations de bateliers "
              "entre Nantes et Orléans, de la marine à voile au chemin de fer.",
              brand="Hélène Variot"),
            V("L'Été des hirondelles", 2090, "Roman. Une adolescente découvre les secrets "
              "de la maison de sa grand-mère, en Touraine.", brand="Camille Aubrac"),
            V("Le Dernier Passeur", 2190, "Roman policier. Un corps dans un bac à chaîne, "
              "une commissaire de Saumur et un village qui se tait.", brand="Louis Tanguy"),
            V("Nuits de tuffeau", 2290, "Thriller. Des disparitions dans les caves "
              "troglodytiques du Saumurois.", brand="Marc-Antoine Royer"),
            V("La Maison aux volets bleus", 1990, "Roman. Deux sœurs héritent d'une maison "
              "au bord de la Loire et d'une dispute vieille de trente ans.",
              brand="Anne Delcourt"),
            V("Ce que murmure le fleuve", 2100, "Roman. Un ingénieur revient dans son "
              "village natal pour étudier la crue de la Loire.", brand="Paul Séverac"),
            V("Les Heures claires", 1950, "Nouvelles. Douze histoires de gens ordinaires "
              "un dimanche de juin.", brand="Inès Moreau-Lacaze"),
            V("Le Jardin d'Octave", 2000, "Roman. Un vieux jardinier et un enfant que "
              "personne n'écoute.", brand="Thibault Garnier"),
            V("Vers l'estuaire", 2250, "Roman d'aventures. Une descente de la Loire en "
              "canoë, d'Orléans à Saint-Nazaire.", brand="Julie Kervella"),
            V("La Cuisinière du château", 2150, "Roman historique. Les cuisines d'un "
              "château de la Loire à la Renaissance.", brand="Hélène Variot"),
            V("Un hiver à Montlouvier", 1890, "Roman. La chronique douce-amère d'une petite "
              "ville pendant l'hiver 1956.", brand="Bernard Ollivier-Roy"),
            V("Les Oiseaux de passage", 2050, "Roman. Une ornithologue compte les sternes "
              "sur les grèves de Loire.", brand="Claire Ménard"),
        ),
        formats=(F("grand format", 1.0), F("poche", 0.4)),
        unit="livre",
        stock=(2, 12),
    ),
    ProductRange(
        "livres",
        VAT_FOOD,
        (
            V("Histoire de la batellerie ligérienne", 3500, "Essai illustré sur les "
              "gabares, les toues et les chalands de Loire.", brand="Jean-Pierre Dutertre"),
            V("Le Val de Loire vu du ciel", 3900, "Beau livre de photographies aériennes, "
              "de Sully-sur-Loire à Chalonnes.", brand="Éric Lavaud"),
            V("Cuisiner la Loire", 2900, "Cent recettes des bords de Loire, du sandre au "
              "beurre blanc à la fouée.", brand="Martine Rousseau"),
            V("Le Guide des vins de Loire", 2490, "Les appellations, les cépages et cent "
              "vignerons à rencontrer.", brand="Sylvain Perrot"),
            V("Petite philosophie du jardin", 1800, "Essai sur le temps, la patience et "
              "les saisons.", brand="Mathieu Lorrain"),
            V("Randonnées autour de Saumur", 1590, "Trente balades à pied et à vélo, cartes "
              "et dénivelés.", brand="Collectif Rando Anjou"),
        ),
        unit="livre",
        stock=(2, 10),
    ),
    ProductRange(
        "bd-jeunesse",
        VAT_FOOD,
        (
            V("Les Enquêtes de Zoé Castor, tome 1", 1200, "Bande dessinée jeunesse dès "
              "8 ans : une castor détective sur les bords de Loire.", brand="Nina Berthier"),
            V("Les Enquêtes de Zoé Castor, tome 2", 1200, "Le trésor du moulin englouti.",
              brand="Nina Berthier"),
            V("Capitaine Gabare", 1450, "Bande dessinée d'aventure : des pirates d'eau "
              "douce au XVIIIe siècle.", brand="Yves Lemarchand"),
            V("Le Roi des sables", 1690, "Roman graphique sur un été d'enfance au bord du "
              "fleuve.", brand="Sarah Nguyen"),
            V("Mon imagier de la rivière", 990, "Tout-carton dès 1 an : les animaux de la "
              "Loire.", brand="Léa Fontan"),
            V("La Petite Loutre qui n'aimait pas l'eau", 1350, "Album dès 3 ans.",
              brand="Agathe Rivet"),
            V("Le Château des sept énigmes", 1490, "Roman jeunesse dès 9 ans, un livre dont "
              "vous êtes le héros.", brand="Hugo Martel"),
            V("Dis, pourquoi la Loire déborde ?", 1590, "Documentaire dès 7 ans sur les "
              "crues, les levées et les saisons du fleuve.", brand="Pauline Ravel"),
        ),
        unit="livre",
        stock=(2, 12),
    ),
    ProductRange(
        "papeterie",
        VAT_STANDARD,
        (
            V("Carnet de lecture", 1290, "Carnet relié toilé pour noter vos lectures, "
              "160 pages."),
            V("Marque-pages en cuir", 590, "Cuir tanné végétal, gravé « Les Mots "
              "Passants »."),
            V("Agenda perpétuel illustré", 1690, "Un carnet pour noter les anniversaires, "
              "illustré par une artiste de Montlouvier."),
            V("Sac en toile de la librairie", 990, "Coton bio, sérigraphié à Angers."),
        ),
        stock=(4, 20),
    ),
    ProductRange(
        "livres",
        VAT_FOOD,
        (
            V("Livre dédicacé par l'auteur du mois", 2200, "Le roman de l'auteur invité "
              "ce mois-ci, dédicacé à votre nom lors de la rencontre.", on_order=True),
            V("Commande spéciale chez l'éditeur", 2000, "Tout livre disponible chez "
              "l'éditeur : précisez le titre dans la messagerie, nous confirmons le prix "
              "et le délai.", on_order=True),
        ),
        unit="livre",
    ),
)

# Bouquets and arrangements are made to order: the florist confirms each one.
BOUQUET_SIZES = (
    F("petit", 1.0, on_order=True),
    F("moyen", 1.5, on_order=True),
    F("généreux", 2.2, on_order=True),
)

FLEURISTE: tuple[ProductRange, ...] = (
    ProductRange(
        "fleurs-plantes",
        VAT_INTERMEDIATE,
        (
            V("Bouquet de saison", 2500, "Composé selon l'arrivage du jour, fleurs "
              "d'Anjou en priorité."),
            V("Bouquet champêtre", 2900, "Fleurs des champs, graminées et feuillages "
              "souples."),
            V("Bouquet de roses", 3500, "Roses parfumées de l'Anjou, une couleur ou "
              "panachées."),
            V("Bouquet de pivoines", 3900, "En mai et juin, pivoines odorantes en "
              "boutons."),
            V("Bouquet tout blanc", 3200, "Roses, lisianthus et eucalyptus, pour un "
              "mariage ou une naissance."),
        ),
        formats=BOUQUET_SIZES,
        unit="bouquet",
    ),
    ProductRange(
        "fleurs-plantes",
        VAT_INTERMEDIATE,
        (
            V("Rose d'Anjou", 350, "Rose parfumée cultivée sous serre à Doué-la-Fontaine."),
            V("Tulipe", 180, "Tulipes de saison, de janvier à avril."),
            V("Renoncule", 250, "Pétales en papier de soie, nombreuses couleurs."),
            V("Pivoine", 490, "En mai et juin seulement."),
            V("Lys blanc", 450, "Très parfumé, étamines retirées."),
            V("Gerbera", 290, "Couleurs vives, longue tenue en vase."),
            V("Anémone", 220, "Cœur noir et pétales éclatants, en hiver."),
            V("Dahlia", 300, "De juillet à octobre, du maraîcher-fleuriste de Brain-sur-"
              "l'Authion."),
            V("Chrysanthème", 250, "Fleur d'automne aux mille pétales."),
        ),
        formats=(F("à la tige", 1.0, unit="tige"), F("botte de 10", 9.0, unit="botte")),
        stock=(10, 60),
    ),
    ProductRange(
        "fleurs-plantes",
        VAT_INTERMEDIATE,
        (
            V("Monstera deliciosa", 1990, "Grandes feuilles découpées, lumière indirecte."),
            V("Pothos doré", 1290, "Plante retombante, très facile à vivre."),
            V("Calathea", 1790, "Feuilles zébrées qui se referment le soir."),
            V("Ficus lyrata", 2990, "Feuilles en forme de violon."),
            V("Orchidée phalaenopsis", 2490, "Deux hampes fleuries, arrosage une fois par "
              "semaine."),
            V("Sansevieria", 1490, "Résiste à l'oubli et à l'ombre."),
            V("Pilea peperomioides", 1190, "La « plante à monnaie » aux feuilles rondes."),
        ),
        formats=(F("pot de 12 cm", 1.0, unit="pot"), F("pot de 17 cm", 1.8, unit="pot")),
        stock=(3, 12),
    ),
    ProductRange(
        "jardin",
        VAT_INTERMEDIATE,
        (
            V("Lavande d'Angleterre", 890, "Pot de 2 litres, rustique et mellifère."),
            V("Hortensia bleu", 2290, "Pot de 4 litres, terre de bruyère conseillée."),
            V("Géranium lierre", 490, "Pour les jardinières et balcons ensoleillés."),
            V("Olivier en pot", 4990, "Un mètre de haut, à rentrer par grand froid."),
            V("Rosier grimpant parfumé", 2490, "Obtention angevine, floraison remontante."),
        ),
        unit="pot",
        stock=(2, 10),
    ),
    ProductRange(
        "fleurs-plantes",
        VAT_INTERMEDIATE,
        (
            V("Couronne de deuil", 9000, "Couronne de fleurs fraîches, ruban personnalisé "
              "inclus, livrée au lieu de la cérémonie sur demande."),
            V("Raquette de deuil", 7500, "Composition de fleurs fraîches sur mousse, ruban "
              "personnalisé inclus."),
            V("Bouquet de mariée", 12000, "Réalisé après un rendez-vous à l'atelier, selon "
              "votre robe et vos couleurs."),
            V("Boutonnière", 1500, "Assortie au bouquet de mariée."),
        ),
        formats=(F("", 1.0, on_order=True),),
    ),
    ProductRange(
        "arts-de-la-table",
        VAT_STANDARD,
        (
            V("Vase en grès", 2900, "Grès émaillé tourné à Montsoreau, 25 cm."),
            V("Cache-pot en zinc", 1900, "Zinc patiné, diamètre 18 cm."),
            V("Terreau pour plantes d'intérieur", 990, "Sac de 20 litres, sans tourbe.",
              vat_rate_bp=VAT_INTERMEDIATE),
        ),
        stock=(2, 12),
    ),
)

QUINCAILLERIE: tuple[ProductRange, ...] = (
    ProductRange(
        "bricolage",
        VAT_STANDARD,
        (
            V("Vis à bois tête fraisée 4 × 40 mm", 590, "Acier zingué, empreinte Pozidriv."),
            V("Vis pour aggloméré 3,5 × 30 mm", 490, "Filetage total, pointe auto-"
              "perceuse."),
            V("Chevilles nylon 6 mm", 390, "Pour brique pleine et béton."),
            V("Pointes tête plate 2,5 × 50 mm", 450, "Acier brut, pour la charpente légère."),
            V("Boulons tête hexagonale M8 × 60", 690, "Avec écrous et rondelles."),
            V("Vis inox pour terrasse 5 × 50 mm", 1290, "Inox A2, tête fraisée, pour le "
              "bois extérieur."),
        ),
        formats=(F("boîte de 100", 1.0, unit="boîte"), F("boîte de 500", 4.2, unit="boîte")),
        stock=(5, 30),
    ),
    ProductRange(
        "bricolage",
        VAT_STANDARD,
        (
            V("Marteau de menuisier", 1890, "Tête de 300 g, manche en frêne."),
            V("Jeu de six tournevis", 1990, "Plats et cruciformes, lames chrome-vanadium."),
            V("Pince multiprise", 1590, "Réglage rapide, 250 mm."),
            V("Mètre ruban 5 m", 990, "Ruban 19 mm, boîtier antichoc."),
            V("Niveau à bulle 60 cm", 1690, "Aluminium, trois fioles."),
            V("Scie égoïne", 1490, "Denture trempée, 500 mm."),
            V("Perceuse-visseuse sans fil 18 V", 8990, "Deux batteries, chargeur et "
              "coffret.", brand="Outillage Ligérien"),
            V("Coffret de forets", 1990, "Bois, métal et béton, 15 pièces."),
            V("Cutter à lame sécable", 590, "Lame de 18 mm, blocage automatique."),
            V("Clé à molette", 1390, "Ouverture 30 mm, 250 mm."),
        ),
        stock=(2, 12),
    ),
    ProductRange(
        "bricolage",
        VAT_STANDARD,
        (
            V("Ampoule LED E27", 590, "Lumière blanc chaud 2700 K, équivalent 60 W.",
              brand="Lumina"),
            V("Ampoule LED GU10", 490, "Spot 345 lm, blanc chaud.", brand="Lumina"),
            V("Rallonge trois prises 3 m", 1290, "Avec interrupteur, câble 3 × 1,5 mm²."),
            V("Multiprise parafoudre", 2490, "Six prises, protection contre les "
              "surtensions."),
            V("Piles alcalines AA", 590, "Paquet de quatre piles LR6."),
            V("Piles alcalines AAA", 590, "Paquet de quatre piles LR03."),
            V("Barrette de dominos", 290, "Douze bornes, 6 mm²."),
            V("Interrupteur va-et-vient", 690, "Blanc, à encastrer, avec plaque."),
        ),
        stock=(5, 30),
    ),
    ProductRange(
        "jardin",
        VAT_STANDARD,
        (
            V("Sécateur de jardin", 2490, "Lames franches en acier, coupe jusqu'à 20 mm."),
            V("Arrosoir 10 litres", 1490, "Plastique recyclé, pomme amovible."),
            V("Gants de jardinage", 690, "Paume enduite de latex, taille 8 à 10."),
            V("Tuyau d'arrosage 20 m", 2990, "Diamètre 15 mm, anti-vrille, raccords "
              "fournis."),
            V("Râteau à gazon", 1590, "Dents en acier, manche en frêne de 1,5 m."),
            V("Bêche", 2690, "Lame forgée, manche en frêne."),
            V("Terreau universel 40 litres", 990, "Pour potager et massifs."),
            V("Graines de tomates anciennes", 290, "Sachet de semences, variété Cœur de "
              "bœuf.", vat_rate_bp=VAT_INTERMEDIATE),
        ),
        stock=(3, 15),
    ),
    ProductRange(
        "maison-entretien",
        VAT_STANDARD,
        (
            V("Savon noir liquide", 590, "Bouteille d'un litre, à l'huile de lin."),
            V("Vinaigre blanc ménager", 250, "Bouteille d'un litre, 14 % d'acidité."),
            V("Cristaux de soude", 390, "Sac d'un kilo, pour dégraisser."),
            V("Éponges grattantes", 290, "Lot de trois."),
            V("Balai brosse", 1290, "Fibres dures, manche de 1,3 m."),
            V("Serpillière en coton", 390, "Coton épais, 50 × 80 cm."),
            V("Seau 10 litres avec essoreuse", 990, "Plastique recyclé."),
            V("Bicarbonate de soude", 350, "Boîte de 500 g, usage ménager."),
        ),
        stock=(5, 30),
    ),
    ProductRange(
        "bricolage",
        VAT_STANDARD,
        (
            V("Découpe de verre sur mesure", 4500, "Verre clair de 4 mm, prix au mètre "
              "carré : indiquez les dimensions, nous confirmons le prix exact.",
              on_order=True),
            V("Tringle à rideaux coupée sur mesure", 2490, "Acier noir mat, embouts et "
              "supports compris, jusqu'à 3 m.", on_order=True),
        ),
    ),
)

PAPETERIE: tuple[ProductRange, ...] = (
    ProductRange(
        "papeterie",
        VAT_STANDARD,
        (
            V("Cahier grands carreaux 24 × 32", 290, "96 pages, papier 90 g, couverture "
              "polypropylène."),
            V("Cahier petit format 17 × 22", 190, "96 pages, grands carreaux."),
            V("Classeur A4 quatre anneaux", 490, "Dos de 40 mm, carton rigide."),
            V("Copies doubles perforées", 390, "Paquet de 200 pages, grands carreaux."),
            V("Stylo bille bleu", 120, "Pointe moyenne, encre qui ne bave pas."),
            V("Crayons de couleur", 690, "Boîte de 24 couleurs, mine tendre."),
            V("Feutres de coloriage", 590, "Pochette de 12 feutres lavables."),
            V("Gomme blanche", 90, "Sans PVC, ne déchire pas le papier."),
            V("Taille-crayon à réservoir", 250, "Deux trous, lame en acier."),
            V("Règle plate 30 cm", 150, "Plastique incassable."),
            V("Compas de précision", 890, "Avec bague pour crayon, verrouillable."),
            V("Trousse en toile", 790, "Deux compartiments, toile recyclée."),
            V("Agenda scolaire", 990, "Une page par jour, de septembre à août."),
            V("Cartable d'écolier", 3990, "Dos rembourré, 38 cm, réfléchissant."),
            V("Colle en bâton", 190, "21 g, sans solvant."),
        ),
        stock=(10, 60),
    ),
    ProductRange(
        "papeterie",
        VAT_STANDARD,
        (
            V("Ramette de papier A4", 590, "500 feuilles, 80 g, certifié PEFC."),
            V("Enveloppes blanches", 390, "Paquet de 50, format DL, bande autocollante."),
            V("Notes repositionnables", 290, "Bloc de 100 feuilles jaunes, 76 × 76 mm."),
            V("Surligneurs", 490, "Quatre couleurs fluo."),
            V("Agrafeuse de bureau", 990, "Agrafe jusqu'à 20 feuilles, agrafes incluses."),
        ),
        stock=(5, 30),
    ),
    ProductRange(
        "jouets-jeux",
        VAT_STANDARD,
        (
            V("Jeu d'échecs en bois", 3490, "Plateau pliant de 40 cm et pièces en hêtre."),
            V("Jeu de dames", 2290, "Plateau de 10 × 10 cases et pions en bois."),
            V("Jeu de tarot", 690, "Soixante-dix-huit cartes, format traditionnel."),
            V("Jeu des petits chevaux", 1990, "Plateau réversible avec jeu de l'oie."),
            V("Mikado géant", 1490, "Baguettes en bois de 50 cm, dès 5 ans."),
            V("Dominos en bois", 1290, "Vingt-huit dominos dans une boîte coulissante."),
            V("Jeu de go", 3990, "Goban 19 × 19 en bambou et pierres en verre."),
            V("Jeu des sept familles de la Loire", 890, "Les métiers et les animaux du "
              "fleuve, dès 5 ans."),
        ),
        stock=(2, 10),
    ),
    ProductRange(
        "jouets-jeux",
        VAT_STANDARD,
        (
            V("Toupie en bois", 690, "Hêtre tourné et peint à l'eau."),
            V("Puzzle en bois 24 pièces", 1490, "Les animaux de la ferme, dès 3 ans."),
            V("Train en bois", 3490, "Locomotive, trois wagons et rails, dès 2 ans."),
            V("Cubes à empiler", 1990, "Dix cubes gigognes illustrés."),
            V("Yoyo en bois", 490, "Classique, avec sa ficelle en coton."),
            V("Bilboquet", 790, "Hêtre naturel, dès 6 ans."),
        ),
        stock=(2, 12),
    ),
    ProductRange(
        "loisirs-creatifs",
        VAT_STANDARD,
        (
            V("Pâte à modeler végétale", 890, "Six couleurs, sans gluten."),
            V("Gouache en tubes", 990, "Dix tubes de 10 ml, couleurs primaires et "
              "secondaires."),
            V("Lot de pinceaux", 690, "Six pinceaux ronds et plats."),
            V("Perles à repasser", 790, "Pot de 3 000 perles et deux plaques."),
            V("Kit d'origami", 990, "Cent feuilles et un livret de vingt modèles."),
            V("Carnet de croquis A5", 890, "Papier 120 g, 80 pages, reliure cousue."),
        ),
        stock=(3, 15),
    ),
    ProductRange(
        "papeterie",
        VAT_STANDARD,
        (
            V("Faire-part personnalisés", 4500, "Naissance, mariage ou baptême : texte et "
              "illustration validés avec vous avant l'impression."),
        ),
        formats=(
            F("25 exemplaires", 1.0, on_order=True),
            F("50 exemplaires", 1.7, on_order=True),
            F("100 exemplaires", 2.9, on_order=True),
        ),
        unit="lot",
    ),
    ProductRange(
        "papeterie",
        VAT_STANDARD,
        (
            V("Tampon gravé à votre nom", 1890, "Tampon en bois et caoutchouc, gravé sous "
              "une semaine.", on_order=True),
            V("Liste de fournitures préparée", 4500, "Envoyez-nous la liste de l'école : "
              "nous la préparons et confirmons le montant exact.", on_order=True),
        ),
    ),
)

SAVONNERIE: tuple[ProductRange, ...] = (
    ProductRange(
        "hygiene-beaute",
        VAT_STANDARD,
        (
            V("Savon au lait d'ânesse", 690, "Saponifié à froid, 30 % de lait d'ânesse de "
              "la ferme voisine, 100 g."),
            V("Savon à l'argile verte", 650, "Pour les peaux grasses, 100 g."),
            V("Savon surgras au karité", 650, "Pour les peaux sèches, 100 g."),
            V("Savon exfoliant au marc de café", 690, "Marc de la Brûlerie des Halles, "
              "100 g."),
            V("Shampoing solide à l'ortie", 890, "Cheveux normaux à gras, 80 g."),
            V("Déodorant solide à la sauge", 990, "Sans sels d'aluminium, 50 g."),
            V("Baume à lèvres au miel", 590, "Cire d'abeille et miel de Loire, 15 g."),
            V("Porte-savon en bois d'olivier", 890, "Laisse sécher le savon entre deux "
              "usages."),
        ),
        formats=(F("", 1.0),),
        stock=(5, 25),
    ),
    ProductRange(
        "coffrets-cadeaux",
        VAT_STANDARD,
        (
            V("Coffret trois savons", 1890, "Trois savons au choix dans une boîte en "
              "carton recyclé, composé à la commande.", on_order=True),
        ),
    ),
)

GOODS: dict[str, tuple[ProductRange, ...]] = {
    "librairie": LIBRAIRIE,
    "fleuriste": FLEURISTE,
    "quincaillerie": QUINCAILLERIE,
    "papeterie": PAPETERIE,
    "savonnerie": SAVONNERIE,
}
