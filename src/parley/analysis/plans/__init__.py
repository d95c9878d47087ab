"""How each party rates each text on the table.

- :mod:`.scoring` — utilities, reservations and acceptance shared by every analysis here
  and by Monte Carlo;
- :mod:`.scorecard` — the plan scorecard (every plan × every actor), Pareto and Nash checks;
- :mod:`.acceptability`, :mod:`.bargaining` — Fearon's bargaining range and the probability
  that a text falls inside it;
- :mod:`.coalitions` — alignment, blocs, cohesion of declared groups, pivotal actors;
- :mod:`.durability` — durability indicators from the literature, with sources;
- :mod:`.words_deeds` — forecasts on stated versus revealed positions;
- :mod:`.vocabulary` — the keyword tags provisions are read with;
- :mod:`.report` — all of the above for one scenario, and before/after a shock.
"""
