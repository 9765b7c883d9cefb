// The evaluation service's REST API, typed from docs/openapi/evaluation.json.
import type { paths } from "@/api/generated/evaluation";
import { lazyClient } from "@/lib/api";

export const evaluation = lazyClient<paths>("evaluation");
