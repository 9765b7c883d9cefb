// The presets and the hyperparameter ranges, from the training service itself (GET /presets): the form shows what
// the service enforces, and whatever it still refuses comes back as a field error on its input
// (`hyperparameters.<name>`).
import { useQuery } from "@tanstack/react-query";
import type { components } from "@/api/generated/training";
import { training } from "@/api/training";
import { unwrap } from "@/lib/api";

export type Presets = components["schemas"]["PresetsResponse"];
export type PresetSpec = components["schemas"]["PresetSpec"];
export type Knob = components["schemas"]["HyperparameterSpec"];

export function usePresets() {
  return useQuery({
    queryKey: ["training", "presets"],
    queryFn: () => unwrap(training().GET("/presets")),
    staleTime: Infinity, // the service's own table: it changes with a release, not while a page is open
  });
}

/** The inputs the form offers: every numeric hyperparameter ("modules" stays the preset's). */
export function numericKnobs(presets: Presets): Knob[] {
  return presets.hyperparameters.filter((knob) => knob.type !== "modules");
}

const compact = new Intl.NumberFormat("en", { notation: "compact" });

export function rangeText(knob: Knob, smallModelParams: number): string {
  const parts = [knob.description];
  if (knob.minimum != null && knob.maximum != null) {
    const small =
      knob.minimum_small_model != null
        ? ` (from ${knob.minimum_small_model} for base models under ${compact.format(smallModelParams)} parameters)`
        : "";
    parts.push(`Allowed: ${knob.minimum}–${knob.maximum}${small}${knob.auto ? `, or "auto" (${knob.auto})` : ""}.`);
  } else if (knob.auto) {
    parts.push(`"auto": ${knob.auto}.`);
  }
  return parts.join(" ");
}

const METHOD_WORDS: Record<string, string> = { lora: "LoRA", qlora: "QLoRA", full: "full fine-tuning" };

/** What the preset sets, in words ("Epochs 1, Batch size 4, …; made for LoRA"), from the values it sets itself. */
export function presetSummary(preset: PresetSpec, knobs: readonly Knob[]): string {
  const titles = new Map(knobs.map((k) => [k.name, k.title]));
  const values = Object.entries(preset.values).map(([name, value]) => `${titles.get(name) ?? name} ${String(value)}`);
  return `Sets ${values.join(", ")}; made for ${METHOD_WORDS[preset.method] ?? preset.method}.`;
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
