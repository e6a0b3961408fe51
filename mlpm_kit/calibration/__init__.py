"""Outcomes of launched ideas against their estimates (DESIGN section 11).

history (actual beside estimate) <- fit (hit rate, spread, bias) and apply (correcting new
estimates) <- record (`calibrate(ideas) -> Calibration`).
"""
