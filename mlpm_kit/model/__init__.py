"""The economic model (DESIGN section 4), simulation and value of information."""
