"""Multilingual caption grammar for the synthetic demo scenes.

A scene is (shape, colour, count, background). Every language renders
  * `canonical(scene)`  - the evaluation caption: count + colour + shape, pins down one (shape, colour, count);
  * `variants(scene)`   - every training caption with the attributes it states (a `Caption`), including
    partial descriptions ("something red", "two triangles") and background mentions.
The grammar is explicit per language (gender, case, plurals, measure words, numeral agreement) so the
captions are correct text, not word salad. All tables are plain data; nothing here is random.
"""
from __future__ import annotations

from dataclasses import dataclass

SHAPES = ["circle", "square", "triangle", "star", "heart", "moon"]
COLOURS = ["red", "green", "blue", "yellow", "purple", "orange", "black", "white"]
COUNTS = [1, 2, 3]
BACKGROUNDS = ["white", "gray", "black"]
LANGS = ["en", "zh", "es", "de", "fr", "ru", "ar", "ja", "hi"]


@dataclass(frozen=True)
class Scene:
    shape: str
    colour: str
    count: int
    background: str


@dataclass(frozen=True)
class Caption:
    """A caption and the attributes it pins down (None = not stated)."""
    text: str
    shape: str | None
    colour: str | None
    count: int | None
    background: str | None = None

    def matches(self, s: Scene) -> bool:
        return ((self.shape is None or self.shape == s.shape) and
                (self.colour is None or self.colour == s.colour) and
                (self.count is None or self.count == s.count) and
                (self.background is None or self.background == s.background))


def _cap(text, s: Scene, shape=True, colour=True, count=True, bg=False) -> Caption:
    return Caption(text, s.shape if shape else None, s.colour if colour else None,
                   s.count if count else None, s.background if bg else None)


# ---------------------------------------------------------------- English
EN_SHAPES = {"circle": ["circle", "disk"], "square": ["square"], "triangle": ["triangle"],
             "star": ["star"], "heart": ["heart"], "moon": ["moon", "crescent", "crescent moon"]}
EN_COLOURS = {"red": ["red"], "green": ["green"], "blue": ["blue"], "yellow": ["yellow"],
              "purple": ["purple", "violet"], "orange": ["orange"], "black": ["black"], "white": ["white"]}
EN_NUM = {2: "two", 3: "three"}


def _en_article(word):
    return "an" if word[0] in "aeiou" else "a"


def _en_np(count, adj, noun):
    words = f"{adj} {noun}" if adj else noun
    if count == 1:
        return f"{_en_article(words)} {words}"
    return f"{EN_NUM[count]} {words}s"


def en_canonical(s: Scene) -> str:
    return _en_np(s.count, EN_COLOURS[s.colour][0], EN_SHAPES[s.shape][0])


def en_variants(s: Scene) -> list[Caption]:
    out = []
    be = "is" if s.count == 1 else "are"
    for noun in EN_SHAPES[s.shape]:
        for adj in EN_COLOURS[s.colour]:
            np_ = _en_np(s.count, adj, noun)
            out += [_cap(np_, s), _cap(f"a photo of {np_}", s), _cap(f"an image of {np_}", s),
                    _cap(f"a picture showing {np_}", s), _cap(f"there {be} {np_}", s),
                    _cap(f"{np_} on a {s.background} background", s, bg=True),
                    _cap(f"{_en_np(s.count, None, noun)} that {be} {adj}", s),
                    _cap(f"{adj} {noun}" + ("s" if s.count > 1 else ""), s, count=False)]
            out.append(_cap(_en_np(s.count, None, noun), s, colour=False))
        out.append(_cap(f"{noun}s" if s.count > 1 else f"{_en_article(noun)} {noun}", s, colour=False,
                        count=s.count == 1))
    for adj in EN_COLOURS[s.colour]:
        out.append(_cap(f"something {adj}", s, shape=False, count=False))
    return out


