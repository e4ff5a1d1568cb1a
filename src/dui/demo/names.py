"""Synthetic French identities: common names combined at random, never real persons.

First names follow the fashion of the birth decade, so an EHPAD resident is called
Germaine and an IME pupil Léo. Birth places are real INSEE codes (communes, and 99xxx
country codes for persons born abroad).
"""

from __future__ import annotations

import random

NOMS: tuple[str, ...] = (
    "MARTIN",
    "BERNARD",
    "THOMAS",
    "PETIT",
    "ROBERT",
    "RICHARD",
    "DURAND",
    "DUBOIS",
    "MOREAU",
    "LAURENT",
    "SIMON",
    "MICHEL",
    "LEFEBVRE",
    "LEROY",
    "ROUX",
    "DAVID",
    "BERTRAND",
    "MOREL",
    "FOURNIER",
    "GIRARD",
    "BONNET",
    "DUPONT",
    "LAMBERT",
    "FONTAINE",
    "ROUSSEAU",
    "VINCENT",
    "MULLER",
    "LEFEVRE",
    "FAURE",
    "ANDRE",
    "MERCIER",
    "BLANC",
    "GUERIN",
    "BOYER",
    "GARNIER",
    "CHEVALIER",
    "FRANCOIS",
    "LEGRAND",
    "GAUTHIER",
    "GARCIA",
    "PERRIN",
    "ROBIN",
    "CLEMENT",
    "MORIN",
    "NICOLAS",
    "HENRY",
    "ROUSSEL",
    "MATHIEU",
    "GAUTIER",
    "MASSON",
    "MARCHAND",
    "DUVAL",
    "DENIS",
    "DUMONT",
    "LEMAIRE",
    "NOEL",
    "MEYER",
    "DUFOUR",
    "MEUNIER",
    "BRUN",
    "BLANCHARD",
    "GIRAUD",
    "JOLY",
    "RIVIERE",
    "LUCAS",
    "BRUNET",
    "GAILLARD",
    "BARBIER",
    "ARNAUD",
    "MARTINEZ",
    "GERARD",
    "ROCHE",
    "RENARD",
    "SCHMITT",
    "ROY",
    "LEROUX",
    "COLIN",
    "VIDAL",
    "CARON",
    "PICARD",
    "ROGER",
    "FABRE",
    "AUBERT",
    "LEMOINE",
    "RENAUD",
    "DUMAS",
    "LACROIX",
    "OLIVIER",
    "PHILIPPE",
    "BOURGEOIS",
    "BENOIT",
    "REY",
    "LECLERC",
    "PAYET",
    "ROLLAND",
    "LECOMTE",
    "BARRE",
    "CHARPENTIER",
    "BAILLY",
    "COUSIN",
    "POIRIER",
    "PERROT",
    "MARECHAL",
    "CARPENTIER",
    "HUET",
    "BERGER",
    "LEBRUN",
    "COLLET",
    "TESSIER",
    "MAILLARD",
    "BOUCHER",
    "VASSEUR",
    "CHAUVIN",
    "PONS",
    "JACOB",
    "LAVAL",
    "GILLET",
    "HUBERT",
    "DESCHAMPS",
    "BESNARD",
)

