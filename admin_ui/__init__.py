"""Streamlit console for operators: `app.py` is the entry (`streamlit run admin_ui/app.py`),
`views/` the screens, `data*.py` the Postgres reads, `temporal_ops.py` the Temporal calls,
`actions.py` what an operator does to an order (audited), `order_view.py` one order on screen."""
