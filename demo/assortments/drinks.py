"""Drinks of the demo town: the wine merchant, the beer cellar and the coffee roaster.

Estates, breweries and roasts are invented; appellations are real Loire ones.
"""

from __future__ import annotations

from demo.catalogue import VAT_FOOD, VAT_STANDARD, Format, ProductRange, Variety

V = Variety
F = Format

CAVISTE: tuple[ProductRange, ...] = (
    ProductRange(
        "vins-spiritueux",
        VAT_STANDARD,
        (
            V("Saumur-Champigny Les Poyeux 2021", 1490, "Cabernet franc sur tuffeau, fruit "
              "rouge croquant et tanins soyeux.", brand="Domaine des Rochettes"),
            V("Chinon Vieilles Vignes 2020", 1350, "Cabernet franc de graves, notes de "
              "violette et de cassis.", brand="Clos de la Devinière"),
            V("Bourgueil Cuvée des Galets 2021", 1250, "Rouge gourmand à boire sur le fruit.",
              brand="Domaine Pellerin"),
            V("Saint-Nicolas-de-Bourgueil 2022", 1190, "Léger et fruité, à servir frais.",
              brand="Domaine du Vieux Puits"),
            V("Anjou rouge Terres Noires 2021", 990, "Cabernet et grolleau, souple et "
              "épicé.", brand="Château de Beaulieu-sur-Layon"),
            V("Saumur rouge Tuffeau 2022", 1090, "Rouge de soif au fruit éclatant.",
              brand="Domaine des Rochettes"),
        ),
        formats=(F("75 cl", 1.0, unit="bouteille"), F("magnum 150 cl", 2.2, unit="magnum")),
        unit="bouteille",
        stock=(6, 36),
    ),
    ProductRange(
        "vins-spiritueux",
        VAT_STANDARD,
        (
            V("Savennières La Roche 2020", 2490, "Chenin sec de schiste, minéral et "
              "profond, de garde.", brand="Domaine de la Bergerie"),
            V("Vouvray sec Le Haut-Lieu 2021", 1690, "Chenin tendu, notes de coing et de "
              "tilleul.", brand="Domaine Hurtebise"),
            V("Sancerre blanc Les Caillottes 2022", 1890, "Sauvignon sur silex, agrumes et "
              "pierre à fusil.", brand="Domaine des Terres Blanches"),
            V("Muscadet Sèvre-et-Maine sur lie 2022", 890, "Vif et iodé, pour les huîtres.",
              brand="Domaine de l'Écu Vert"),
            V("Montlouis-sur-Loire sec 2021", 1490, "Chenin de sables et argiles, fruit "
              "blanc et miel.", brand="Domaine des Loges Blanches"),
            V("Anjou blanc Les Rouliers 2021", 1590, "Chenin mûr, ample et salin.",
              brand="Château de Beaulieu-sur-Layon"),
            V("Pouilly-Fumé Les Griottines 2022", 1990, "Sauvignon fumé et floral.",
              brand="Domaine des Berthiers"),
        ),
        formats=(F("75 cl", 1.0, unit="bouteille"), F("carton de 6", 5.7, unit="carton")),
        unit="bouteille",
        stock=(6, 36),
    ),
    ProductRange(
        "vins-spiritueux",
        VAT_STANDARD,
        (
            V("Crémant de Loire brut", 1290, "Fines bulles, chenin et chardonnay, douze mois "
              "sur lattes.", brand="Caves de la Perrière"),
            V("Saumur brut rosé", 1190, "Cabernet franc en méthode traditionnelle, "
              "fraise des bois.", brand="Caves de la Perrière"),
            V("Coteaux du Layon Saint-Aubin 2019", 1590, "Moelleux de chenin botrytisé, "
              "abricot et miel.", brand="Domaine des Sablonnettes"),
            V("Quarts de Chaume Grand Cru 2018", 3900, "Liquoreux rare, d'une grande "
              "fraîcheur.", brand="Château des Grands Chaumes"),
            V("Bonnezeaux 2019", 2900, "Liquoreux d'Anjou, coing confit et safran.",
              brand="Château de la Varenne-Haute"),
            V("Vouvray pétillant demi-sec", 1350, "Bulles gourmandes pour le dessert.",
              brand="Domaine Hurtebise"),
        ),
        unit="bouteille",
        stock=(6, 30),
    ),
    ProductRange(
        "vins-spiritueux",
        VAT_STANDARD,
        (
            V("Côtes-du-Rhône Villages 2021", 1190, "Grenache et syrah, garrigue et fruits "
              "noirs.", brand="Domaine du Grand Mourre"),
            V("Bordeaux supérieur 2019", 1390, "Merlot et cabernet, élevé en barriques.",
              brand="Château Haut-Varenne"),
            V("Bourgogne Pinot noir 2021", 1990, "Cerise et sous-bois, tout en finesse.",
              brand="Domaine Morlet-Vaudrey"),
            V("Pic Saint-Loup 2020", 1590, "Syrah du Languedoc, poivre et olive noire.",
              brand="Mas des Garrigues Hautes"),
            V("Champagne brut Réserve", 3490, "Pinot meunier majoritaire, brioche et "
              "pomme.", brand="Maison Perrin-Lasalle"),
        ),
        unit="bouteille",
        stock=(4, 24),
    ),
    ProductRange(
        "vins-spiritueux",
        VAT_STANDARD,
        (
            V("Guignolet d'Angers", 1690, "Liqueur de griottes, 16 % vol., 70 cl.",
              brand="Distillerie du Maine"),
            V("Poire Williams", 3490, "Eau-de-vie de poires du Val de Loire, 40 % vol., "
              "70 cl.", brand="Distillerie du Maine"),
            V("Whisky tourbé de Bretagne", 4490, "Single malt vieilli cinq ans, 46 % vol., "
              "70 cl.", brand="Distillerie des Abers"),
            V("Rhum agricole blanc", 2990, "Martinique AOC, 50 % vol., 70 cl.",
              brand="Habitation Bellevue-Anse"),
            V("Calvados Pays d'Auge 6 ans", 3990, "Double distillation, 40 % vol., 70 cl.",
              brand="Domaine de la Pommeraie"),
            V("Cognac VSOP", 4990, "Fine champagne, 40 % vol., 70 cl.",
              brand="Maison Delaunay"),
        ),
        unit="bouteille",
        stock=(2, 12),
    ),
    ProductRange(
        "boissons",
        VAT_FOOD,
        (
            V("Jus de raisin de chenin", 490, "Pur jus de raisin blanc, 75 cl, sans sucre "
              "ajouté.", brand="Domaine des Rochettes"),
            V("Pétillant de pommes sans alcool", 450, "Jus de pommes gazéifié, 75 cl."),
        ),
        unit="bouteille",
        stock=(6, 24),
    ),
    ProductRange(
        "coffrets-cadeaux",
        VAT_STANDARD,
        (
            V("Coffret découverte des vins de Loire", 4200, "Trois bouteilles choisies avec "
              "vous selon votre budget et vos goûts, coffret bois.", on_order=True),
            V("Carton de six bouteilles composé", 7900, "Rouges, blancs et bulles "
              "sélectionnés pour votre repas, avec fiches d'accords.", on_order=True),
        ),
        unit="coffret",
    ),
)

