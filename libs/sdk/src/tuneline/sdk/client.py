"""`Tuneline`: one object holding a typed client per service, all with the same bearer token."""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType

import httpx

from tuneline.sdk.data import DataClient
from tuneline.sdk.evaluation import EvaluationClient
from tuneline.sdk.http import ServiceClient
from tuneline.sdk.intake import IntakeClient
from tuneline.sdk.monitoring import MonitoringClient
from tuneline.sdk.operations import OperationsClient
from tuneline.sdk.registry import InferenceClient, RegistryClient
from tuneline.sdk.training import TrainingClient

#: Where `tuneline up` puts each service by default.
DEFAULT_URLS: dict[str, str] = {
    "intake": "http://127.0.0.1:8101",
    "data": "http://127.0.0.1:8102",
    "training": "http://127.0.0.1:8103",
    "evaluation": "http://127.0.0.1:8104",
    "registry": "http://127.0.0.1:8105",
    "monitoring": "http://127.0.0.1:8106",
}
#: The OpenAI-compatible inference endpoint (Ray Serve's HTTP proxy).
DEFAULT_SERVING_URL = "http://127.0.0.1:8000"


class Tuneline:
    """The platform's API: `Tuneline(token=...).intake.create(form)`.

    `urls` overrides the base URL of any service (the others keep their defaults); `transport` replaces the network
    (tests pass an httpx.MockTransport).
    """

    def __init__(
        self,
        token: str | None = None,
        urls: Mapping[str, str] | None = None,
        *,
        serving_url: str = DEFAULT_SERVING_URL,
        timeout_s: float = 60.0,
        max_retries: int = 4,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        unknown = set(urls or {}) - set(DEFAULT_URLS)
        if unknown:
            raise ValueError(
                f"unknown service(s) in urls: {', '.join(sorted(unknown))}; known: {', '.join(DEFAULT_URLS)}"
            )
        self.token = token
        self.urls = {**DEFAULT_URLS, **(urls or {})}
        self.serving_url = serving_url
        self._timeout_s, self._max_retries, self._transport = timeout_s, max_retries, transport
        self._clients = {service: self._client(url, token) for service, url in self.urls.items()}
        self.intake = IntakeClient(self._clients["intake"])
        self.data = DataClient(self._clients["data"])
        self.training = TrainingClient(self._clients["training"])
        self.evaluation = EvaluationClient(self._clients["evaluation"])
        self.registry = RegistryClient(self._clients["registry"])
        self.monitoring = MonitoringClient(self._clients["monitoring"])

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **kwargs: object) -> Tuneline:
        """TUNELINE_TOKEN and TUNELINE_<SERVICE>_URL (e.g. TUNELINE_DATA_URL) from the environment."""
        env = os.environ if environ is None else environ
        urls = {s: env[f"TUNELINE_{s.upper()}_URL"] for s in DEFAULT_URLS if env.get(f"TUNELINE_{s.upper()}_URL")}
        serving = env.get("TUNELINE_SERVING_URL") or DEFAULT_SERVING_URL
        return cls(token=env.get("TUNELINE_TOKEN") or None, urls=urls, serving_url=serving, **kwargs)  # type: ignore[arg-type]

    def with_token(self, token: str) -> Tuneline:
        """The same services seen as another person (another role)."""
        return Tuneline(
            token,
            self.urls,
            serving_url=self.serving_url,
            timeout_s=self._timeout_s,
            max_retries=self._max_retries,
            transport=self._transport,
        )

    def operations(self, service: str) -> OperationsClient:
        """A service's operations API (dead letters); `service` is one of DEFAULT_URLS."""
        if service not in self._clients:
            raise ValueError(f"unknown service {service!r}; known: {', '.join(DEFAULT_URLS)}")
        return OperationsClient(self._clients[service])

    def inference(self, api_key: str, url: str | None = None) -> InferenceClient:
        """The OpenAI-compatible endpoint, authenticated with a model-scoped API key (not a person's token)."""
        return InferenceClient(self._client(url or self.serving_url, api_key))

    def _client(self, url: str, token: str | None) -> ServiceClient:
        return ServiceClient(
            url, token, timeout_s=self._timeout_s, max_retries=self._max_retries, transport=self._transport
        )

    def close(self) -> None:
        for c in self._clients.values():
            c.close()

    def __enter__(self) -> Tuneline:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
