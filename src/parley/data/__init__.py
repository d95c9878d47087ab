"""Fitted data that ships with parley (read with :mod:`importlib.resources`).

``ensemble.json``: the stacked ensemble's weights, interval calibration and provenance
(:mod:`parley.models.calibration`), written by ``parley backtest deu PATH --fit-ensemble``.
"""
