"""Streaming parsers: each turns a binary stream into raw records (dicts) one at a time."""
