"""Numerics: compiled fields, the batched integrator, simulation, measurement, verify and confirm."""
