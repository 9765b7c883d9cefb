"""Improvement summary, KPI checks, quality score and error analysis of a finished evaluation."""
