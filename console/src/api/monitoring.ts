// The monitoring service's REST API, typed from docs/openapi/monitoring.json.
import type { paths } from "@/api/generated/monitoring";
import { lazyClient } from "@/lib/api";

export const monitoring = lazyClient<paths>("monitoring");