# Birth decades 1920–1965: residents of the EHPAD and persons helped at home.
PRENOMS_F_ANCIENS: tuple[str, ...] = (
    "Marie",
    "Jeanne",
    "Germaine",
    "Suzanne",
    "Simone",
    "Madeleine",
    "Yvonne",
    "Denise",
    "Marcelle",
    "Paulette",
    "Monique",
    "Jacqueline",
    "Colette",
    "Odette",
    "Lucienne",
    "Renée",
    "Georgette",
    "Gisèle",
    "Huguette",
    "Andrée",
    "Raymonde",
    "Geneviève",
    "Françoise",
    "Nicole",
    "Christiane",
    "Josette",
    "Micheline",
    "Ginette",
    "Annie",
    "Danielle",
    "Martine",
    "Éliane",
    "Bernadette",
    "Thérèse",
    "Lucie",
    "Marguerite",
)
PRENOMS_M_ANCIENS: tuple[str, ...] = (
    "Jean",
    "Pierre",
    "André",
    "René",
    "Louis",
    "Marcel",
    "Roger",
    "Georges",
    "Henri",
    "Robert",
    "Maurice",
    "Lucien",
    "Raymond",
    "Paul",
    "Jacques",
    "Bernard",
    "Michel",
    "Claude",
    "Gérard",
    "Roland",
    "Marcel",
    "Joseph",
    "Albert",
    "Guy",
    "Daniel",
    "Alain",
    "Yves",
    "Gilbert",
    "Jean-Pierre",
    "Jean-Claude",
    "Serge",
    "Christian",
    "Émile",
)
# Birth years 2005–2020: children and young adults of the IME.
PRENOMS_F_JEUNES: tuple[str, ...] = (
    "Emma",
    "Jade",
    "Louise",
    "Alice",
    "Chloé",
    "Lina",
    "Léa",
    "Manon",
    "Inès",
    "Camille",
    "Zoé",
    "Lola",
    "Sarah",
    "Léna",
    "Juliette",
    "Mila",
    "Ambre",
    "Anna",
    "Rose",
    "Clara",
    "Lou",
    "Agathe",
    "Romane",
    "Margaux",
    "Eva",
    "Nina",
    "Maëlys",
    "Louna",
)
PRENOMS_M_JEUNES: tuple[str, ...] = (
    "Lucas",
    "Hugo",
    "Léo",
    "Gabriel",
    "Louis",
    "Raphaël",
    "Arthur",
    "Nathan",
    "Jules",
    "Adam",
    "Enzo",
    "Mathis",
    "Tom",
    "Théo",
    "Noah",
    "Ethan",
    "Maël",
    "Sacha",
    "Liam",
    "Rayan",
    "Timéo",
    "Nolan",
    "Paul",
    "Baptiste",
    "Clément",
    "Axel",
    "Eliott",
    "Malo",
)

# (INSEE code, label): communes of birth, weighted towards the Lyon area of the demo
# organisme; 99xxx codes are countries (persons born abroad). 99100 is France itself and
# is therefore not used here.
LIEUX_NAISSANCE: tuple[tuple[str, str], ...] = (
    ("69123", "Lyon"),
    ("69123", "Lyon"),
    ("69123", "Lyon"),
    ("69266", "Villeurbanne"),
    ("69259", "Vénissieux"),
    ("42218", "Saint-Étienne"),
    ("38185", "Grenoble"),
    ("75056", "Paris"),
    ("75056", "Paris"),
    ("13055", "Marseille"),
    ("31555", "Toulouse"),
    ("06088", "Nice"),
    ("44109", "Nantes"),
    ("67482", "Strasbourg"),
    ("33063", "Bordeaux"),
    ("59350", "Lille"),
    ("21231", "Dijon"),
    ("2A004", "Ajaccio"),
    ("2B033", "Bastia"),
    ("99352", "Algérie"),
    ("99350", "Maroc"),
    ("99139", "Portugal"),
    ("99127", "Italie"),
    ("99134", "Espagne"),
)


def _words(text: str, sep: str | None = None) -> list[str]:
    return [w.strip() for w in text.split(sep) if w.strip()]


# --- Surnames at scale ------------------------------------------------------------------
#
# NOMS above are the most common surnames; 100 000 persons drawn from them alone would give
# about 800 namesakes per name. `SURNAMES` widens them, without any third-party data file,
# the way French surnames were formed: diminutive suffixes on old given names and trades
# (PERRIN, GUILLOT), a particle before a place (DUPONT, DE LA FONTAINE), the article
# before a nickname or a trade (LEBRUN, LE GALL), spelling variants (RENAUD, RENAULT),
# regional forms (Breton, Alsatian, Occitan, Basque, Corsican) and names of foreign origin.
# The pool is built in a fixed order and drawn with decreasing weights (a few names are
# very common, most are rare); `surname()` also makes compound names (MARTIN-DURAND).

