"""Evaluations: base vs tuned runs, their results, reports and human review."""
