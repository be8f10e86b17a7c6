"""Numerics: the compiled field, the batched integrator, simulation, measurement, verify and confirm.

One job per module, in pipeline order:

* :mod:`~stability.numerics.field`: the exact field compiled to one NumPy function on a batch;
* :mod:`~stability.numerics.integrate`: the batched Dormand-Prince solver;
* :mod:`~stability.numerics.observers`: running summaries (or every state) while integrating;
* :mod:`~stability.numerics.simulate`: ``simulate`` and random initial states;
* :mod:`~stability.numerics.trajectories`: the ``Trajectories`` record;
* :mod:`~stability.numerics.measure`: rates, power laws, frequencies, radii on sampled trajectories;
* :mod:`~stability.numerics.predict`: what the spectrum predicts a run will measure, and how long it must be;
* :mod:`~stability.numerics.behaviour`: one trajectory's measurement and behaviour label;
* :mod:`~stability.numerics.agreement`: the rules comparing a run with the symbolic verdict;
* :mod:`~stability.numerics.verify`: ``verify`` and the ``Verification`` record;
* :mod:`~stability.numerics.confirm`: numerical confirmation of a nonlinear certificate;
* :mod:`~stability.numerics.iterate`, :mod:`~stability.numerics.verify_map`: the same for training with
  steps (update maps);
* :mod:`~stability.numerics.outcomes`, :mod:`~stability.numerics.records`, :mod:`~stability.numerics.checks`:
  verdict words, immutable records, option checks.
"""