# ---------------------------------------------------------------- Spanish
# noun: (singular, plural, gender)
ES_SHAPES = {"circle": [("círculo", "círculos", "m")], "square": [("cuadrado", "cuadrados", "m")],
             "triangle": [("triángulo", "triángulos", "m")], "star": [("estrella", "estrellas", "f")],
             "heart": [("corazón", "corazones", "m")], "moon": [("luna", "lunas", "f"), ("media luna", "medias lunas", "f")]}
# adjective: (m sg, f sg, m pl, f pl)
ES_COLOURS = {"red": ("rojo", "roja", "rojos", "rojas"), "green": ("verde", "verde", "verdes", "verdes"),
              "blue": ("azul", "azul", "azules", "azules"), "yellow": ("amarillo", "amarilla", "amarillos", "amarillas"),
              "purple": ("morado", "morada", "morados", "moradas"), "orange": ("naranja", "naranja", "naranja", "naranja"),
              "black": ("negro", "negra", "negros", "negras"), "white": ("blanco", "blanca", "blancos", "blancas")}
ES_BG = {"white": "blanco", "gray": "gris", "black": "negro"}
ES_NUM = {2: "dos", 3: "tres"}


def _es_adj(colour, g, count):
    m, f, mp, fp = ES_COLOURS[colour]
    return (m if g == "m" else f) if count == 1 else (mp if g == "m" else fp)


def _es_det(count, g):
    return ("un" if g == "m" else "una") if count == 1 else ES_NUM[count]


def _es_np(s, noun, colour=True):
    sg, pl, g = noun
    n = sg if s.count == 1 else pl
    head = f"{_es_det(s.count, g)} {n}"
    return f"{head} {_es_adj(s.colour, g, s.count)}" if colour else head


def es_canonical(s):
    return _es_np(s, ES_SHAPES[s.shape][0])


def es_variants(s):
    out = []
    for noun in ES_SHAPES[s.shape]:
        np_ = _es_np(s, noun)
        out += [_cap(np_, s), _cap(f"una foto de {np_}", s), _cap(f"una imagen de {np_}", s),
                _cap(f"hay {np_}", s), _cap(f"{np_} sobre fondo {ES_BG[s.background]}", s, bg=True),
                _cap(f"{_es_np(s, noun, False)} de color {ES_COLOURS[s.colour][0]}", s),
                _cap(_es_np(s, noun, False), s, colour=False)]
    out.append(_cap(f"algo {ES_COLOURS[s.colour][0]}", s, shape=False, count=False))
    return out


# ---------------------------------------------------------------- French
FR_SHAPES = {"circle": [("cercle", "cercles", "m"), ("rond", "ronds", "m")], "square": [("carré", "carrés", "m")],
             "triangle": [("triangle", "triangles", "m")], "star": [("étoile", "étoiles", "f")],
             "heart": [("cœur", "cœurs", "m")], "moon": [("lune", "lunes", "f"), ("croissant", "croissants", "m")]}
FR_COLOURS = {"red": ("rouge", "rouge", "rouges", "rouges"), "green": ("vert", "verte", "verts", "vertes"),
              "blue": ("bleu", "bleue", "bleus", "bleues"), "yellow": ("jaune", "jaune", "jaunes", "jaunes"),
              "purple": ("violet", "violette", "violets", "violettes"), "orange": ("orange", "orange", "orange", "orange"),
              "black": ("noir", "noire", "noirs", "noires"), "white": ("blanc", "blanche", "blancs", "blanches")}
FR_BG = {"white": "blanc", "gray": "gris", "black": "noir"}
FR_NUM = {2: "deux", 3: "trois"}


def _fr_de(word):
    """`de` with elision before a vowel: d'un, d'orange, de deux."""
    return f"d'{word}" if word[0] in "aeiouéèêh" else f"de {word}"


def _fr_np(s, noun, colour=True):
    sg, pl, g = noun
    det = ("un" if g == "m" else "une") if s.count == 1 else FR_NUM[s.count]
    n = sg if s.count == 1 else pl
    if not colour:
        return f"{det} {n}"
    m, f, mp, fp = FR_COLOURS[s.colour]
    adj = (m if g == "m" else f) if s.count == 1 else (mp if g == "m" else fp)
    return f"{det} {n} {adj}"


