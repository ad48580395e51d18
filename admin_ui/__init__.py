"""Streamlit console for operators."""
