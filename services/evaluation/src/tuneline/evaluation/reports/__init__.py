"""Evaluation reports: the JSON document, and the HTML, PDF and Excel renderings of one report model read from it."""
