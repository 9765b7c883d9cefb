"""`tuneline demo`: the whole lifecycle on the embedded stack, driven only through public APIs and events."""
