// The data service's REST API, typed from docs/openapi/data.json.
import type { paths } from "@/api/generated/data";
import { lazyClient } from "@/lib/api";

export const data = lazyClient<paths>("data");
