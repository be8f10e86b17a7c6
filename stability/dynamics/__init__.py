"""Dynamics: from losses to the training field (a flow) and, for optimisers, update maps."""