def fr_canonical(s):
    return _fr_np(s, FR_SHAPES[s.shape][0])


def fr_variants(s):
    out = []
    for noun in FR_SHAPES[s.shape]:
        np_ = _fr_np(s, noun)
        out += [_cap(np_, s), _cap(f"une photo {_fr_de(np_)}", s), _cap(f"une image {_fr_de(np_)}", s),
                _cap(f"il y a {np_}", s), _cap(f"{np_} sur fond {FR_BG[s.background]}", s, bg=True),
                _cap(f"{_fr_np(s, noun, False)} de couleur {FR_COLOURS[s.colour][1]}", s),  # agrees with "couleur" (f)
                _cap(_fr_np(s, noun, False), s, colour=False)]
    out.append(_cap(f"quelque chose {_fr_de(FR_COLOURS[s.colour][0])}", s, shape=False, count=False))
    return out


# ---------------------------------------------------------------- German
DE_SHAPES = {"circle": [("Kreis", "Kreise", "m")], "square": [("Quadrat", "Quadrate", "n"), ("Viereck", "Vierecke", "n")],
             "triangle": [("Dreieck", "Dreiecke", "n")], "star": [("Stern", "Sterne", "m")],
             "heart": [("Herz", "Herzen", "n")], "moon": [("Mond", "Monde", "m"), ("Halbmond", "Halbmonde", "m")]}
# declinable stem, colour noun
DE_COLOURS = {"red": ("rot", "Rot"), "green": ("grün", "Grün"), "blue": ("blau", "Blau"), "yellow": ("gelb", "Gelb"),
              "purple": ("violett", "Violett"), "orange": ("orangefarben", "Orange"),
              "black": ("schwarz", "Schwarz"), "white": ("weiß", "Weiß")}
DE_BG = {"white": "weißem", "gray": "grauem", "black": "schwarzem"}  # dative, strong, masc
DE_NUM = {2: "zwei", 3: "drei"}


def _de_np(s, noun, colour=True):
    """Nominative: ein roter Kreis / ein rotes Dreieck / zwei rote Kreise."""
    sg, pl, g = noun
    stem = DE_COLOURS[s.colour][0]
    if s.count == 1:
        det = "eine" if g == "f" else "ein"
        adj = stem + {"m": "er", "n": "es", "f": "e"}[g]
        return f"{det} {adj} {sg}" if colour else f"{det} {sg}"
    return f"{DE_NUM[s.count]} {stem}e {pl}" if colour else f"{DE_NUM[s.count]} {pl}"


def de_canonical(s):
    return _de_np(s, DE_SHAPES[s.shape][0])


def de_variants(s):
    out = []
    verb = "ist" if s.count == 1 else "sind"
    for noun in DE_SHAPES[s.shape]:
        np_ = _de_np(s, noun)
        out += [_cap(np_, s), _cap(f"zu sehen {verb} {np_}", s), _cap(f"hier {verb} {np_}", s),
                _cap(f"{np_} auf {DE_BG[s.background]} Hintergrund", s, bg=True),
                _cap(f"{_de_np(s, noun, False)} in {DE_COLOURS[s.colour][1]}", s),
                _cap(_de_np(s, noun, False), s, colour=False)]
    out.append(_cap(f"etwas {DE_COLOURS[s.colour][0].capitalize()}es", s, shape=False, count=False))
    return out


# ---------------------------------------------------------------- Russian
# noun: (nom sg, gen sg, gender)
RU_SHAPES = {"circle": [("круг", "круга", "m"), ("кружок", "кружка", "m")], "square": [("квадрат", "квадрата", "m")],
             "triangle": [("треугольник", "треугольника", "m")], "star": [("звезда", "звезды", "f")],
             "heart": [("сердце", "сердца", "n")], "moon": [("полумесяц", "полумесяца", "m"), ("луна", "луны", "f")]}
RU_COLOURS = {"red": ["красн"], "green": ["зелён", "зелен"], "blue": ["син"], "yellow": ["жёлт", "желт"],
              "purple": ["фиолетов"], "orange": ["оранжев"], "black": ["чёрн", "черн"], "white": ["бел"]}
