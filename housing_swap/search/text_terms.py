"""How the words people type become search terms, the same for both backends.

People type "金水 花园", "花园 金水区", "jinshui huayuan" or "jsq hy" for the same homes. So
the text box is split into words that are all required, in any order; a word that names a
district ("金水", "金水区", "郑东") becomes a district filter instead of text; and a word of
Latin letters also matches the pinyin of names — initials ("jxhy") or full ("jinxiuhuayuan") —
anywhere inside, which is what the stored pinyin keys are for.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from ..domain.districts import DISTRICTS_BY_CODE, ZHENGZHOU_DISTRICTS

MAX_PINYIN_KEYS_LENGTH = 600
_LATIN_WORD = re.compile(r"[a-z]{2,40}")
_DISTRICT_SUFFIXES = ("回族区", "新区", "区", "县", "市")


@dataclass(frozen=True)
class TextTerms:
    words: tuple[str, ...]            # each must match somewhere (text or pinyin), any order
    district_codes: tuple[str, ...]   # districts named in the text: results lie in one of them


def text_terms(q: str) -> TextTerms:
    """'金水 花园' → words ('花园',), districts ('410105',). Full-width forms count as their
    ordinary ones; repeated words count once."""
    words: list[str] = []
    districts: list[str] = []
    for word in unicodedata.normalize("NFKC", q).split():
        code = _DISTRICT_ALIASES.get(word)
        if code is not None:
            districts.append(code)
        else:
            words.append(word.lower() if word.isascii() else word)
    return TextTerms(tuple(dict.fromkeys(words)), tuple(dict.fromkeys(districts)))


def is_pinyin_word(word: str) -> bool:
    """A word of Latin letters only, which may be pinyin (initials or full)."""
    return _LATIN_WORD.fullmatch(word) is not None


def initials(text: str) -> str:
    """Lower-case pinyin initials: 金水区 → 'jsq'."""
    return "".join(syllable[:1] for syllable in _syllables(text, Style.FIRST_LETTER))


def full_pinyin(text: str) -> str:
    """Lower-case full pinyin without tones or spaces: 金水区 → 'jinshuiqu'."""
    return "".join(_syllables(text, Style.NORMAL))


def pinyin_keys(name: str, district_code: str) -> str:
    """What a name and its district are found by in Latin letters, space-separated:
    锦绣花园 in 金水区 → 'jxhy jsq jinxiuhuayuan jinshuiqu'. Initials come first, so a prefix
    match on the keys serves autocompletion as well."""
    district = DISTRICTS_BY_CODE.get(district_code)
    parts = [name, district.name if district else ""]
    keys = [initials(part) for part in parts] + [full_pinyin(part) for part in parts]
    return " ".join(key for key in keys if key)[:MAX_PINYIN_KEYS_LENGTH]


def _syllables(text: str, style: Style) -> list[str]:
    syllables = (syllable.lower() for syllable in lazy_pinyin(text, style=style))
    return ["".join(ch for ch in syllable if ch.isascii() and ch.isalpha()) for syllable in syllables]


def _district_aliases() -> dict[str, str]:
    """Each district by its full name and its usual short forms (金水区 → 金水, 郑州高新区 →
    高新区, 高新; 管城回族区 → 管城, 管城区)."""
    aliases: dict[str, str] = {}
    for district in ZHENGZHOU_DISTRICTS:
        name = district.name
        local = name.removeprefix("郑州")
        stem = next((local.removesuffix(suffix) for suffix in _DISTRICT_SUFFIXES if local.endswith(suffix)), local)
        for alias in (name, local, stem, stem + "区"):
            if len(alias) >= 2:
                aliases.setdefault(alias, district.code)
    return aliases


_DISTRICT_ALIASES = _district_aliases()