MORE_NOMS: tuple[str, ...] = tuple(
    _words(
        """ROY LECLERC PICARD LACROIX BOURGEOIS LUCAS AUBERT CARON RENARD BAILLY COLIN
    VIDAL LEMOINE ROCHE CARPENTIER BRETON AUBRY MALLET PERRET HUET GERMAIN PREVOST
    MARECHAL BENOIT BOURGEOIS RENAUD CHARPENTIER LANGLOIS ROGER GUILLAUME LEMAITRE
    BARRE POIRIER LAMY PAYET LEBON ROLLAND COUSIN GUYOT LEDUC BOUVIER TESSIER JACQUET
    POULAIN CARRE TRAN HAMON CHARLES HOARAU GAUDIN MARIE FERNANDEZ COLLET LOPEZ
    LEBRETON PASQUIER HERVE MAILLOT RAYMOND BOULANGER MARTEL BAUDRY CHAUVEAU GILBERT
    GUICHARD WEBER LEBRUN SCHNEIDER BOURDON MICHAUD PERROT CHARRIER AUGER BESSON GRONDIN
    HUMBERT LEROUX MONNIER LEVEQUE BARON PARIS GUILLOT CORDIER BAILLEUL DELMAS LEBLANC
    BRUNEL PASCAL COLLIN TEXIER LEGER ETIENNE GODARD MAURICE JOUBERT NAVARRO GUILLON
    PHILIPPE CHRISTOPHE MARCHAL POTTIER BERTIN VALLEE DESCHAMPS TANGUY MAUGER BOUCHET
    VERDIER GEORGES BLONDEL CAMUS CLERC TOUSSAINT BARTHELEMY RIBEIRO DELAUNAY MENARD
    FLEURY BAUDOUIN LAINE BRIAND VERGNE CHAMBON ASTIER FAVRE CHAPUIS BOUVET BESSE
    TRUCHET JANIN VIALLE DUCROS CHALENDAR MOULIN BRUYERE ROUSSET VEYRET MOLLARD GONNET
    BONNARD CHABERT PELLET REYNAUD BARRAL FAYOLLE"""
    )
)

# Roots of old given names, trades and nicknames that take the diminutive endings.
_ROOTS: tuple[str, ...] = tuple(
    _words(
        """PERR GUILL JEANN MARTIN COLL THEVEN HUGU BERTH BRUN BOUCH GIRARD BERNARD RICH
    ROBERT GAUTH MICH LAUR VINC SIMON ARN RENAUD THIBAUD GERV GIRAUD AUB BAUD BLANCH
    BONN CHAP CHAUV FOUCH GAILL GARN GOD GROS JOL LAMB MARCH MOR PIC POUL RAV RIV
    ROUSS TISS VIOL BOIS CHAMP CHEN FERR FOURN MERC PELL POT VACH BERG CORD CHARR"""
    )
)
_ENDINGS: tuple[str, ...] = ("ET", "OT", "IN", "ON", "EAU", "IER", "AUD", "ARD", "EL", "AT")

