"""User-controlled text shown by the console, made inert for Streamlit's markdown.

st.markdown, st.caption, alerts and widget labels all render markdown: a shop named
"![x](http://evil)" would otherwise load an image or plant a link in the operator's page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

# Characters that open links, images, emphasis, code, HTML, headings, tables, strikethrough
# and Streamlit's :color[...] / $math$ extensions, wherever they stand.
_SPECIAL = re.compile(r"([\\`*\[\]<>#|~$])")
# "_" opens or closes emphasis only beside a non-letter ("issue_invoice" stays as it is).
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# Characters that start a list or a quote only at the beginning of the text.
_LEADING = re.compile(r"^([-+>]|\d+[.)])")
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n\v\f\u2028\u2029]+[ \t]*")
# GitHub-flavoured markdown turns bare addresses into links: break "://" and "www.".
_BARE_LINK = re.compile(r"(:)(?=//)|(?<=www)(\.)", re.IGNORECASE)


def plain_inline(text: object) -> str:
    """`text` shown literally where markdown is inline only (a table cell: no lists there)."""
    flat = _LINE_BREAKS.sub(" ", str(text))  # non-breaking spaces stay (amounts, dates)
    escaped = _UNDERSCORE.sub(r"\\_", _SPECIAL.sub(r"\\\1", flat))
    return _BARE_LINK.sub(lambda m: "\\" + m.group(0), escaped)


def plain_frame(rows: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """The rows of an `st.table` (whose cells render markdown), every text cell made inert."""
    return pd.DataFrame(
        [{k: plain_inline(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
    )


def plain(text: object) -> str:
    """`text` shown literally inside markdown (every special character backslash-escaped)."""
    # Whitespace is folded: a line break could start a heading or a list.
    escaped = plain_inline(text)
    return _LEADING.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], escaped)
