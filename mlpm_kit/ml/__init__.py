"""ML readiness (DESIGN section 8): the metric from the cost of errors, the learning curve, drift, compliance."""
