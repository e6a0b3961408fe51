"""Outcomes of launched ideas against their estimates (DESIGN section 11)."""
