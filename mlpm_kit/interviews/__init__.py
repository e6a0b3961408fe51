"""Interview notes: the confirmation-bias rules, the evidence grade, the optional classifier."""
