"""Erasure in monitoring: the drift references of erased dataset versions and everything logged for the model
versions trained on them."""
