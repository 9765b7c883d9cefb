import assert from "node:assert/strict";
import { test } from "node:test";
import type { components } from "@/api/generated/training";
import { appendPoint, withPhase, withPoint, withStatus } from "@/features/training/api/live";

type Job = components["schemas"]["JobResponse"];
type MetricPoint = components["schemas"]["MetricPoint"];

const point = (step: number, train_loss: number | null, val_loss: number | null = null): MetricPoint => ({
  step,
  epoch: step / 10,
  event: val_loss == null ? "step" : "eval",
  train_loss,
  val_loss,
  learning_rate: 5e-4,
  tokens_per_second: 900,
  eta_seconds: 30,
  recorded_at: "2026-12-07T10:00:00Z",
});

// Only the fields the stream changes matter here; the rest of a job answer is carried through untouched.
const job = {
  id: "j1",
  status: "running",
  phase: "training",
  phase_done: 2,
  phase_total: 10,
  step: 2,
  total_steps: 10,
  epoch: 0.2,
  progress_percent: 20,
  train_loss: 2.0,
  val_loss: 2.2,
  eta_seconds: 80,
  worker: "w1",
} as unknown as Job;

test("points append in order; an eval point at the same step as a train point keeps both", () => {
  const curve = [point(1, 2.5), point(2, 2.0)].reduce(appendPoint, [] as MetricPoint[]);
  const withEval = appendPoint(curve, point(2, null, 2.1));
  assert.deepEqual(withEval.map((p) => [p.step, p.event]), [[1, "step"], [2, "step"], [2, "eval"]]);
});

test("a job resumed from a checkpoint replaces the points from the step it went back to", () => {
  const curve = [1, 2, 3, 4].map((s) => point(s, 3 - s / 2)).reduce(appendPoint, [] as MetricPoint[]);
  const resumed = appendPoint(curve, point(3, 1.4));
  assert.deepEqual(resumed.map((p) => [p.step, p.train_loss]), [[1, 2.5], [2, 2], [3, 1.4]]);
});

test("a progress point moves the step, epoch, losses and percent; the job's own time left stays", () => {
  const next = withPoint(job, point(5, 1.2));
  assert.equal(next.step, 5);
  assert.equal(next.epoch, 0.5);
  assert.equal(next.train_loss, 1.2);
  assert.equal(next.val_loss, 2.2); // a point without a validation loss keeps the last one
  assert.equal(next.progress_percent, 50);
  assert.equal(next.eta_seconds, 80);
  assert.equal(next.worker, "w1");
  assert.equal(job.step, 2); // nothing mutated
});

test("a phase event sets the phase, its progress and the time left", () => {
  const next = withPhase(job, { phase: "saving", done: null, total: null, eta_seconds: 4 });
  assert.deepEqual([next.phase, next.phase_done, next.phase_total, next.eta_seconds], ["saving", null, null, 4]);
});

test("a status event sets the status; success is 100 percent whatever the step", () => {
  assert.equal(withStatus(job, { status: "paused", step: 3, phase: "training" }).progress_percent, 30);
  const done = withStatus(job, { status: "succeeded", step: 9, phase: "done" });
  assert.deepEqual([done.status, done.phase, done.progress_percent], ["succeeded", "done", 100]);
});
