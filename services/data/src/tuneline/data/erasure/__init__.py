"""Erasure of datasets and dataset versions (the right to deletion): the tombstone and its report."""
