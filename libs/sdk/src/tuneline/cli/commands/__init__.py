"""`tuneline <resource> <verb>` command groups, one file per resource, all built on the SDK."""
