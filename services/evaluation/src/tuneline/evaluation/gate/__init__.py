"""The forgetting gate: a general-capability suite shipped with the package and the release decision."""