BIERES: tuple[ProductRange, ...] = (
    ProductRange(
        "bieres-cidres",
        VAT_STANDARD,
        (
            V("Bière blonde de la Levée", 350, "Blonde légère et florale, 5 % vol.",
              brand="Brasserie de la Levée"),
            V("Bière ambrée des Mariniers", 380, "Malts caramel et houblons anglais, 6 % vol.",
              brand="Brasserie de la Levée"),
            V("Bière blanche au zeste d'orange", 360, "Blé, coriandre et écorces d'orange, "
              "4,5 % vol.", brand="Brasserie du Val d'Authion"),
            V("Bière IPA Tuffeau", 420, "India Pale Ale houblonnée à cru, agrumes et résine, "
              "6,5 % vol.", brand="Brasserie du Val d'Authion"),
            V("Bière stout à l'avoine", 420, "Noire, café et chocolat, 6 % vol.",
              brand="Brasserie Saint-Florent"),
            V("Bière triple du Saumurois", 450, "Blonde forte refermentée en bouteille, 8,5 % vol.",
              brand="Brasserie Saint-Florent"),
            V("Bière de saison aux épices", 390, "Sèche et poivrée, 5,5 % vol.",
              brand="Brasserie de la Levée"),
            V("Bière de Noël", 420, "Ambrée épicée à la cannelle et à l'orange, 7 % vol.",
              brand="Brasserie du Val d'Authion"),
            V("Bière pale ale sans gluten", 390, "Houblons américains, 5 % vol.",
              brand="Brasserie Saint-Florent"),
            V("Bière lager de Loire", 320, "Blonde de fermentation basse, très désaltérante, "
              "4,8 % vol.", brand="Brasserie de la Levée"),
        ),
        formats=(F("33 cl", 1.0, unit="bouteille"), F("pack de 6", 5.6, unit="pack")),
        stock=(12, 60),
    ),
    ProductRange(
        "bieres-cidres",
        VAT_STANDARD,
        (
            V("Bière brune d'abbaye belge", 390, "Malts torréfiés et fruits secs, 8 % vol.",
              brand="Brasserie de l'Abbaye de Saint-Rémy-des-Prés"),
            V("Gueuze lambic", 590, "Bière de fermentation spontanée, acidulée, 5,5 % vol., "
              "37,5 cl.", brand="Brouwerij Pajot"),
            V("Kriek aux cerises", 550, "Lambic aux griottes entières, 4 % vol.",
              brand="Brouwerij Pajot"),
            V("Pils tchèque", 320, "Houblon Saaz, amertume franche, 4,4 % vol.",
              brand="Pivovar Hradec"),
            V("Weizen bavaroise", 350, "Blé, banane et clou de girofle, 5,4 % vol.",
              brand="Brauerei Oberlach"),
            V("Scotch ale", 450, "Malts caramel et tourbe légère, 8 % vol.",
              brand="Kilbride Brewing"),
            V("Imperial stout", 590, "Noire et puissante, 10 % vol.",
              brand="Kilbride Brewing"),
            V("Bière de garde du Nord", 420, "Ambrée ronde et maltée, 7 % vol., 75 cl.",
              brand="Brasserie des Flandres"),
        ),
        unit="bouteille",
        stock=(6, 36),
    ),
    ProductRange(
        "bieres-cidres",
        VAT_STANDARD,
        (
            V("Cidre brut fermier", 490, "Pommes à cidre du Maine, 5 % vol., 75 cl.",
              brand="Ferme du Grand Verger"),
            V("Cidre doux", 450, "Fruité et sucré, 2,5 % vol., 75 cl.",
              brand="Ferme du Grand Verger"),
            V("Poiré fermier", 590, "Poires à poiré du Domfrontais, 4 % vol., 75 cl.",
              brand="Ferme du Grand Verger"),
            V("Cidre rosé", 550, "Pommes à chair rouge, 4 % vol., 75 cl.",
              brand="Cidrerie de la Sarthe"),
        ),
        unit="bouteille",
        stock=(6, 30),
    ),
    ProductRange(
        "boissons",
        VAT_FOOD,
        (
            V("Bière blonde sans alcool", 290, "Moins de 0,5 % vol., 33 cl.",
              brand="Brasserie de la Levée"),
            V("Limonade artisanale au citron", 290, "Sucre de canne et citrons pressés, "
              "33 cl."),
            V("Jus de pomme pétillant", 390, "Pommes du Saumurois, 75 cl."),
        ),
        unit="bouteille",
        stock=(12, 48),
    ),
    ProductRange(
        "bieres-cidres",
        VAT_STANDARD,
        (
            V("Fût de blonde 20 litres", 8900, "Fût consigné de bière blonde de la Levée, à "
              "réserver une semaine à l'avance.", on_order=True),
            V("Fût d'IPA 30 litres", 14900, "Fût consigné de bière IPA Tuffeau, à réserver une "
              "semaine à l'avance.", on_order=True),
            V("Location de tireuse à bière", 3500, "Tireuse réfrigérée pour le week-end, "
              "gaz et mode d'emploi fournis.", on_order=True),
        ),
    ),
    ProductRange(
        "coffrets-cadeaux",
        VAT_STANDARD,
        (
            V("Coffret découverte six bières ligériennes", 2490, "Six bières de Pays de la "
              "Loire et leur carnet de dégustation."),
            V("Verre à dégustation gravé", 690, "Verre tulipe de 33 cl gravé « Montlouvier "
              "»."),
        ),
        stock=(4, 20),
    ),
)

