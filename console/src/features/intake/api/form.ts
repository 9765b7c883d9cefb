// The intake form as the service defines it (services/intake/.../usecases/form.py): one draft object in the
// service's own JSON shape, read and written by dotted paths the service also uses in its field errors.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
export type Draft = { [key: string]: Json | undefined };

export const MODEL_TYPES = ["text", "vision", "multi_modal", "tabular"] as const;
export const TASK_TYPES = ["classification", "extraction", "summarisation", "generation", "chat"] as const;
export const METHODS = ["lora", "qlora", "full"] as const;
export const SOURCE_KINDS = ["logs", "documents", "database", "erp_export", "sensor", "tickets", "human_reports", "api", "other"] as const;
export const PRESETS = ["quick_start", "balanced", "quality_focused", "cost_optimized"] as const;
export const KNOWLEDGE_CHANGE = ["rarely", "monthly", "weekly", "daily"] as const;
export const REDACTION = ["", "none", "replace", "mask", "hash"] as const;

export const emptyKpi = (): Draft => ({ name: "", target: undefined, unit: "", baseline: undefined, direction: "increase" });
export const emptyObjective = (): Draft => ({ statement: "", kpis: [emptyKpi()] });
export const emptySource = (): Draft => ({ name: "", kind: "other", volume_estimate: undefined, owner: "" });
export const emptyExample = (): Draft => ({ input: "", desired_output: "" });
export const emptyStakeholder = (): Draft => ({ name: "", role: "", email: undefined });

export function newDraft(): Draft {
  return {
    title: "",
    industry: "",
    business_unit: "",
    owner: "",
    problem_statement: "",
    expected_outcome: "",
    objectives: [emptyObjective()],
    data_sources: [emptySource()],
    sensitivity: { pii: false, regulatory: false, proprietary: false, regulations: [] },
    model_type: "text",
    task_type: "classification",
    candidate_base_model: "",
    base_model_parameters: undefined,
    fine_tuning_method: "lora",
    evaluation_metrics: [],
    labels: [],
    knowledge_change: "rarely",
    needs_consistent_format: false,
    examples: [emptyExample(), emptyExample(), emptyExample()],
    stakeholders: [],
    request_volume: { requests_per_day: undefined, avg_input_tokens: undefined, avg_output_tokens: undefined },
    latency: { p95_ms: undefined, interactive: true },
    time_savings: { minutes_saved_per_task: undefined, hourly_cost_usd: undefined, tasks_per_month: undefined },
    policy: {
      auto_train: true,
      training_preset: "balanced",
      data_quality: { min_quality_score: 60, min_examples: 100, max_duplicate_ratio: 0.05, max_pii_ratio: 0.01 },
      human_review_required: false,
      redaction: undefined,
      auto_rollback: true,
      log_prompts: false,
    },
  };
}

/** "objectives[0].kpis[1].target" → ["objectives", 0, "kpis", 1, "target"] */
export function parsePath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const piece of path.split(".")) {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(piece);
    if (!match) continue;
    if (match[1]) parts.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

export function getAt(draft: Json | undefined, path: string): Json | undefined {
  let node: Json | undefined = draft;
  for (const key of parsePath(path)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, Json | undefined>)[key];
  }
  return node;
}

export function setAt(draft: Draft, path: string, value: Json | undefined): Draft {
  const keys = parsePath(path);
  const write = (node: Json | undefined, i: number): Json | undefined => {
    if (i === keys.length) return value;
    const key = keys[i];
    if (typeof key === "number") {
      const list = Array.isArray(node) ? [...node] : [];
      list[key] = write(list[key], i + 1) as Json;
      return list;
    }
    const object = node && typeof node === "object" && !Array.isArray(node) ? { ...node } : {};
    object[key] = write(object[key], i + 1);
    return object;
  };
  return write(draft, 0) as Draft;
}
