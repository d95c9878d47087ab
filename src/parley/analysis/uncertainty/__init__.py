"""What the answer depends on: uncertain inputs, Monte Carlo, sensitivity, scenario discovery.

- :mod:`.inputs` — every uncertain input of a scenario and how it is drawn;
- :mod:`.montecarlo` — N draws through any model, batch-first; outcome bands and plan
  probabilities;
- :mod:`.sensitivity` — Sobol and Morris indices (SALib), the "value of clarity";
- :mod:`.discovery` — regions of the input space where a plan passes or fails (CART, PRIM);
- :mod:`.runners` — where the draws run: in process, a local process pool, or Dask.
"""
