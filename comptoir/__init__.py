"""Comptoir core: settings, database models and domain rules shared by every process."""
