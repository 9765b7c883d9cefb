// The presets and the ranges the training service enforces (services/training/.../estimate/presets.py and
// hyperparameters.py), shown next to each input. The service stays the authority: whatever it refuses comes back as
// a field error on the input (`hyperparameters.<name>`).
import type { Preset } from "@/features/training/api/queries";

export interface Knob {
  name: string;
  label: string;
  min: number;
  max: number;
  step: number;
  auto?: string; // what "auto" means, where the service accepts it
  help: string;
}

export const KNOBS: readonly Knob[] = [
  { name: "epochs", label: "Epochs", min: 1, max: 10, step: 1, help: "Passes over the training set." },
  { name: "batch_size", label: "Batch size", min: 1, max: 16, step: 1, help: "Examples per micro-batch." },
  { name: "grad_accumulation", label: "Gradient accumulation", min: 1, max: 64, step: 1, help: "Micro-batches per optimizer step." },
  { name: "learning_rate", label: "Learning rate", min: 1e-5, max: 1e-3, step: 1e-5, auto: "5e-4 below 1B parameters, else 2e-4", help: "Peak learning rate." },
  { name: "warmup_steps", label: "Warm-up steps", min: 0, max: 1000, step: 1, auto: "3% of the optimizer steps", help: "Linear warm-up." },
  { name: "weight_decay", label: "Weight decay", min: 0, max: 0.1, step: 0.001, help: "AdamW weight decay." },
  { name: "max_seq_len", label: "Max sequence length", min: 64, max: 4096, step: 1, help: "Tokens per example (512 and up for models of 1B parameters or more)." },
  { name: "lora_rank", label: "LoRA rank", min: 4, max: 64, step: 1, help: "Adapter capacity." },
  { name: "lora_alpha", label: "LoRA alpha", min: 1, max: 256, step: 1, auto: "2 × rank", help: "Adapter scaling." },
  { name: "lora_dropout", label: "LoRA dropout", min: 0, max: 0.5, step: 0.01, help: "Dropout on adapter inputs." },
  { name: "general_replay", label: "General replay", min: 0, max: 1, step: 0.05, help: "General instructions mixed in per task example to limit forgetting (0 = off)." },
  { name: "early_stopping_patience", label: "Early-stopping patience", min: 0, max: 20, step: 1, help: "Evals without improvement before stopping (0 = off)." },
  { name: "eval_interval", label: "Eval interval", min: 0, max: 100000, step: 1, help: "Optimizer steps between validation evals (0 = only at the end)." },
  { name: "checkpoint_interval", label: "Checkpoint interval", min: 0, max: 100000, step: 1, help: "Optimizer steps between checkpoints (0 = only at the end)." },
  { name: "seed", label: "Seed", min: 0, max: 2 ** 31 - 1, step: 1, help: "Random seed for adapter init, data order and dropout." },
];

export const PRESETS: readonly { value: Preset; label: string; summary: string; method: "lora" | "qlora" }[] = [
  { value: "quick_start", label: "Quick start", summary: "1 epoch, batch 4, rank 8: a first run to see the pipeline work", method: "lora" },
  { value: "balanced", label: "Balanced", summary: "3 epochs, batch 8, rank 16, early stopping: the default trade-off", method: "qlora" },
  { value: "quality_focused", label: "Quality focused", summary: "5 epochs, rank 32, lr 2e-4: best quality, slower", method: "lora" },
  { value: "cost_optimized", label: "Cost optimized", summary: "2 epochs, batch 16, rank 8: fewest GPU-hours", method: "qlora" },
];

export function rangeText(knob: Knob): string {
  const range = `${knob.min}–${knob.max}`;
  return `${knob.help} Allowed: ${range}${knob.auto ? `, or empty for auto (${knob.auto})` : ""}.`;
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