_DU = _words(
    "BOIS PONT MONT VAL PRE CHENE MOULIN FOUR PUY ROCHER CHAMP CHATEAU BOURG PLESSIS \
MESNIL MAS FAYET BREUIL LAC PERRON BUISSON JARDIN MOTIER FRESNE"
)
_DE_LA = _words(
    "FONTAINE CROIX ROCHE TOUR HAYE RUE COUR PLACE GRANGE VIGNE FORET MARE RIVIERE \
MOTTE PORTE SALLE COMBE VALLEE BARRE BROSSE"
)
_DES = _words(
    "CHAMPS BOIS MOULINS PRES ROCHES JARDINS MARAIS FORGES NOYERS GRANGES COMBES \
VIGNES ROSIERS CLOS"
)
_LE_ = _words(
    "BLANC NOIR BRUN ROUX GRAND PETIT BEAU GROS FORT JEUNE GENDRE BON SAGE DOUX ROY \
DUC COMTE BRETON NORMAND FRANC ROUGE BOUCHER MERCIER TELLIER MARCHAND BOULANGER \
PELLETIER MEUNIER CLERC MAITRE FEBVRE GOFF CORRE"
)
_BRETON = _words(
    "LE GALL|LE GOFF|LE BRIS|LE BIHAN|LE CORRE|LE MEUR|LE GUEN|LE FLOCH|LE BERRE|\
LE GALLO|LE DREAU|LE ROUX|LE BORGNE|LE HIR|LE GAL|KERMARREC|KERJEAN|KERVELLA|KERBRAT|\
KERHERVE|KERDRAON|KERLEAU|MADEC|TANGUY|GUEGAN|LE CAM|LE BOT|JEGOU|RIOU|QUEMENER",
    "|",
)
_ALSACE = _words(
    "SCHMITT MULLER MEYER WEBER KLEIN KOCH HOFFMANN SCHNEIDER FISCHER WAGNER BAUER \
ZIMMERMANN SCHWARTZ WOLFF HUBER FUCHS KELLER KIEFFER ROTH BRAUN BECKER HERRMANN LANG \
SCHAEFFER WALTER STEIN GERBER RIEDINGER SCHERRER BURGER"
)
_SUD = _words(
    "MARSAC JUILLAC CAVAIGNAC LAGARDE DELPECH CASTAGNE PUJOL BARTHES FABRE ESTEVE \
FONTANEL ROUQUETTE SALLES VIGUIE CABROL ALIBERT BOUSQUET COMBES MALAVAL ESPITALIER \
LAPORTE ROUMEGUERE DAURIAC SOULIE TEULIERE"
)
_BASQUE = _words(
    "ETCHEVERRY ETCHEGARAY ETCHEBARNE ETCHEPARE ETCHEGOYEN ETCHEBEST ARRAMBIDE \
IRIGOYEN HARISPE ELISSALDE"
)
_CORSE = _words(
    "SANTONI ANTONIETTI BARTOLI CASANOVA LUCIANI MATTEI ORSINI PAOLI SUSINI \
ALBERTINI FILIPPI GRIMALDI PIETRI COLONNA CASTELLI"
)
_LORRAINE = _words(
    "PETITJEAN GRANDJEAN GROSJEAN PETITCOLAS GRANDCOLAS PETITDEMANGE GRANDDIDIER \
PETITDIDIER GRANDCLAUDE PETITCLAUDE GRANDHENRY GRANDMAIRE BONJEAN"
)
# Names of foreign origin common in France.
_FOREIGN = (
    (
        # Italy, Spain, Portugal
        "ROSSI|RUSSO|FERRARI|ESPOSITO|BIANCHI|ROMANO|COLOMBO|RICCI|MARINO|GRECO|BRUNO|GALLO|"
        "CONTI|DE LUCA|COSTA|GIORDANO|MANCINI|LOMBARDI|MORETTI|BARBIERI|FONTANA|SANTORO|"
        "MARIANI|RINALDI|CARUSO|FERRARA|GALLI|MARTINI|LEONE|GENTILE|"
        "GONZALEZ|RODRIGUEZ|SANCHEZ|PEREZ|GOMEZ|MARTIN|DIAZ|HERNANDEZ|ALVAREZ|MORENO|"
        "JIMENEZ|RUIZ|MUNOZ|ROMERO|NAVARRO|TORRES|DOMINGUEZ|VAZQUEZ|RAMOS|GIL|SERRANO|"
        "SILVA|SANTOS|FERREIRA|PEREIRA|OLIVEIRA|RODRIGUES|MARTINS|JESUS|SOUSA|FERNANDES|"
        "GONCALVES|GOMES|LOPES|MARQUES|ALVES|ALMEIDA|RIBEIRO|PINTO|CARVALHO|TEIXEIRA|"
        "MOREIRA|CORREIA|MENDES|NUNES|SOARES|VIEIRA|MONTEIRO|CARDOSO|ROCHA|"
        # Maghreb
        "BENALI|BENSAID|BOUAZIZ|HADDAD|KHELIF|MANSOURI|BELKACEM|BRAHIMI|CHERIF|HAMIDI|"
        "SAIDI|AMRANI|BOUZID|MEZIANE|TAHRI|BENCHEIKH|LARBI|ZEROUAL|DJEBBAR|OUALI|"
        "BOUDJEMA|AIT AHMED|AIT ALI|BENMOUSSA|EL AMRANI|EL IDRISSI|BENNANI|CHAOUI|"
        "TAZI|FASSI|BERRADA|ALAOUI|OUAZZANI|SLIMANI|AZZOUZ|BOUGHANEM|MAHJOUB|TRABELSI|"
        "BEN SALAH|JEBALI|GHARBI|"
        # Sub-Saharan Africa
        "DIALLO|TRAORE|KONE|COULIBALY|CISSE|DIARRA|KEITA|CAMARA|SYLLA|SOW|BA|DIOP|"
        "NDIAYE|FALL|SARR|FAYE|GUEYE|MBAYE|KANTE|TOURE|SANOGO|OUATTARA|NGUYEN-VAN|"
        # Asia
        "NGUYEN|TRAN|LE|PHAM|HOANG|HUYNH|VO|DANG|BUI|DO|CHEN|WANG|LI|ZHANG|LIU|YANG|"
        # Central and Eastern Europe, Armenia, Turkey
        "KOWALSKI|NOWAK|WISNIEWSKI|LEWANDOWSKI|KAMINSKI|ZIELINSKI|SZYMANSKI|WOZNIAK|"
        "PETROSSIAN|HAKOBIAN|SARKISSIAN|MANOUKIAN|KHATCHADOURIAN|AZNAVOURIAN|"
        "YILMAZ|KAYA|DEMIR|SAHIN|CELIK|YILDIZ|OZTURK|AYDIN|ARSLAN|DOGAN|"
    )
    .strip("|")
    .split("|")
)


