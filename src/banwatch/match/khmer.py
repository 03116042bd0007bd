"""Khmer in Latin letters, which ICU (and so rigour) cannot do: ICU has no
Khmer-Latin transform, and `ascii_text` turns "ហ៊ុន សែន" (Hun Sen) into "?? ???",
a name with no letters to screen.

A simplified form of the UNGEGN romanisation (the one Cambodian names take in
passports and in the lists): consonants by their usual Latin letters, dependent
vowels by their common spellings, the register signs and the subscript mark
dropped. It is not a scholarly transliteration: it aims at the spelling a name
ends up with in Latin letters, near enough for the scorer's sound and typo
matching ("hon" ~ "Hun", "saen" ~ "Sen").
"""

from __future__ import annotations

CONSONANTS = {
    "ក": "k", "ខ": "kh", "គ": "k", "ឃ": "kh", "ង": "ng", "ច": "ch", "ឆ": "chh", "ជ": "ch", "ឈ": "chh", "ញ": "nh",
    "ដ": "d", "ឋ": "th", "ឌ": "d", "ឍ": "th", "ណ": "n", "ត": "t", "ថ": "th", "ទ": "t", "ធ": "th", "ន": "n",
    "ប": "b", "ផ": "ph", "ព": "p", "ភ": "ph", "ម": "m", "យ": "y", "រ": "r", "ល": "l", "វ": "v", "ស": "s",
    "ហ": "h", "ឡ": "l", "អ": "",
}
INDEPENDENT_VOWELS = {"ឥ": "e", "ឦ": "ei", "ឧ": "o", "ឩ": "ou", "ឪ": "ov", "ឫ": "rue", "ឬ": "rue", "ឭ": "lue",
                      "ឮ": "lue", "ឯ": "ae", "ឰ": "ai", "ឱ": "ao", "ឲ": "ao", "ឳ": "au"}
DEPENDENT_VOWELS = {"ា": "a", "ិ": "e", "ី": "ei", "ឹ": "oe", "ឺ": "eu", "ុ": "o", "ូ": "ou", "ួ": "uo",
                    "ើ": "aeu", "ឿ": "oea", "ៀ": "ie", "េ": "e", "ែ": "ae", "ៃ": "ai", "ោ": "ao", "ៅ": "au",
                    "ំ": "m", "ះ": "h", "ៈ": ""}
#: the register shifters, the final-consonant mark, the subscript mark and other signs: no letter of their own
SILENT = set("៊៉់្៌៍៎៏័៑៓")
#: the inherent vowel of a consonant followed by no vowel sign, before another consonant
INHERENT = "a"


def is_khmer(text: str) -> bool:
    return any("\u1780" <= char <= "\u17ff" or "\u19e0" <= char <= "\u19ff" for char in text)


def khmer_latin(text: str) -> str:
    """'ហ៊ុន សែន' -> 'hon saen'; characters of other scripts are kept as they are."""
    out: list[str] = []
    chars = list(text)
    for i, char in enumerate(chars):
        if char in CONSONANTS:
            out.append(CONSONANTS[char])
            following = chars[i + 1] if i + 1 < len(chars) else ""
            # a consonant between consonants carries the inherent vowel; after a subscript mark it is a cluster
            subscript = i > 0 and chars[i - 1] == "្"
            if following in CONSONANTS and not subscript and i + 2 < len(chars) and chars[i + 2] not in SILENT:
                out.append(INHERENT)
        elif char in DEPENDENT_VOWELS:
            out.append(DEPENDENT_VOWELS[char])
        elif char in INDEPENDENT_VOWELS:
            out.append(INDEPENDENT_VOWELS[char])
        elif char in SILENT:
            continue
        elif "\u17e0" <= char <= "\u17e9":  # Khmer digits
            out.append(str(ord(char) - 0x17E0))
        else:
            out.append(char)
    return "".join(out)
