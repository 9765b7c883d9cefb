"""The registry's typed lifespan state: what its routes, subscribers and startup work share."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends

from tuneline.common.app import AppState, StateDep
from tuneline.registry.deployments.reconciler import ServingReconciler
from tuneline.registry.deployments.service import ServingContext
from tuneline.registry.exports.runner import ExportRunner
from tuneline.registry.openai_gateway.service import Gateway


@dataclass
class RegistryContext:
    serving: ServingContext
    gateway: Gateway
    reconciler: ServingReconciler
    exports: ExportRunner
    background: set[asyncio.Task[None]] = field(default_factory=set)


def registry_context(state: AppState) -> RegistryContext:
    return state.context_as(RegistryContext)


def _from_request(state: StateDep) -> RegistryContext:
    return registry_context(state)


RegistryContextDep = Annotated[RegistryContext, Depends(_from_request)]
