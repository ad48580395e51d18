"""Every e-mail has an HTML version beside its text: the text's paragraphs, escaped, with
its addresses as links."""

from __future__ import annotations

from markupsafe import escape

from comptoir import mail


def test_text_becomes_escaped_paragraphs_with_links() -> None:
    text = (
        "Bonjour Léa,\n\nVotre message : <b>Tarte & café</b>\n"
        "Suivez-la sur https://comptoir.example/commandes/12?vue=1&x=2.\n\nÀ bientôt"
    )
    paragraphs = [str(p) for p in mail.html_paragraphs(text)]
    assert paragraphs[0] == "Bonjour Léa,"
    assert "&lt;b&gt;Tarte &amp; café&lt;/b&gt;<br>" in paragraphs[1]
    assert (
        '<a href="https://comptoir.example/commandes/12?vue=1&amp;x=2" style="color: #7a3e1d;">'
        "https://comptoir.example/commandes/12?vue=1&amp;x=2</a>." in paragraphs[1]
    )
    assert paragraphs[2] == "À bientôt"


def test_a_template_without_html_gets_the_platform_layout() -> None:
    subject, text, html = mail.render(
        "sign_up_attempt", first_name="Léa", login_url="https://comptoir.example/connexion",
        reset_url="https://comptoir.example/mot-de-passe",
    )  # fmt: skip
    assert html is not None and html.startswith("<!doctype html>")
    assert f"<title>{escape(subject)}</title>" in html
    first_line = text.splitlines()[0]
    assert first_line and str(escape(first_line)) in html
