// How each version of a dataset was made, in words, from its lineage entry's operation and details.
import type { components } from "@/api/generated/data";

export type LineageEntry = components["schemas"]["LineageEntry"];

const REDACTION: Record<string, string> = { replace: "replaced by their kind", mask: "masked", hash: "hashed" };

export function derivation(entry: LineageEntry): string {
  const d = entry.operation_details as Record<string, unknown>;
  const from = typeof d.from_version === "number" ? ` from v${d.from_version}` : "";
  switch (entry.operation) {
    case "upload":
      return "Uploaded, validated and scanned";
    case "redact": {
      const how = REDACTION[String(d.mode)] ?? `redacted (${String(d.mode)})`;
      const kinds = Array.isArray(d.entities) && d.entities.length ? ` (${d.entities.join(", ")})` : "";
      return `Personal data${kinds} ${how}${from}${d.automatic ? ", automatically by the use case's redaction policy" : ""}`;
    }
    case "dedup":
      return `Duplicates removed${from}${typeof d.near_threshold === "number" ? ` (near duplicates at similarity ${d.near_threshold})` : ""}`;
    case "label":
      return `${String(d.labelled)} records labelled${from}${d.keep_unlabelled === false ? ", unlabelled records dropped" : ""}`;
    case "split": {
      const ratios = d.ratios && typeof d.ratios === "object" ? Object.entries(d.ratios as Record<string, number>).map(([k, v]) => `${k} ${Math.round(v * 100)}%`).join(", ") : "";
      return `Split again${from}${ratios ? `: ${ratios}` : ""}${d.stratified ? ", stratified by label" : ""}${d.seed != null ? `, seed ${String(d.seed)}` : ""}`;
    }
    case "rollback":
      return `Restores v${String(d.to_version)}`;
    default:
      return `${entry.operation}${from}`;
  }
}

/** Labels apply to these record formats only (the data service refuses the others). */
export const LABELLABLE = new Set(["text", "classification"]);
