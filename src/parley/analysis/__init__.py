"""Analyses that run models many times or interpret their output.

- :mod:`.plans` — how each party rates each text (scorecard, bargaining range, coalitions,
  durability, words versus deeds);
- :mod:`.uncertainty` — uncertain inputs, Monte Carlo, sensitivity, scenario discovery, runners;
- :mod:`.backtest` — accuracy against negotiations with known outcomes (DEU).
"""
