// The training service's REST API, typed from docs/openapi/training.json.
import type { paths } from "@/api/generated/training";
import { lazyClient } from "@/lib/api";

export const training = lazyClient<paths>("training");
