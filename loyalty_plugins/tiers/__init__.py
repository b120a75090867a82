"""Tiers: a named programme whose levels come from what members spent over a window."""
