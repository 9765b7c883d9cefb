// What the training service's job stream (/jobs/{id}/stream) says, folded into the job and its loss curve.
// Pure functions: the hook in stream.ts applies them to the query cache, the unit tests to plain values.
import type { components } from "@/api/generated/training";

type Job = components["schemas"]["JobResponse"];
type MetricPoint = components["schemas"]["MetricPoint"];

/** `phase`: what the job is doing, how far into it, and the time left. */
export interface PhaseData {
  phase: string;
  done: number | null;
  total: number | null;
  eta_seconds: number | null;
}

/** `status`: the job's status changed. */
export interface StatusData {
  status: string;
  step: number;
  phase: string;
}

export const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/**
 * Adds a point to the curve. A job resumed from a checkpoint reports the steps after it again (the service drops
 * the replaced points): a point behind the curve's last step replaces everything from its step on.
 */
export function appendPoint(points: readonly MetricPoint[], point: MetricPoint): MetricPoint[] {
  const last = points.at(-1);
  const kept = last && point.step < last.step ? points.filter((p) => p.step < point.step) : points;
  return [...kept, point];
}

function percent(job: Job, step: number, status: string): number {
  if (status === "succeeded") return 100;
  return job.total_steps ? Math.round((10_000 * step) / job.total_steps) / 100 : job.progress_percent;
}

/** The job after a progress point: step, epoch and the latest losses (its time left comes with `phase`: the job's
 * own estimate counts every phase still ahead, a point's only the steps). */
export function withPoint(job: Job, point: MetricPoint): Job {
  return {
    ...job,
    step: point.step,
    epoch: point.epoch,
    train_loss: point.train_loss ?? job.train_loss,
    val_loss: point.val_loss ?? job.val_loss,
    progress_percent: percent(job, point.step, job.status),
  };
}

export function withPhase(job: Job, phase: PhaseData): Job {
  return { ...job, phase: phase.phase, phase_done: phase.done, phase_total: phase.total, eta_seconds: phase.eta_seconds };
}

export function withStatus(job: Job, status: StatusData): Job {
  return { ...job, status: status.status, step: status.step, phase: status.phase, progress_percent: percent(job, status.step, status.status) };
}