RU_SOFT = {"син"}
RU_BG = {"white": "белом", "gray": "сером", "black": "чёрном"}  # prepositional


def _ru_adj(stem, form):
    """form: m f n pl gpl."""
    if stem in RU_SOFT:
        return stem + {"m": "ий", "f": "яя", "n": "ее", "pl": "ие", "gpl": "их"}[form]
    return stem + {"m": "ый", "f": "ая", "n": "ое", "pl": "ые", "gpl": "ых"}[form]


def _ru_np(s, noun, stem, colour=True):
    """1: красный круг; 2-4: два красных круга / две красные звезды (numeral + gen sg noun)."""
    nom, gen, g = noun
    if s.count == 1:
        return f"{_ru_adj(stem, g)} {nom}" if colour else nom
    num = {2: "две" if g == "f" else "два", 3: "три"}[s.count]
    adj = _ru_adj(stem, "pl" if g == "f" else "gpl")
    return f"{num} {adj} {gen}" if colour else f"{num} {gen}"


def ru_canonical(s):
    return _ru_np(s, RU_SHAPES[s.shape][0], RU_COLOURS[s.colour][0])


def ru_variants(s):
    out = []
    for noun in RU_SHAPES[s.shape]:
        for stem in RU_COLOURS[s.colour]:
            np_ = _ru_np(s, noun, stem)
            out += [_cap(np_, s), _cap(f"на картинке {np_}", s), _cap(f"на фото {np_}", s),
                    _cap(f"{np_} на {RU_BG[s.background]} фоне", s, bg=True)]
        out.append(_cap(_ru_np(s, noun, "", colour=False), s, colour=False))
    for stem in RU_COLOURS[s.colour]:
        out.append(_cap(f"что-то {_ru_adj(stem, 'n')}", s, shape=False, count=False))
    return out


# ---------------------------------------------------------------- Chinese
# noun, measure word
ZH_SHAPES = {"circle": [("圆形", "个"), ("圆圈", "个")], "square": [("正方形", "个"), ("方块", "个")],
             "triangle": [("三角形", "个")], "star": [("星星", "颗"), ("五角星", "个")],
             "heart": [("爱心", "颗"), ("心形", "个")], "moon": [("月亮", "个"), ("弯月", "个")]}
ZH_COLOURS = {"red": "红色", "green": "绿色", "blue": "蓝色", "yellow": "黄色", "purple": "紫色",
              "orange": "橙色", "black": "黑色", "white": "白色"}
ZH_BG = {"white": "白色", "gray": "灰色", "black": "黑色"}
ZH_NUM = {1: "一", 2: "两", 3: "三"}


def _zh_np(s, noun, de=True, colour=True):
    n, mw = noun
    c = ZH_COLOURS[s.colour]
    adj = (f"{c}的" if de else c) if colour else ""
    return f"{ZH_NUM[s.count]}{mw}{adj}{n}"


def zh_canonical(s):
    return _zh_np(s, ZH_SHAPES[s.shape][0])


def zh_variants(s):
    out = []
    for noun in ZH_SHAPES[s.shape]:
        for de in (True, False):
            np_ = _zh_np(s, noun, de)
            out += [_cap(np_, s), _cap(f"图片上有{np_}", s), _cap(f"一张有{np_}的图片", s),
                    _cap(f"{ZH_BG[s.background]}背景上的{np_}", s, bg=True)]
        out.append(_cap(_zh_np(s, noun, colour=False), s, colour=False))
        out.append(_cap(f"{ZH_COLOURS[s.colour]}的{noun[0]}", s, count=False))
    out.append(_cap(f"{ZH_COLOURS[s.colour]}的东西", s, shape=False, count=False))
    return out


# ---------------------------------------------------------------- Japanese
JA_SHAPES = {"circle": ["円", "丸"], "square": ["四角形", "正方形"], "triangle": ["三角形"], "star": ["星"],
             "heart": ["ハート"], "moon": ["三日月", "月"]}
