"""Fonts for non-Latin text (Chinese) in charts and PDFs: one place that knows the font names.

Matplotlib draws each glyph from the first font in `font.family` that has it (3.6+), so a
Latin font first and a CJK font after it renders mixed Chinese and English labels without
missing-glyph boxes. The report's print stylesheet uses the same stack (`CSS_FONT_STACK`).
`make test` installs the CJK font (Debian package fonts-noto-cjk) when it is missing.
"""

from __future__ import annotations

from functools import lru_cache

LATIN_FONTS = ("DejaVu Sans", "Liberation Sans")
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans SC", "WenQuanYi Zen Hei")
CSS_FONT_STACK = (
    '"DejaVu Sans", "Liberation Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", sans-serif'
)


@lru_cache(maxsize=1)
def installed_cjk_fonts() -> tuple[str, ...]:
    """The CJK fonts matplotlib can find on this machine, in order of preference."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(name for name in CJK_FONTS if name in names)


def use_cjk_fallback() -> list[str]:
    """Set matplotlib's font family to a Latin font with a CJK fallback; returns the family list.

    Safe to call many times. Without any CJK font installed the Latin fonts stay, and
    Chinese labels show as boxes (install fonts-noto-cjk).
    """
    import matplotlib

    family = [*LATIN_FONTS, *installed_cjk_fonts(), "sans-serif"]
    matplotlib.rcParams["font.family"] = family
    return family
