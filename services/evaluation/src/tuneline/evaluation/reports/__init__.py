"""Evaluation reports: the JSON document and a self-contained HTML page rendered from it."""
