"""Pure domain rules of Comptoir: money, VAT, French calendar, opening hours, pickup slots.

No I/O and no database here, so workflows, activities, the API and the admin share them.
"""
