"""A merchant's shop name or delivery label never becomes markdown in the operator's console;
Streamlit's Deploy button is hidden."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from sqlalchemy.orm import Session

from admin_ui.markdown_text import plain
from comptoir.models import User
from tests.admin_ui.console import errors_of, open_order
from tests.admin_ui.order_factories import make_order, parts_of
from tests.factories import create_shop

pytestmark = pytest.mark.timeout(120)

EVIL = (
    "![x](http://evil) [lien](http://evil) **gras** __souligné__ _it_ <img src=x> :red[rouge] "
    "$x$ # titre www.evil.test"
)
ROOT = Path(__file__).resolve().parents[2]


def test_plain_text_renders_literally_with_a_commonmark_renderer() -> None:
    html = MarkdownIt("commonmark").render(plain(EVIL))
    assert "<img" not in html and "<a " not in html and "<strong>" not in html, html
    assert "<h1>" not in html and "<em>" not in html and html.startswith("<p>")
    assert plain("issue_invoice") == "issue_invoice"  # intraword "_" is no emphasis
    assert "![x](http://evil)" in html and "**gras**" in html  # shown as typed
    assert "http\\://" in plain(EVIL) and plain("www.evil.test") == "www\\.evil.test"
    assert plain("Boulangerie Martin, 12 rue du Pont.") == "Boulangerie Martin, 12 rue du Pont."
    for start in ("- puce", "+ puce", "> citation", "1. liste", "3) liste"):
        rendered = MarkdownIt("commonmark").render(plain(start))
        assert rendered.startswith("<p>"), rendered


def test_shop_names_and_delivery_labels_are_escaped_on_the_order_page(
    db: Session, operator: User
) -> None:
    shop = create_shop(db, name=EVIL)
    order = make_order(db, shops=[shop])
    parts_of(db, order)[0].delivery_label = EVIL
    db.commit()
    app = open_order(db, operator, order.id)
    assert not errors_of(app)
    texts = [m.value for m in app.markdown] + [c.value for c in app.caption]
    shown = [t for t in texts if "evil" in t]
    assert shown, texts
    for text in shown:
        assert "http://" not in text and "**gras**" not in text, text  # no bare link either
        html = MarkdownIt("commonmark").render(text)
        assert "<img" not in html and "<a " not in html, html
    assert any(plain(EVIL) in text for text in shown)
    # st.table renders markdown in its cells too: the shop's name there is escaped as well.
    cells = [str(v) for t in app.table for v in t.value.to_numpy().ravel() if "evil" in str(v)]
    assert cells and all("http://" not in c and "![x]" not in c for c in cells), cells


def test_the_console_hides_the_deploy_button() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "minimal"
    launcher = (ROOT / "devstack" / "run.py").read_text()
    assert '"--client.toolbarMode", "minimal"' in launcher
    assert '"--client.toolbarMode", "minimal"' in (ROOT / "docker-compose.yml").read_text()
