"""The model: the Dirac-GAN space, loss functions, parameters, the safe parser, variants and regularisers."""