JA_COLOURS = {"red": ["赤い"], "green": ["緑の"], "blue": ["青い"], "yellow": ["黄色い"], "purple": ["紫の"],
              "orange": ["オレンジ色の", "オレンジの"], "black": ["黒い"], "white": ["白い"]}
JA_BG = {"white": "白い", "gray": "灰色の", "black": "黒い"}
JA_NUM = {1: "一つ", 2: "二つ", 3: "三つ"}


def ja_canonical(s):
    return f"{JA_NUM[s.count]}の{JA_COLOURS[s.colour][0]}{JA_SHAPES[s.shape][0]}"


def ja_variants(s):
    out = []
    num = JA_NUM[s.count]
    for noun in JA_SHAPES[s.shape]:
        for adj in JA_COLOURS[s.colour]:
            pre = f"{num}の{adj}{noun}"       # 二つの赤い三角形
            post = f"{adj}{noun}が{num}"      # 赤い三角形が二つ
            out += [_cap(pre, s), _cap(post, s), _cap(f"{pre}の写真", s), _cap(f"{pre}の画像", s),
                    _cap(f"{JA_BG[s.background]}背景に{post}", s, bg=True),
                    _cap(f"{adj}{noun}", s, count=s.count == 1)]
        out.append(_cap(f"{noun}が{num}", s, colour=False))
    for adj in JA_COLOURS[s.colour]:
        out.append(_cap(f"{adj}もの", s, shape=False, count=False))
        out.append(_cap(f"何か{adj}もの", s, shape=False, count=False))
    return out


# ---------------------------------------------------------------- Arabic
# noun: (sg, dual nom, plural, gender)
AR_SHAPES = {"circle": [("دائرة", "دائرتان", "دوائر", "f")], "square": [("مربع", "مربعان", "مربعات", "m")],
             "triangle": [("مثلث", "مثلثان", "مثلثات", "m")], "star": [("نجمة", "نجمتان", "نجمات", "f")],
             "heart": [("قلب", "قلبان", "قلوب", "m")],
             "moon": [("هلال", "هلالان", "أهلة", "m"), ("قمر", "قمران", "أقمار", "m")]}
# adjective: (m sg, f sg, m dual, f dual); a non-human plural takes the f sg form
AR_COLOURS = {"red": ("أحمر", "حمراء", "أحمران", "حمراوان"), "green": ("أخضر", "خضراء", "أخضران", "خضراوان"),
              "blue": ("أزرق", "زرقاء", "أزرقان", "زرقاوان"), "yellow": ("أصفر", "صفراء", "أصفران", "صفراوان"),
              "purple": ("بنفسجي", "بنفسجية", "بنفسجيان", "بنفسجيتان"),
              "orange": ("برتقالي", "برتقالية", "برتقاليان", "برتقاليتان"),
              "black": ("أسود", "سوداء", "أسودان", "سوداوان"), "white": ("أبيض", "بيضاء", "أبيضان", "بيضاوان")}
AR_BG = {"white": "بيضاء", "gray": "رمادية", "black": "سوداء"}  # خلفية is feminine


def _ar_np(s, noun, colour=True):
    """مثلث أحمر / مثلثان أحمران / ثلاثة مثلثات حمراء (3 takes the opposite gender of the singular)."""
    sg, du, pl, g = noun
    m, f, md, fd = AR_COLOURS[s.colour]
    if s.count == 1:
        return f"{sg} {m if g == 'm' else f}" if colour else sg
    if s.count == 2:
        return f"{du} {md if g == 'm' else fd}" if colour else du
    num = "ثلاثة" if g == "m" else "ثلاث"
    return f"{num} {pl} {f}" if colour else f"{num} {pl}"


def ar_canonical(s):
    return _ar_np(s, AR_SHAPES[s.shape][0])


def ar_variants(s):
    out = []
    for noun in AR_SHAPES[s.shape]:
        np_ = _ar_np(s, noun)
        out += [_cap(np_, s), _cap(f"صورة فيها {np_}", s), _cap(f"{np_} على خلفية {AR_BG[s.background]}", s, bg=True),
                _cap(_ar_np(s, noun, False), s, colour=False)]
    out.append(_cap(f"شيء {AR_COLOURS[s.colour][0]}", s, shape=False, count=False))
    return out


