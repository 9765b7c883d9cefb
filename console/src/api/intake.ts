// The intake service's REST API, typed from docs/openapi/intake.json.
import type { paths } from "@/api/generated/intake";
import { lazyClient } from "@/lib/api";

export const intake = lazyClient<paths>("intake");
