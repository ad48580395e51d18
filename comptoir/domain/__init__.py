"""Pure domain rules of Comptoir: money, VAT, French calendar, opening hours, pickup slots,
vendor-order transitions (`vendor_order_rules`) and French labels.

No I/O and no database here, so workflows, activities, the API and the admin share them.
"""
