"""Theory: what the equations prove.

Linearisation at the equilibrium (``linearize``), spectra and stability criteria (``spectrum``),
sign proofs (``signs``), Lyapunov/LaSalle/Chetaev certificates (``lyapunov``), periodic orbits
(``orbits``) and the nonlinear verdict that combines them (``nonlinear``).
"""
