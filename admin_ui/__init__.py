"""Streamlit console for operators: `app.py` is the entry (`streamlit run admin_ui/app.py`),
`views/` the screens (reading through `comptoir.services.operations`), `temporal_ops.py` the Temporal calls,
`actions.py` what an operator does to an order (audited), `order_view.py` one order on screen."""
