"""Qualification: assessment checklist, the fine-tune-or-not decision and RICE prioritisation."""
