// The training service's phases, in words (a failed or cancelled job keeps the phase it stopped in).
export const PHASE_WORDS: Record<string, string> = {
  queued: "Queued",
  preparing_data: "Preparing data",
  loading_model: "Loading the base model",
  generating_replay: "Generating general-replay answers",
  training: "Training",
  evaluating: "Final evaluation",
  saving: "Saving the adapter",
  done: "Done",
};

export function phaseText(phase: string, done: number | null, total: number | null): string {
  const words = PHASE_WORDS[phase] ?? phase.replace(/_/g, " ");
  return done != null && total ? `${words} ${done} of ${total}` : words;
}