# ---------------------------------------------------------------- Hindi
# noun (all masculine): (direct sg, direct pl, oblique sg, oblique pl)
HI_SHAPES = {"circle": [("गोला", "गोले", "गोले", "गोलों"), ("वृत्त", "वृत्त", "वृत्त", "वृत्तों")],
             "square": [("वर्ग", "वर्ग", "वर्ग", "वर्गों")],
             "triangle": [("त्रिभुज", "त्रिभुज", "त्रिभुज", "त्रिभुजों"), ("त्रिकोण", "त्रिकोण", "त्रिकोण", "त्रिकोणों")],
             "star": [("तारा", "तारे", "तारे", "तारों")], "heart": [("दिल", "दिल", "दिल", "दिलों")],
             "moon": [("चाँद", "चाँद", "चाँद", "चाँदों")]}
# adjective: (m direct sg, m pl / oblique); invariable adjectives repeat
HI_COLOURS = {"red": ("लाल", "लाल"), "green": ("हरा", "हरे"), "blue": ("नीला", "नीले"), "yellow": ("पीला", "पीले"),
              "purple": ("बैंगनी", "बैंगनी"), "orange": ("नारंगी", "नारंगी"), "black": ("काला", "काले"),
              "white": ("सफ़ेद", "सफ़ेद")}
HI_BG = {"white": "सफ़ेद", "gray": "स्लेटी", "black": "काली"}  # पृष्ठभूमि is feminine
HI_NUM = {1: "एक", 2: "दो", 3: "तीन"}


def _hi_np(s, noun, oblique=False, colour=True):
    dsg, dpl, osg, opl = noun
    m, mpl = HI_COLOURS[s.colour]
    if s.count == 1:
        n, a = (osg, mpl) if oblique else (dsg, m)
    else:
        n, a = (opl, mpl) if oblique else (dpl, mpl)
    return f"{HI_NUM[s.count]} {a} {n}" if colour else f"{HI_NUM[s.count]} {n}"


def hi_canonical(s):
    return _hi_np(s, HI_SHAPES[s.shape][0])


def hi_variants(s):
    out = []
    verb = "है" if s.count == 1 else "हैं"
    for noun in HI_SHAPES[s.shape]:
        np_ = _hi_np(s, noun)
        out += [_cap(np_, s), _cap(f"{_hi_np(s, noun, oblique=True)} की तस्वीर", s),
                _cap(f"तस्वीर में {np_} {verb}", s),
                _cap(f"{HI_BG[s.background]} पृष्ठभूमि पर {np_}", s, bg=True),
                _cap(_hi_np(s, noun, colour=False), s, colour=False)]
    out.append(_cap(f"कुछ {HI_COLOURS[s.colour][0]}", s, shape=False, count=False))
    return out


CANONICAL = {"en": en_canonical, "zh": zh_canonical, "es": es_canonical, "de": de_canonical, "fr": fr_canonical,
             "ru": ru_canonical, "ar": ar_canonical, "ja": ja_canonical, "hi": hi_canonical}
VARIANTS = {"en": en_variants, "zh": zh_variants, "es": es_variants, "de": de_variants, "fr": fr_variants,
            "ru": ru_variants, "ar": ar_variants, "ja": ja_variants, "hi": hi_variants}

QUERY_PREFIX = "Represent the query for retrieving evidence documents: "


def all_scenes():
    return [Scene(sh, c, n, bg) for sh in SHAPES for c in COLOURS for n in COUNTS for bg in BACKGROUNDS
            if not (c == bg)]


def all_texts() -> list[str]:
    """Every caption any language can produce (for the tokenizer) plus the query-prefixed forms."""
    texts = set()
    for s in all_scenes():
        for lang in LANGS:
            texts.add(CANONICAL[lang](s))
            texts.update(c.text for c in VARIANTS[lang](s))
    texts = sorted(texts)
    return texts + [QUERY_PREFIX + t for t in texts[:50]] + [QUERY_PREFIX]
