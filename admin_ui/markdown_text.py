"""User-controlled text shown by the console, made inert for Streamlit's markdown.

st.markdown, st.caption, alerts and widget labels all render markdown: a shop named
"![x](http://evil)" would otherwise load an image or plant a link in the operator's page.
"""

from __future__ import annotations

import re

# Characters that open links, images, emphasis, code, HTML, headings, tables, strikethrough
# and Streamlit's :color[...] / $math$ extensions, wherever they stand.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$])")
# Characters that start a list or a quote only at the beginning of the text.
_LEADING = re.compile(r"^([-+>]|\d+[.)])")
# GitHub-flavoured markdown turns bare addresses into links: break "://" and "www.".
_BARE_LINK = re.compile(r"(:)(?=//)|(?<=www)(\.)", re.IGNORECASE)


def plain(text: object) -> str:
    """`text` shown literally inside markdown (every special character backslash-escaped)."""
    flat = " ".join(str(text).split())  # a line break could start a heading or a list
    escaped = _BARE_LINK.sub(lambda m: "\\" + m.group(0), _SPECIAL.sub(r"\\\1", flat))
    return _LEADING.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], escaped)
