// One training job: status, progress and ETA, the live loss curve (streamed from the training service, polled when
// the stream fails), and cancel / pause / resume with confirmation for the people allowed to run training.
import { useMemo } from "react";
import { Link, useParams } from "react-router-dom";
import { Badge } from "@/components/ui/Badge";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { Empty, ErrorMessage, Loading, Notice } from "@/components/ui/Feedback";
import { LineChart } from "@/components/ui/LineChart";
import { formatSeconds } from "@/features/training/api/hyperparameters";
import { phaseText } from "@/features/training/api/phases";
import { isFinished, STATUS_TONE, useJobAction, type MetricPoint } from "@/features/training/api/queries";
import { useLiveJob, type Live } from "@/features/training/api/stream";
import { useSession } from "@/lib/auth";
import { can } from "@/lib/permissions";

function LossCurve({ points }: { points: MetricPoint[] }) {
  const withLoss = useMemo(() => points.filter((p) => p.train_loss != null || p.val_loss != null), [points]);
  const x = useMemo(() => withLoss.map((p) => p.step), [withLoss]);
  const series = useMemo(
    () => [
      { label: "Train loss", color: "#0b5cad", values: withLoss.map((p) => p.train_loss) },
      { label: "Validation loss", color: "#a0161f", values: withLoss.map((p) => p.val_loss) },
    ],
    [withLoss],
  );
  if (!withLoss.length) return <Empty title="No loss reported yet.">The curve appears with the worker's first logged step.</Empty>;
  return <LineChart caption={`Loss by optimizer step (${withLoss.length} points)`} xLabel="Step" x={x} series={series} />;
}

function LiveNote({ live }: { live: Live }) {
  if (live.mode === "streaming") return <p className="hint">Live: the training service sends each step as it happens.</p>;
  if (live.mode === "reconnecting") return <p className="hint">The live stream dropped; reconnecting (updating every two seconds meanwhile).</p>;
  if (live.mode === "polling")
    return <p className="hint">{`Updates every two seconds: the live stream is unavailable (${live.reason ?? "unknown reason"}).`}</p>;
  return <p className="hint">Connecting to the live stream…</p>;
}

export default function JobPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const { job, metrics, live: stream } = useLiveJob(id);
  const live = !!job.data && !isFinished(job.data);
  const action = useJobAction(id);
  if (job.isPending) return <main className="page"><Loading what="the job" /></main>;
  if (job.isError)
    return (
      <main className="page">
        <h1>Training job</h1>
        <ErrorMessage error={job.error} action={<Link to="/training">Back to training</Link>} />
      </main>
    );
  const j = job.data;
  const last = metrics.data?.at(-1);
  // The job's own ETA counts every phase still ahead (replay answers, steps, saving), not only the steps.
  const eta = j.eta_seconds ?? [...(metrics.data ?? [])].reverse().find((p) => p.eta_seconds != null)?.eta_seconds;
  const mayRun = can(session, "training.run");
  const short = j.id.slice(0, 8);
  return (
    <main className="page">
      <h1>{`Training job ${short}`}</h1>
      <p>
        <Badge tone={STATUS_TONE[j.status] ?? "neutral"}>{j.status}</Badge>{" "}
        {j.requested_action && <span className="hint">{`${j.requested_action} requested — the worker acts at its next step`}</span>}{" "}
        <Link to={`/training?usecase=${j.usecase_id}`}>All jobs of this use case</Link>
      </p>
      <div className="grid">
        <section className="card" aria-labelledby="progress">
          <h2 id="progress">Progress</h2>
          <progress max={100} value={j.progress_percent} aria-label={`Job ${short} progress`}>
            {j.progress_percent.toFixed(0)}%
          </progress>
          <dl className="figures">
            <div><dt>Phase</dt><dd>{phaseText(j.phase, j.phase_done, j.phase_total)}</dd></div>
            <div><dt>Step</dt><dd>{`${j.step} of ${j.total_steps} (epoch ${j.epoch.toFixed(2)})`}</dd></div>
            <div><dt>Time left (estimate)</dt><dd>{live ? formatSeconds(eta) : "—"}</dd></div>
            <div><dt>Train loss</dt><dd>{j.train_loss?.toFixed(4) ?? "—"}</dd></div>
            <div><dt>Validation loss</dt><dd>{j.val_loss?.toFixed(4) ?? "—"}</dd></div>
            <div><dt>Throughput</dt><dd>{last?.tokens_per_second != null ? `${last.tokens_per_second.toFixed(0)} tokens/s` : "—"}</dd></div>
            <div><dt>Method</dt><dd>{`${j.method_requested} requested${j.method_ran ? `, ${j.method_ran} ran` : ""}`}</dd></div>
            <div><dt>Base model</dt><dd>{j.base_model}</dd></div>
            <div><dt>Preset</dt><dd>{j.preset ?? "custom"}</dd></div>
            <div><dt>Worker</dt><dd>{j.worker ?? "not claimed yet"}</dd></div>
            <div><dt>Last checkpoint</dt><dd>{j.last_checkpoint_step != null ? `step ${j.last_checkpoint_step}` : "none yet"}</dd></div>
          </dl>
          {j.failure_reason && <ErrorMessage error={new Error(`The job failed: ${j.failure_reason}`)} />}
          {j.status === "queued" && <Notice>Waiting for a training worker to claim the job.</Notice>}
          {mayRun && !isFinished(j) && (
            <div className="actions">
              {j.status === "paused" ? (
                <button type="button" disabled={action.isPending} onClick={() => action.mutate("resume")}>
                  Resume
                </button>
              ) : (
                <ConfirmButton
                  title="Pause this job?"
                  body="The worker saves a checkpoint and stops; resuming continues from that checkpoint."
                  confirmLabel="Pause job"
                  disabled={action.isPending || j.status === "queued"}
                  onConfirm={() => action.mutate("pause")}
                >
                  Pause
                </ConfirmButton>
              )}
              <ConfirmButton
                className="danger"
                title="Cancel this job?"
                body="Training stops and the job cannot be resumed; checkpoints written so far are kept."
                confirmLabel="Cancel job"
                disabled={action.isPending}
                onConfirm={() => action.mutate("cancel")}
              >
                Cancel job
              </ConfirmButton>
            </div>
          )}
          {action.error ? <ErrorMessage error={action.error} /> : null}
        </section>
        <section className="card" aria-labelledby="curve">
          <h2 id="curve">Loss curve</h2>
          {metrics.isPending ? <Loading what="the loss curve" /> : metrics.isError ? <ErrorMessage error={metrics.error} /> : <LossCurve points={metrics.data} />}
          {live && <LiveNote live={stream} />}
        </section>
        <section className="card" aria-labelledby="settings">
          <h2 id="settings">Settings the run uses</h2>
          <dl className="figures">
            {Object.entries(j.hyperparameters).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{Array.isArray(v) ? v.join(", ") : String(v)}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>
    </main>
  );
}