TORREFACTEUR: tuple[ProductRange, ...] = (
    ProductRange(
        "cafes-thes",
        VAT_FOOD,
        (
            V("Café Éthiopie Yirgacheffe", 990, "Lavé, notes de jasmin, bergamote et "
              "agrumes.", brand="Brûlerie des Halles"),
            V("Café Colombie Huila", 850, "Caramel, pomme rouge et chocolat au lait.",
              brand="Brûlerie des Halles"),
            V("Café Brésil Cerrado", 750, "Doux, noisette et cacao, peu acide.",
              brand="Brûlerie des Halles"),
            V("Café Guatemala Antigua", 890, "Corsé et épicé, chocolat noir.",
              brand="Brûlerie des Halles"),
            V("Café Pérou bio", 820, "Agriculture biologique, rond et céréalier.",
              brand="Brûlerie des Halles"),
            V("Café Kenya AA", 1190, "Cassis et pamplemousse, très aromatique.",
              brand="Brûlerie des Halles"),
            V("Espresso des Halles", 790, "Notre mélange maison pour l'expresso, crème "
              "épaisse.", brand="Brûlerie des Halles"),
            V("Café décaféiné Colombie", 890, "Décaféiné à l'eau, sans solvant.",
              brand="Brûlerie des Halles"),
        ),
        formats=(F("250 g", 1.0, unit="paquet"), F("1 kg", 3.6, unit="paquet")),
        stock=(6, 30),
    ),
    ProductRange(
        "cafes-thes",
        VAT_FOOD,
        (
            V("Thé vert Sencha du Japon", 890, "Feuilles vertes, notes herbacées et "
              "iodées."),
            V("Earl Grey à la bergamote", 690, "Thé noir de Ceylan parfumé à la bergamote "
              "de Calabre."),
            V("Darjeeling first flush", 1290, "Thé noir de printemps, floral et "
              "muscaté."),
            V("Thé noir Assam", 650, "Corsé et malté, pour le petit-déjeuner."),
            V("Oolong de Taïwan", 1190, "Semi-oxydé, fleurs et fruits jaunes."),
            V("Thé blanc Bai Mu Dan", 1390, "Bourgeons et feuilles, doux et miellé."),
            V("Rooibos vanille", 590, "Sans théine, d'Afrique du Sud."),
            V("Thé vert au jasmin", 750, "Parfumé aux fleurs de jasmin fraîches."),
            V("Chaï aux épices", 690, "Thé noir, cardamome, cannelle et gingembre."),
        ),
        formats=(F("100 g", 1.0, unit="sachet"), F("250 g", 2.3, unit="sachet")),
        stock=(5, 25),
    ),
    ProductRange(
        "cafes-thes",
        VAT_FOOD,
        (
            V("Verveine de l'Anjou", 590, "Feuilles entières de verveine odorante, 50 g."),
            V("Camomille romaine", 550, "Fleurs séchées, 40 g."),
            V("Tilleul des Baronnies", 690, "Bractées et fleurs, 50 g."),
            V("Menthe poivrée", 490, "Feuilles entières, 50 g."),
            V("Infusion des bords de Loire", 650, "Pomme, églantier, verveine et "
              "hibiscus, 80 g."),
        ),
        unit="sachet",
        stock=(5, 25),
    ),
    ProductRange(
        "arts-de-la-table",
        VAT_STANDARD,
        (
            V("Cafetière à piston", 2990, "Verre borosilicate, un litre."),
            V("Moulin à café manuel", 4990, "Meules coniques en céramique, mouture "
              "réglable."),
            V("Filtre à café conique", 2490, "Porcelaine blanche, filtres papier "
              "compris."),
            V("Théière en fonte", 5490, "80 cl, émaillée à l'intérieur, avec filtre."),
            V("Boule à thé", 590, "Inox, pour une tasse."),
            V("Tasse en grès de Loire", 1690, "Tournée à la main par une potière de "
              "Montsoreau, 20 cl."),
        ),
        stock=(2, 12),
    ),
    ProductRange(
        "coffrets-cadeaux",
        VAT_FOOD,
        (
            V("Coffret dégustation trois origines", 2900, "Trois cafés de 125 g moulus "
              "selon votre méthode, coffret et carte des arômes.", on_order=True),
            V("Chocolat chaud en poudre", 790, "Cacao et sucre de canne, 250 g."),
        ),
        unit="coffret",
        stock=(4, 16),
    ),
)

DRINKS: dict[str, tuple[ProductRange, ...]] = {
    "caviste": CAVISTE,
    "bieres": BIERES,
    "torrefacteur": TORREFACTEUR,
}
