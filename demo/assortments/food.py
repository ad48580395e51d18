"""Food shops of the demo town: bakery, cheese shop, greengrocer, butcher, fishmonger,
delicatessen and chocolate maker. Prices are in cents for the range's first format.
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

# Cakes, platters and boxes are made for the shopper: the merchant confirms first.
SERVES_4_6_8 = (
    F("pour 4 personnes", 1.0, on_order=True),
    F("pour 6 personnes", 1.45, on_order=True),
    F("pour 8 personnes", 1.9, on_order=True),
)
BY_WEIGHT_250_500 = (F("250 g", 1.0), F("500 g", 1.95))

BOULANGERIE: tuple[ProductRange, ...] = (
    ProductRange(
        "pain-viennoiseries",
        VAT_FOOD,
        (
            V("Baguette de tradition française", 130, "Pétrie lentement, fermentée 24 heures, "
              "croûte craquante et mie alvéolée."),
            V("Baguette classique", 110, "La baguette de tous les jours, cuite plusieurs fois "
              "par jour."),
            V("Ficelle aux graines", 150, "Baguette fine roulée dans le sésame, le lin et le "
              "tournesol."),
            V("Baguette aux céréales", 160, "Farine de blé et farine multicéréale, graines de "
              "courge et de millet."),
            V("Baguette à l'ancienne", 140, "Farine de meule de Touraine, levain et longue "
              "fermentation."),
        ),
        stock=(20, 80),
    ),
    ProductRange(
        "pain-viennoiseries",
        VAT_FOOD,
        (
            V("Pain de campagne au levain", 380, "Levain naturel, farine de blé T80 et pointe "
              "de seigle, cuit sur sole."),
            V("Pain complet", 420, "Farine complète T150 moulue sur meule de pierre."),
            V("Pain de seigle", 450, "Seigle majoritaire, mie dense et goût acidulé, parfait "
              "avec les huîtres."),
            V("Pain aux noix", 520, "Pain au levain généreusement garni de cerneaux de noix du "
              "Périgord."),
            V("Pain aux figues", 550, "Mie moelleuse et figues séchées, à servir avec les "
              "fromages."),
            V("Pain d'épeautre", 590, "Petit épeautre de Haute-Provence, goût de noisette."),
            V("Pain aux céréales", 450, "Mélange de graines de lin, sésame, tournesol et "
              "millet."),
            V("Pain de meule", 480, "Grosse miche à la farine de meule, croûte épaisse, se "
              "garde quatre jours."),
        ),
        formats=(F("500 g", 1.0), F("1 kg", 1.9)),
        stock=(4, 20),
    ),
    ProductRange(
        "pain-viennoiseries",
        VAT_FOOD,
        (
            V("Croissant pur beurre", 120, "Feuilletage au beurre AOP Charentes-Poitou, "
              "façonné à la main chaque matin."),
            V("Pain au chocolat", 135, "Deux barres de chocolat noir dans une pâte feuilletée "
              "pur beurre."),
            V("Pain aux raisins", 160, "Crème pâtissière à la vanille et raisins macérés."),
            V("Chausson aux pommes", 180, "Compote de pommes reinettes du Val de Loire, "
              "feuilletage caramélisé."),
            V("Brioche au sucre", 150, "Brioche au beurre parsemée de sucre perlé."),
            V("Croissant aux amandes", 220, "Croissant de la veille garni de crème d'amande et "
              "d'amandes effilées."),
            V("Kouign-amann", 250, "Pâte levée feuilletée au beurre demi-sel et au sucre, "
              "caramélisée."),
        ),
        formats=(F("à l'unité", 1.0), F("sachet de 6", 5.5, unit="sachet")),
        stock=(10, 40),
    ),
    ProductRange(
        "patisseries",
        VAT_FOOD,
        (
            V("Éclair au chocolat", 350, "Pâte à choux, crème pâtissière au chocolat noir "
              "66 %, glaçage brillant."),
            V("Tartelette aux fraises", 420, "Pâte sablée, crème diplomate et fraises de "
              "Saumur en saison."),
            V("Paris-Brest", 450, "Couronne de pâte à choux et crème mousseline au praliné "
              "noisette."),
            V("Millefeuille", 390, "Trois feuilletages caramélisés et crème pâtissière à la "
              "vanille de Madagascar."),
            V("Flan pâtissier", 290, "La part de flan à la vanille, pâte brisée maison."),
            V("Tarte Tatin, la part", 380, "Pommes caramélisées au beurre salé, pâte brisée "
              "croustillante."),
        ),
        stock=(4, 16),
    ),
    ProductRange(
        "patisseries",
        VAT_FOOD,
        (
            V("Fraisier", 2400, "Génoise, crème mousseline et fraises fraîches, réalisé la "
              "veille du retrait."),
            V("Forêt-noire", 2200, "Biscuit au cacao, chantilly et cerises griottes au "
              "kirsch."),
            V("Saint-Honoré", 2800, "Pâte feuilletée, choux caramélisés et crème chiboust."),
            V("Tarte Tatin entière", 2000, "La Tatin de Lamotte-Beuvron, servie tiède avec "
              "une crème fraîche."),
        ),
        formats=SERVES_4_6_8,
        unit="gâteau",
    ),
    ProductRange(
        "epicerie-sucree",
        VAT_FOOD,
        (
            V("Sablés nantais", 450, "Sablés au beurre frais et à la fleur de sel, sachet "
              "de 200 g."),
            V("Palets bretons", 490, "Palets épais au beurre demi-sel, sachet de 200 g."),
            V("Croquets aux amandes", 420, "Biscuits secs aux amandes entières, à tremper "
              "dans le café."),
            V("Macarons de Montlouvier", 590, "Macarons moelleux à l'ancienne, amande et "
              "blanc d'œuf, boîte de 8."),
        ),
        unit="sachet",
        stock=(8, 30),
    ),
)

FROMAGERIE: tuple[ProductRange, ...] = (
    ProductRange(
        "fromages",
        VAT_FOOD,
        (
            V("Comté AOP 18 mois", 690, "Pâte pressée cuite au lait cru du massif du Jura, "
              "notes de noisette et de beurre fondu.", brand="Fruitière des Granges"),
            V("Beaufort d'été AOP", 790, "Lait cru de vaches d'alpage, pâte fondante et "
              "parfum de fleurs."),
            V("Tomme de Savoie IGP", 480, "Croûte grise, pâte souple au goût de lait et de "
              "cave."),
            V("Morbier AOP", 520, "Sa raie de charbon végétal sépare la traite du matin de "
              "celle du soir."),
            V("Abondance AOP", 620, "Pâte pressée mi-cuite, légère amertume en fin de "
              "bouche."),
            V("Saint-Nectaire fermier AOP", 590, "Affiné sur paille de seigle, arômes de "
              "champignon et de noisette."),
            V("Mimolette extra-vieille", 560, "Vingt-deux mois d'affinage, pâte orange "
              "cassante et fruitée."),
            V("Cantal entre-deux AOP", 450, "Affiné quatre mois, doux et lactique."),
        ),
        formats=BY_WEIGHT_250_500,
        unit="part",
        stock=(6, 30),
    ),
    ProductRange(
        "fromages",
        VAT_FOOD,
        (
            V("Sainte-Maure-de-Touraine AOP", 650, "La bûche de chèvre cendrée traversée "
              "d'une paille de seigle, de notre voisin de Bossay-sur-Claise."),
            V("Selles-sur-Cher AOP", 520, "Petit palet de chèvre cendré, pâte fine et "
              "saveur de noisette."),
            V("Valençay AOP", 590, "Pyramide tronquée cendrée, douce et légèrement "
              "acidulée."),
            V("Crottin de Chavignol AOP", 290, "Petit chèvre de Sancerre, à déguster frais "
              "ou sec."),
            V("Pouligny-Saint-Pierre AOP", 790, "La « tour Eiffel » du Berry, pâte fine et "
              "salée."),
            V("Camembert de Normandie AOP au lait cru", 520, "Moulé à la louche, crémeux à "
              "cœur."),
            V("Pont-l'Évêque AOP", 620, "Pâte souple à croûte lavée, franc et onctueux."),
            V("Livarot AOP", 690, "Le « colonel », cerclé de laîches, goût puissant."),
            V("Époisses AOP", 890, "Croûte lavée au marc de Bourgogne, cœur coulant."),
            V("Rocamadour AOP", 190, "Petit palet de chèvre crémeux du Quercy."),
            V("Chabichou du Poitou AOP", 560, "Bonde de chèvre à la pâte fine et au goût "
              "de noisette."),
            V("Brillat-Savarin IGP", 790, "Triple-crème frais ou affiné, au lait de vache "
              "pasteurisé."),
            V("Roquefort AOP", 640, "Lait cru de brebis, affiné dans les caves du Combalou, "
              "part de 200 g."),
        ),
        stock=(4, 24),
    ),
    ProductRange(
        "cremerie",
        VAT_FOOD,
        (
            V("Beurre cru demi-sel", 480, "Baratté à l'ancienne, cristaux de sel de "
              "Guérande, motte de 250 g."),
            V("Beurre doux de baratte", 450, "Crème maturée douze heures, motte de 250 g."),
            V("Crème fraîche crue épaisse", 520, "Crème fermière au lait cru, pot de 50 cl."),
            V("Œufs fermiers plein air", 320, "Boîte de six œufs de poules élevées en plein "
              "air à Gennes."),
            V("Yaourts fermiers nature", 390, "Quatre pots en verre consignés, lait entier de "
              "la ferme des Noues."),
            V("Faisselle de vache", 350, "Caillé frais égoutté, à servir avec de la crème ou "
              "du miel."),
            V("Lait cru entier", 160, "Bouteille d'un litre, lait du jour à faire bouillir."),
        ),
        stock=(6, 30),
    ),
    ProductRange(
        "fromages",
        VAT_FOOD,
        (
            V("Plateau de fromages de Loire", 3200, "Chèvres de Touraine, pâte molle et "
              "pâte pressée, composé et étiqueté la veille."),
            V("Plateau tour de France des fromages", 3600, "Sept fromages de sept régions, "
              "avec leur fiche de dégustation."),
            V("Plateau raclette", 2800, "Raclette de Savoie au lait cru tranchée, compter "
              "200 g par personne."),
        ),
        formats=SERVES_4_6_8,
        unit="plateau",
    ),
    ProductRange(
        "arts-de-la-table",
        VAT_STANDARD,
        (
            V("Couteau à fromage", 1890, "Lame inox à deux pointes, manche en hêtre."),
            V("Planche à fromage en chêne", 3490, "Chêne massif de la forêt de Chandelais, "
              "40 × 25 cm."),
            V("Cloche à fromage", 2990, "Cloche en verre et plateau en bois, garde vos "
              "fromages à bonne humidité."),
            V("Lyre à fromage", 2490, "Fil inox tendu pour couper les pâtes molles et le "
              "roquefort sans les écraser."),
        ),
        stock=(2, 10),
    ),
)

PRIMEUR: tuple[ProductRange, ...] = (
    ProductRange(
        "fruits-legumes",
        VAT_FOOD,
        (
            V("Pommes de terre Charlotte", 290, "Chair ferme, idéale vapeur et en salade."),
            V("Carottes des sables", 250, "Carottes de Créances, sucrées et croquantes."),
            V("Poireaux", 320, "Poireaux de pleine terre du Val d'Authion."),
            V("Tomates cœur de bœuf", 590, "Tomates charnues cultivées en pleine terre, "
              "en saison."),
            V("Courgettes", 290, "Courgettes vertes du maraîcher de Saint-Clément."),
            V("Aubergines", 390, "Aubergines violettes à la peau brillante."),
            V("Poivrons rouges", 490, "Poivrons doux et charnus, à griller ou à farcir."),
            V("Oignons rosés", 350, "Oignons doux et légèrement sucrés."),
            V("Échalotes de tradition", 690, "Échalotes grises à la saveur fine."),
            V("Ail violet", 990, "Têtes d'ail violet séché, longue conservation."),
            V("Betteraves crues", 290, "Betteraves rouges à rôtir ou à râper."),
            V("Céleri-rave", 320, "Pour la rémoulade ou la purée."),
            V("Potimarron", 350, "Courge à la chair douce, goût de châtaigne."),
            V("Navets nouveaux", 390, "Petits navets blancs à cuire entiers."),
            V("Panais", 450, "Racine oubliée au goût sucré et anisé."),
            V("Haricots verts extra-fins", 890, "Cueillis à la main, à cuire à peine cinq "
              "minutes."),
        ),
        unit="kg",
        stock=(8, 40),
    ),
    ProductRange(
        "fruits-legumes",
        VAT_FOOD,
        (
            V("Laitue batavia", 150, "Grosse salade croquante du jour."),
            V("Mâche nantaise", 250, "Barquette de 150 g, mâche IGP lavée."),
            V("Roquette", 220, "Sachet de 100 g, poivrée et tendre."),
            V("Persil plat", 120, "La botte, cultivé sans traitement."),
            V("Ciboulette", 120, "La botte, à ciseler au dernier moment."),
            V("Coriandre", 130, "La botte, feuilles et tiges parfumées."),
            V("Radis roses", 160, "La botte de radis de dix-huit jours."),
        ),
        stock=(10, 40),
    ),
    ProductRange(
        "fruits-legumes",
        VAT_FOOD,
        (
            V("Pommes Reinette grise du Canada", 360, "Pomme acidulée du Val de Loire, "
              "parfaite pour les tartes."),
            V("Poires Williams", 420, "Poires juteuses et parfumées, à croquer mûres."),
            V("Fraises Gariguette", 990, "Fraises de Saumur, la barquette de 500 g."),
            V("Framboises", 650, "La barquette de 250 g, framboises de Loire-Atlantique."),
            V("Cerises Burlat", 890, "Cerises précoces, charnues et sucrées."),
            V("Abricots Bergeron", 590, "Abricots de la vallée du Rhône mûris sur l'arbre."),
            V("Pêches jaunes", 490, "Pêches juteuses de plein vent."),
            V("Melon charentais", 350, "La pièce, melon du Haut-Poitou IGP."),
            V("Raisin chasselas", 590, "Chasselas de Moissac AOP, grains dorés."),
            V("Kiwis de l'Adour", 450, "Kiwis IGP riches en vitamine C."),
            V("Oranges à jus", 290, "Oranges d'Espagne pour le jus du matin."),
            V("Citrons non traités", 490, "Zeste utilisable, citrons de Sicile."),
            V("Clémentines de Corse", 490, "Clémentines IGP avec leurs feuilles."),
            V("Bananes bio", 320, "Bananes de Guadeloupe issues de l'agriculture "
              "biologique."),
        ),
        unit="kg",
        stock=(8, 40),
    ),
    ProductRange(
        "fruits-legumes",
        VAT_FOOD,
        (
            V("Champignons de Paris", 690, "Cultivés dans les caves de tuffeau de Saumur."),
            V("Pleurotes", 1290, "Pleurotes grises des caves du Saumurois."),
            V("Shiitakés", 1890, "Champignons parfumés cultivés sur bûche à Montsoreau."),
        ),
        unit="kg",
        stock=(3, 12),
    ),
    ProductRange(
        "fruits-legumes",
        VAT_FOOD,
        (
            V("Panier de légumes de la semaine", 1800, "Légumes de saison choisis au marché, "
              "composé le matin du retrait."),
            V("Panier fruits et légumes", 2200, "Moitié fruits, moitié légumes de saison, "
              "composé le matin du retrait."),
        ),
        formats=(F("pour 2 personnes", 1.0, on_order=True), F("famille", 1.75, on_order=True)),
        unit="panier",
    ),
    ProductRange(
        "epicerie-sucree",
        VAT_FOOD,
        (
            V("Miel de fleurs de Loire", 890, "Pot de 500 g de l'apiculteur des Rosiers-sur-"
              "Loire."),
            V("Jus de pomme artisanal", 390, "Bouteille d'un litre, pommes du Saumurois "
              "pressées à froid.", vat_rate_bp=VAT_FOOD),
            V("Cerneaux de noix", 690, "Sachet de 250 g, noix de Grenoble AOP."),
            V("Confiture de coings", 550, "Pot de 350 g, coings du verger familial."),
        ),
        stock=(4, 20),
    ),
)

BOUCHERIE: tuple[ProductRange, ...] = (
    ProductRange(
        "boucherie-volailles",
        VAT_FOOD,
        (
            V("Entrecôte de rouge des prés", 890, "Bœuf AOP Maine-Anjou, maturée trois "
              "semaines."),
            V("Faux-filet de bœuf", 850, "Tendre et persillé, à saisir à la poêle."),
            V("Bavette d'aloyau", 690, "Fibres longues, à servir saignante avec des "
              "échalotes."),
            V("Steak haché 15 % maison", 450, "Haché à la demande dans le paleron."),
            V("Bœuf bourguignon à mijoter", 590, "Paleron et macreuse en cubes, à mijoter "
              "trois heures."),
            V("Rôti de bœuf ficelé", 990, "Dans le tende de tranche, bardé à la main."),
            V("Escalope de veau", 990, "Veau de lait du Limousin, tranchée fine."),
            V("Blanquette de veau", 690, "Tendron et épaule en morceaux."),
            V("Côtes de porc fermier", 450, "Porc de plein air de la Sarthe."),
            V("Côtelettes d'agneau", 990, "Agneau de l'Anjou, côtes premières."),
        ),
        formats=BY_WEIGHT_250_500,
        stock=(4, 20),
    ),
    ProductRange(
        "boucherie-volailles",
        VAT_FOOD,
        (
            V("Poulet fermier de Loué Label Rouge", 1890, "Environ 1,8 kg, élevé en plein air "
              "quatre-vingt-un jours.", brand="Fermiers de Loué"),
            V("Pintade fermière", 1690, "Environ 1,4 kg, chair fine et goûteuse."),
            V("Cuisses de canard", 890, "Deux cuisses de canard de Challans, pour un "
              "confit maison."),
            V("Suprêmes de poulet fermier", 990, "Deux suprêmes avec la peau, à rôtir."),
            V("Chapon fermier", 4900, "Environ 3 kg, pour les fêtes de fin d'année.",
              on_order=True),
            V("Dinde fermière de Noël", 5900, "Environ 4 kg, élevée en plein air.",
              on_order=True),
        ),
        stock=(3, 12),
    ),
    ProductRange(
        "charcuterie",
        VAT_FOOD,
        (
            V("Rillettes de Tours", 450, "Pot de 200 g, porc confit longuement au saindoux, "
              "recette familiale."),
            V("Rillons de Touraine", 650, "Poitrine de porc confite et caramélisée, "
              "barquette de 300 g."),
            V("Pâté de campagne", 390, "Tranche de 250 g, porc et foie au poivre."),
            V("Jambon blanc à l'os", 590, "Quatre tranches, cuit au torchon dans nos "
              "ateliers."),
            V("Saucisse de Toulouse", 490, "Quatre saucisses pur porc, hachage gros."),
            V("Boudin noir aux oignons", 420, "Deux boudins, oignons confits et épices "
              "douces."),
            V("Andouillette de Jargeau", 590, "Deux andouillettes tirées à la ficelle."),
            V("Saucisson sec de montagne", 690, "Séché huit semaines, pièce de 250 g."),
            V("Terrine de campagne au Saumur", 550, "Pot de 180 g, terrine au vin blanc "
              "de Saumur."),
            V("Fromage de tête persillé", 390, "Tranche de 250 g, à l'échalote."),
        ),
        stock=(4, 24),
    ),
    ProductRange(
        "traiteur",
        VAT_INTERMEDIATE,
        (
            V("Bœuf bourguignon cuisiné", 950, "Mijoté au vin de Chinon, carottes et "
              "champignons."),
            V("Blanquette de veau à l'ancienne", 990, "Sauce à la crème et riz pilaf."),
            V("Hachis parmentier", 790, "Bœuf braisé et purée au beurre, gratiné."),
            V("Lasagnes à la bolognaise", 850, "Pâtes fraîches, sauce tomate et bœuf "
              "mijoté."),
            V("Quiche lorraine", 450, "Lardons fumés, crème et œufs fermiers."),
        ),
        formats=(F("1 part", 1.0), F("4 parts", 3.8)),
        unit="barquette",
        stock=(3, 15),
    ),
    ProductRange(
        "boucherie-volailles",
        VAT_FOOD,
        (
            V("Caissette découverte de bœuf 5 kg", 8900, "Morceaux à griller, à rôtir et à "
              "mijoter, sous vide, préparée à la commande.", on_order=True),
            V("Rôti de porc farci aux pruneaux", 2490, "Environ 1,2 kg, farci et ficelé à "
              "la commande.", on_order=True),
            V("Colis barbecue", 3900, "Brochettes, saucisses, merguez et côtes marinées pour "
              "six personnes.", on_order=True),
        ),
        unit="colis",
    ),
)

POISSONNERIE: tuple[ProductRange, ...] = (
    ProductRange(
        "poissons-fruits-de-mer",
        VAT_FOOD,
        (
            V("Filet de cabillaud", 690, "Cabillaud de ligne, filet sans arêtes."),
            V("Filet de merlu", 590, "Merlu de la criée de La Turballe."),
            V("Pavé de saumon", 750, "Saumon d'Écosse Label Rouge, avec la peau."),
            V("Filet de lieu jaune", 790, "Pêché à la ligne, chair blanche et nacrée."),
            V("Dos de julienne", 550, "Poisson à chair ferme, à rôtir au four."),
            V("Filet de bar de ligne", 1190, "Bar sauvage levé à la demande."),
            V("Filet de sandre de Loire", 990, "Pêché par nos pêcheurs professionnels de "
              "Loire."),
            V("Filet de brochet", 790, "Pour les quenelles ou le beurre blanc."),
            V("Filet de maquereau", 390, "Maquereau de Bretagne, à griller."),
        ),
        formats=BY_WEIGHT_250_500,
        stock=(3, 15),
    ),
    ProductRange(
        "poissons-fruits-de-mer",
        VAT_FOOD,
        (
            V("Bar de ligne entier", 1890, "Environ 600 g, vidé et écaillé à la demande."),
            V("Dorade royale", 1290, "Environ 450 g, à cuire en croûte de sel."),
            V("Sole de petit bateau", 2190, "Environ 400 g, pelée à la demande."),
            V("Maquereaux entiers", 590, "Lot de quatre maquereaux de petite pêche."),
            V("Sardines de Saint-Gilles", 690, "Le kilo, à griller au barbecue."),
            V("Truite fario", 790, "Truite de la Vienne, environ 300 g."),
        ),
        stock=(2, 10),
    ),
    ProductRange(
        "poissons-fruits-de-mer",
        VAT_FOOD,
        (
            V("Huîtres creuses de Bouin n°3", 1290, "Affinées en claires, iodées et "
              "charnues."),
            V("Huîtres spéciales de Marennes-Oléron", 1690, "Spéciales fines de claire "
              "Label Rouge."),
        ),
        formats=(F("la douzaine", 1.0, unit="douzaine"), F("deux douzaines", 1.95,
                                                            unit="bourriche")),
        stock=(4, 20),
    ),
    ProductRange(
        "poissons-fruits-de-mer",
        VAT_FOOD,
        (
            V("Moules de bouchot", 490, "Le kilo, moules de la baie de l'Aiguillon AOP."),
            V("Crevettes roses cuites", 690, "Barquette de 250 g, cuites le matin."),
            V("Langoustines vivantes", 2990, "Le kilo, langoustines du Guilvinec."),
            V("Tourteau cuit", 1290, "Environ 800 g, cuit au court-bouillon."),
            V("Coques", 690, "Le kilo, coques de la baie de Bourgneuf."),
            V("Palourdes", 1690, "Le kilo, à cuire en persillade."),
            V("Noix de Saint-Jacques", 1990, "Barquette de 250 g, décortiquées à la main."),
        ),
        stock=(2, 10),
    ),
    ProductRange(
        "traiteur",
        VAT_INTERMEDIATE,
        (
            V("Soupe de poissons de roche", 890, "Bocal d'un litre, rouille et croûtons "
              "fournis."),
            V("Rillettes de saumon", 590, "Pot de 150 g, saumon frais et fumé."),
            V("Brandade de morue", 790, "Barquette de 400 g, gratinée au four."),
            V("Beurre blanc nantais", 490, "Pot de 200 g, échalotes et muscadet, à "
              "réchauffer doucement."),
            V("Terrine de sandre", 650, "Tranche de 250 g, sandre de Loire et estragon."),
        ),
        stock=(3, 12),
    ),
    ProductRange(
        "poissons-fruits-de-mer",
        VAT_FOOD,
        (
            V("Plateau de fruits de mer", 4900, "Huîtres, crevettes, bulots, langoustines et "
              "tourteau, ouvert et dressé sur glace."),
            V("Plateau d'huîtres et crevettes", 3200, "Trois variétés d'huîtres et crevettes "
              "roses, ouvertes à l'heure du retrait."),
        ),
        formats=(
            F("pour 2 personnes", 1.0, on_order=True),
            F("pour 4 personnes", 1.9, on_order=True),
            F("pour 6 personnes", 2.8, on_order=True),
        ),
        unit="plateau",
    ),
)

EPICERIE: tuple[ProductRange, ...] = (
    ProductRange(
        "epicerie-salee",
        VAT_FOOD,
        (
            V("Sardines à l'huile d'olive", 590, "Boîte de 115 g, sardines de Bretagne "
              "millésimées.", brand="Conserverie de la Baie"),
            V("Thon germon au naturel", 690, "Bocal de 200 g, pêché à la ligne dans le golfe "
              "de Gascogne."),
            V("Maquereaux au muscadet", 450, "Boîte de 169 g, filets marinés au vin blanc."),
            V("Rillettes de sardine au citron", 490, "Pot de 90 g, à tartiner à "
              "l'apéritif."),
            V("Soupe de poissons bretonne", 690, "Bocal de 780 ml, sans conservateur."),
            V("Filets d'anchois marinés", 790, "Anchois de Collioure à l'huile."),
        ),
        stock=(5, 25),
    ),
    ProductRange(
        "epicerie-sucree",
        VAT_FOOD,
        (
            V("Confiture de fraises", 490, "65 % de fruits, fraises de Saumur cuites en "
              "chaudron de cuivre.", brand="Les Confitures de Mathilde"),
            V("Confiture d'abricots", 490, "Abricots du Roussillon, peu sucrée."),
            V("Confiture de figues", 550, "Figues violettes et une pointe de vanille."),
            V("Marmelade d'oranges amères", 520, "Oranges de Séville, zestes épais."),
            V("Confiture de poires Williams", 490, "Poires du Val de Loire et gingembre "
              "frais."),
            V("Confiture de mirabelles", 550, "Mirabelles de Lorraine IGP."),
            V("Confiture de lait", 590, "Lait entier de Normandie et sucre, cuite huit "
              "heures."),
            V("Gelée de coings", 520, "La gelée de nos grands-mères, limpide et parfumée."),
        ),
        formats=(F("220 g", 1.0, unit="pot"), F("370 g", 1.5, unit="pot")),
        stock=(4, 20),
    ),
    ProductRange(
        "epicerie-salee",
        VAT_FOOD,
        (
            V("Huile d'olive vierge extra", 1490, "Bouteille de 50 cl, moulin coopératif "
              "de Nyons AOP."),
            V("Huile de noix vierge", 1190, "Bouteille de 25 cl, noix du Périgord pressées "
              "à froid."),
            V("Huile de colza de l'Anjou", 590, "Bouteille de 50 cl, première pression à "
              "froid."),
            V("Vinaigre de cidre", 450, "Bouteille de 50 cl, non filtré."),
            V("Vinaigre balsamique de Modène IGP", 890, "Bouteille de 25 cl, vieilli en fût "
              "de chêne."),
            V("Moutarde à l'ancienne", 390, "Pot de 200 g, graines entières et vinaigre de "
              "vin."),
        ),
        stock=(4, 20),
    ),
    ProductRange(
        "epicerie-salee",
        VAT_FOOD,
        (
            V("Poivre de Kampot IGP", 890, "Sachet de 50 g, poivre noir du Cambodge."),
            V("Piment d'Espelette AOP", 790, "Pot de 40 g, en poudre."),
            V("Curcuma en poudre", 450, "Sachet de 60 g, curcuma d'Inde."),
            V("Safran d'Anjou", 1290, "Flacon de 0,1 g de pistils cultivés à Brissac."),
            V("Fleur de sel de Guérande", 550, "Pot de 125 g, récoltée à la main."),
            V("Herbes de Provence Label Rouge", 390, "Sachet de 40 g."),
            V("Cannelle de Ceylan en bâtons", 590, "Sachet de 30 g."),
        ),
        unit="sachet",
        stock=(5, 25),
    ),
    ProductRange(
        "epicerie-sucree",
        VAT_FOOD,
        (
            V("Galettes bretonnes au beurre", 390, "Boîte de 125 g."),
            V("Biscuits apéritif au comté", 450, "Sachet de 100 g."),
            V("Caramels au beurre salé", 690, "Sachet de 200 g, caramels tendres.",
              vat_rate_bp=VAT_STANDARD),
            V("Pâte à tartiner noisette", 790, "Pot de 250 g, 45 % de noisettes, sans huile "
              "de palme."),
            V("Nougat de Montélimar", 890, "Barre de 150 g, 30 % d'amandes.",
              vat_rate_bp=VAT_STANDARD),
        ),
        stock=(5, 25),
    ),
    ProductRange(
        "epicerie-salee",
        VAT_FOOD,
        (
            V("Foie gras de canard mi-cuit", 2890, "Terrine de 180 g, à conserver au "
              "réfrigérateur."),
            V("Foie gras de canard entier", 3490, "Bocal de 200 g, se conserve trois ans."),
            V("Tapenade noire", 490, "Pot de 90 g, olives de Nyons et câpres."),
            V("Terrine de canard à l'orange", 590, "Pot de 180 g."),
        ),
        stock=(3, 15),
    ),
    ProductRange(
        "coffrets-cadeaux",
        VAT_FOOD,
        (
            V("Panier gourmand de Loire", 3900, "Rillettes, confiture, biscuits et miel, "
              "composé et emballé à la commande."),
            V("Coffret apéritif de la mer", 3200, "Conserves de poissons, rillettes et "
              "biscuits apéritif, composé à la commande."),
        ),
        formats=(F("petit", 1.0, on_order=True), F("grand", 1.8, on_order=True)),
        unit="coffret",
    ),
)

CHOCOLATIER: tuple[ProductRange, ...] = (
    ProductRange(
        "chocolats-confiseries",
        VAT_FOOD,
        (
            V("Tablette noir 70 % Pérou", 590, "Grand cru du nord du Pérou, notes de fruits "
              "rouges.", brand="Bonnefoy"),
            V("Tablette noir 85 % Équateur", 620, "Intense et peu sucré."),
            V("Tablette noir noisettes entières", 650, "Noisettes du Piémont torréfiées."),
            V("Tablette noir écorces d'orange", 620, "Oranges confites maison."),
            V("Tablette noir piment d'Espelette", 650, "Une chaleur douce en fin de "
              "bouche."),
            V("Tablette lait 40 % Ghana", 590, "Lait entier et notes de caramel.",
              vat_rate_bp=VAT_STANDARD),
            V("Tablette lait caramel beurre salé", 620, "Éclats de caramel au sel de "
              "Guérande.", vat_rate_bp=VAT_STANDARD),
            V("Tablette blanc vanille de Madagascar", 590, "Gousses de vanille Bourbon.",
              vat_rate_bp=VAT_STANDARD),
        ),
        formats=(F("100 g", 1.0, unit="tablette"), F("lot de 3", 2.7, unit="lot")),
        stock=(6, 30),
    ),
    ProductRange(
        "chocolats-confiseries",
        VAT_STANDARD,
        (
            V("Ballotin de pralinés", 2200, "Pralinés amande et noisette enrobés de chocolat "
              "noir et lait."),
            V("Ballotin de ganaches", 2400, "Ganaches parfumées : thé fumé, framboise, "
              "liqueur d'orange et miel."),
            V("Ballotin tout noir", 2300, "Pralinés et ganaches enrobés de chocolat noir "
              "70 %."),
        ),
        formats=(F("250 g", 1.0), F("500 g", 1.95), F("750 g", 2.85)),
        unit="ballotin",
        stock=(4, 20),
    ),
    ProductRange(
        "chocolats-confiseries",
        VAT_STANDARD,
        (
            V("Pâtes de fruits", 1290, "Boîte de 250 g, abricot, cassis, coing et "
              "framboise."),
            V("Guimauves à la vanille", 790, "Sachet de 150 g, guimauves moelleuses."),
            V("Caramels tendres au beurre salé", 890, "Sachet de 200 g."),
            V("Orangettes", 1490, "Écorces d'orange confites enrobées de chocolat noir, "
              "200 g."),
            V("Truffes au cacao", 1290, "Sachet de 200 g, ganache roulée dans le cacao."),
            V("Ardoisines de la Loire", 1590, "Nougatine aux amandes enrobée de chocolat "
              "bleu ardoise, boîte de 200 g."),
            V("Mendiants", 1190, "Chocolat noir, amandes, noisettes, pistaches et raisins, "
              "200 g."),
            V("Rochers praliné", 1390, "Praliné croustillant et éclats d'amandes, 200 g."),
            V("Amandes au chocolat", 990, "Amandes caramélisées enrobées de chocolat noir, "
              "200 g."),
            V("Sucettes en chocolat", 350, "La sucette au chocolat au lait, pour les "
              "enfants."),
        ),
        unit="sachet",
        stock=(5, 25),
    ),
    ProductRange(
        "epicerie-sucree",
        VAT_FOOD,
        (
            V("Pâte à tartiner noisette et cacao", 890, "Pot de 250 g, 50 % de "
              "noisettes."),
            V("Cacao en poudre non sucré", 790, "Boîte de 250 g."),
            V("Chocolat à cuire 64 %", 690, "Pistoles de 400 g, fond bien en pâtisserie."),
            V("Chocolat chaud à l'ancienne", 990, "Copeaux de chocolat noir à fondre dans "
              "le lait, 300 g."),
        ),
        stock=(5, 25),
    ),
    ProductRange(
        "chocolats-confiseries",
        VAT_STANDARD,
        (
            V("Œuf de Pâques garni", 1900, "Œuf en chocolat noir ou lait garni de "
              "fritures et de pralinés, décoré à la main."),
        ),
        formats=(
            F("petit", 1.0, on_order=True),
            F("moyen", 1.8, on_order=True),
            F("grand", 3.0, on_order=True),
        ),
        unit="pièce",
    ),
    ProductRange(
        "coffrets-cadeaux",
        VAT_STANDARD,
        (
            V("Sapin de Noël en chocolat", 3500, "Sculpture de 30 cm en chocolat noir, "
              "réalisée sur commande.", on_order=True),
            V("Coffret personnalisé à votre message", 4500, "Ballotin de 500 g et plaque "
              "en chocolat gravée de votre message.", on_order=True),
        ),
    ),
)

FOOD: dict[str, tuple[ProductRange, ...]] = {
    "boulangerie": BOULANGERIE,
    "fromagerie": FROMAGERIE,
    "primeur": PRIMEUR,
    "boucherie": BOUCHERIE,
    "poissonnerie": POISSONNERIE,
    "epicerie": EPICERIE,
    "chocolatier": CHOCOLATIER,
}
