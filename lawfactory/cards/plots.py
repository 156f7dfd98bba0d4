"""matplotlib for the reports people read: headless (Agg) and with a CJK font, so charge names and
other Chinese labels render as text instead of empty boxes.

The font is Noto Sans CJK SC, shipped inside the `mplfonts` wheel (a pip dependency): no system font
package and no download at plot time. Its SC glyph set also covers the traditional characters of
Taiwan charge names (竊盜, 賄賂). It is registered with matplotlib's font manager on first use and
put first in the sans-serif list; without it (a stripped install) plots still render, with the
glyphs matplotlib has.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"


def cjk_font_path() -> Path | None:
    """The CJK font file shipped by mplfonts, or None when the package is absent."""
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / CJK_FONT_FILE
    return path if path.is_file() else None


@functools.cache
def cjk_font_name() -> str | None:
    """Register the CJK font with matplotlib (once) and return its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    if path is None:
        return None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def pyplot():
    """matplotlib.pyplot on the Agg backend with the CJK font first in line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    name = cjk_font_name()
    if name:
        matplotlib.rcParams["font.sans-serif"] = [name,
                                                  *[f for f in matplotlib.rcParams["font.sans-serif"] if f != name]]
        matplotlib.rcParams["font.family"] = "sans-serif"
        matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font has no U+2212 minus sign
    else:
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
    return plt