def _with_ending(root: str, ending: str) -> str:
    if root.endswith(("ET", "OT", "IN", "ON", "ARD", "AUD")) and ending in ("ARD", "AUD"):
        return ""  # GIRARDARD: no
    if root.endswith("N") and ending == "IN":
        return root + "NIN" if len(root) > 5 else ""
    return root + ending


def _variants(name: str) -> list[str]:
    """Spelling variants French civil status kept apart: RENAUD/RENAULT, GUYOT/GUIOT."""
    out: list[str] = []
    if name.endswith("AUD"):
        out += [name[:-3] + "AULT", name[:-3] + "AUT"]
    if name.endswith("EAU"):
        out.append(name + "X")
    if "Y" in name[1:-1] and name.endswith(("OT", "ON", "ET")):
        out.append(name[0] + name[1:].replace("Y", "I", 1))
    if "PH" in name:
        out.append(name.replace("PH", "F", 1))
    if name.endswith(("ET", "OT")) and len(name) > 4 and name[-3] == "L" and name[-4] in "AEIOU":
        out.append(name[:-2] + "L" + name[-2:])  # GILET/GILLET, COLOT/COLLOT
    return out


def _build_surnames() -> tuple[str, ...]:
    common = list(dict.fromkeys([*NOMS, *MORE_NOMS]))
    derived = [n for r in _ROOTS for e in _ENDINGS if (n := _with_ending(r, e))]
    places = [f"DU{n}" for n in _DU] + [f"DES{n}" for n in _DES]
    places += [f"DELA{n}" for n in _DE_LA] + [f"DE LA {n}" for n in _DE_LA[::2]]
    places += [f"LA{n}" for n in _DE_LA[1::2]]
    articles = [f"LE{n}" for n in _LE_]
    regional = [*_BRETON, *_ALSACE, *_SUD, *_BASQUE, *_CORSE, *_LORRAINE]
    # Interleave the families so that each has common and rare members.
    families = [common, derived, places, articles, regional, _FOREIGN]
    pool: list[str] = []
    for i in range(max(len(f) for f in families)):
        pool.extend(f[i] for f in families if i < len(f))
    variants = [v for name in pool for v in _variants(name)]
    return tuple(dict.fromkeys([*pool, *variants]))


SURNAMES: tuple[str, ...] = _build_surnames()
# Zipf-like weights: the rank-1 name is about 1 % of the persons, the last ones rare.
_CUMULATIVE: list[float] = []
_total = 0.0
for _rank in range(len(SURNAMES)):
    _total += 1.0 / (_rank + 25) ** 0.85
    _CUMULATIVE.append(_total)
COMPOUND_SHARE = 0.04


def surname(rng: random.Random) -> str:
    """One birth surname: mostly from SURNAMES, sometimes compound (MARTIN-DURAND)."""
    first = rng.choices(SURNAMES, cum_weights=_CUMULATIVE)[0]
    if rng.random() < COMPOUND_SHARE and " " not in first:
        second = rng.choices(SURNAMES, cum_weights=_CUMULATIVE)[0]
        if second != first and " " not in second:
            return f"{first}-{second}"
    return first
