"""The Tuneline Python SDK: `Tuneline(token=...)` with a typed client per service (see client.py)."""

from tuneline.sdk.client import DEFAULT_URLS, Tuneline
from tuneline.sdk.http import ApiError, ServiceClient

__all__ = ["DEFAULT_URLS", "ApiError", "ServiceClient", "Tuneline"]
