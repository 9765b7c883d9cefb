// The registry service's REST API, typed from docs/openapi/registry.json.
import type { paths } from "@/api/generated/registry";
import { lazyClient } from "@/lib/api";

export const registry = lazyClient<paths>("registry");
