"""Write `src/banwatch/match/pinyin.txt`: the toneless Mandarin syllables, one a
line, read by ICU's Han-Latin transform from the 3,755 common characters of
GB2312 level 1.

    .venv/bin/python benchmarks/make_pinyin.py
"""

from pathlib import Path

import icu

OUT = Path(__file__).resolve().parents[1] / "src" / "banwatch" / "match" / "pinyin.txt"


def common_han_characters() -> list[str]:
    """The 3,755 characters of GB2312 level 1 (rows 16-55), in code order."""
    found = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                found.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def main() -> None:
    han = icu.Transliterator.createInstance("Han-Latin; Latin-ASCII")
    syllables = {han.transliterate(char).strip().lower() for char in common_han_characters()}
    lines = ["# toneless Mandarin syllables: benchmarks/make_pinyin.py", *sorted(s for s in syllables if s.isalpha())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} syllables -> {OUT}")


if __name__ == "__main__":
    main()
