"""The console's screens, run by `st.navigation` from `admin_ui/app.py`.

Not named `pages/`: Streamlit treats a `pages/` folder as the older multipage mode,
where AppTest (and a direct URL) would run a screen without the entry script.
"""
