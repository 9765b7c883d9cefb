// Training for one use case: the ML engineer starts a job on a ready dataset version from a preset, with advanced
// settings whose allowed ranges sit next to each input, sees the estimate first, and everyone reads the job history.
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { useWorkableUseCases } from "@/api/usecases";
import { Badge } from "@/components/ui/Badge";
import { Fieldset, SelectField, TextField } from "@/components/ui/Field";
import { Empty, ErrorMessage, Loading } from "@/components/ui/Feedback";
import { LineChart } from "@/components/ui/LineChart";
import { Pagination } from "@/components/ui/Pagination";
import { formatSeconds, numericKnobs, presetSummary, rangeText, usePresets, type Presets } from "@/features/training/api/hyperparameters";
import { phaseText } from "@/features/training/api/phases";
import {
  DEFAULT_BASE_MODEL,
  JOB_PAGE,
  useDatasetVersions,
  useEstimate,
  useJobs,
  useJobsMetrics,
  useStartJob,
  useUseCaseDatasets,
  type Estimate,
  type Job,
  type JobDraft,
  type Method,
  type Preset,
  STATUS_TONE,
} from "@/features/training/api/queries";
import { useSession } from "@/lib/auth";
import { ApiError, fieldErrorMap } from "@/lib/errors";
import { can } from "@/lib/permissions";


function EstimateTable({ estimate }: { estimate: Estimate }) {
  return (
    <>
      <p>
        {`${estimate.train_records} training records · ${estimate.tokens_per_epoch.toLocaleString()} tokens per epoch · ${estimate.total_steps} optimizer steps (${estimate.method}, preset ${estimate.preset})`}
      </p>
      <table>
        <caption>Estimate per hardware profile</caption>
        <thead>
          <tr>
            <th scope="col">Hardware</th>
            <th scope="col">Fits</th>
            <th scope="col">Memory</th>
            <th scope="col">Time</th>
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {estimate.options.map((o) => (
            <tr key={o.hardware}>
              <td>
                {o.hardware} <span className="hint">{o.kind}</span>
              </td>
              <td>
                <Badge tone={o.fit === "ok" ? "good" : o.fit === "tight" ? "warn" : "bad"}>{o.fit}</Badge>
                {o.fit !== "ok" && <div className="hint">{o.message}</div>}
              </td>
              <td>{`${o.memory_required_gib.toFixed(1)} of ${o.memory_available_gib.toFixed(0)} GiB`}</td>
              <td>
                {formatSeconds(o.seconds)}
                {o.replay_cache === "cold" && <div className="hint">{o.breakdown?.[0]}</div>}
              </td>
              <td>{`$${o.cost_usd.toFixed(2)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function StartJob({ usecaseId }: { usecaseId: string }) {
  const datasets = useUseCaseDatasets(usecaseId);
  const presets = usePresets();
  if (datasets.isPending) return <Loading what="the use case's datasets" />;
  if (datasets.isError) return <ErrorMessage error={datasets.error} />;
  if (!datasets.data.length)
    return (
      <Empty title="This use case has no dataset yet.">
        <p>
          The data owner creates one on the <Link to="/datasets">datasets</Link> screen; a job starts from a version
          that passed validation.
        </p>
      </Empty>
    );
  if (presets.isPending) return <Loading what="the training presets" />;
  if (presets.isError) return <ErrorMessage error={presets.error} />;
  return <StartJobForm usecaseId={usecaseId} datasets={datasets.data} presets={presets.data} />;
}

type Dataset = NonNullable<ReturnType<typeof useUseCaseDatasets>["data"]>[number];

function StartJobForm({ usecaseId, datasets, presets }: { usecaseId: string; datasets: Dataset[]; presets: Presets }) {
  const navigate = useNavigate();
  const [datasetId, setDatasetId] = useState("");
  const versions = useDatasetVersions(datasetId);
  const [versionId, setVersionId] = useState("");
  const [preset, setPreset] = useState<Preset>(presets.default_preset);
  const [method, setMethod] = useState<Method>("lora");
  const [priority, setPriority] = useState("0");
  const [baseModel, setBaseModel] = useState("");
  const earlier = useJobs(usecaseId, 0).data?.[0]?.base_model;
  const [values, setValues] = useState<Record<string, string>>({});
  const estimate = useEstimate();
  const start = useStartJob();

  const knobs = numericKnobs(presets);
  const chosenPreset = presets.presets.find((p) => p.name === preset) ?? presets.presets[0];
  const ready = (versions.data ?? []).filter((v) => v.status === "ready");
  const chosenVersion = versionId || ready.at(-1)?.id || "";
  const draft = (): JobDraft => {
    const hyperparameters: Record<string, number | string> = {};
    for (const knob of knobs) {
      const raw = values[knob.name]?.trim();
      if (raw) hyperparameters[knob.name] = Number.isNaN(Number(raw)) ? raw : Number(raw);
    }
    return { dataset_version_id: chosenVersion, base_model: baseModel.trim() || null, preset, method, priority: Number(priority) || 0, hyperparameters };
  };
  const error = start.error ?? estimate.error;
  const errors = fieldErrorMap(error);
  const known = new Set(["dataset_version_id", "base_model", "method", "priority", ...knobs.map((k) => `hyperparameters.${k.name}`)]);
  const unmatched = error instanceof ApiError ? error.fieldErrors.filter((e) => !known.has(e.field)) : [];

  function submit(event: FormEvent) {
    event.preventDefault();
    estimate.reset();
    start.mutate(draft(), { onSuccess: (job) => navigate(`/training/jobs/${job.id}`) });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Start a training job">
      {error && (!(error instanceof ApiError) || !error.fieldErrors.length || unmatched.length) ? (
        <ErrorMessage error={unmatched.length ? new ApiError(422, unmatched.map((e) => e.message).join("; ")) : error} />
      ) : null}
      {error instanceof ApiError && error.fieldErrors.length > 0 && (
        <div role="alert" className="alert alert-error">
          <p>The training service refused some settings; they are marked below.</p>
        </div>
      )}
      <div className="row">
        <SelectField
          label="Dataset"
          value={datasetId}
          onChange={(e) => {
            setDatasetId(e.target.value);
            setVersionId("");
          }}
          options={[["", "Choose a dataset"], ...datasets.map((d): [string, string] => [d.id, d.name])]}
        />
        <SelectField
          label="Dataset version"
          value={chosenVersion}
          onChange={(e) => setVersionId(e.target.value)}
          error={errors.dataset_version_id}
          hint={datasetId && !versions.isPending && !ready.length ? "No version of this dataset is ready yet." : "Only versions that passed validation."}
          options={[["", ready.length ? "Choose a version" : "No ready version"], ...ready.map((v): [string, string] => [v.id, `v${v.number} · ${v.record_count} records · ${v.operation}`])]}
        />
      </div>
      <Fieldset legend="Preset">
        {presets.presets.map((p) => (
          <div className="field checkbox" key={p.name}>
            <input
              type="radio"
              id={`preset-${p.name}`}
              name="preset"
              value={p.name}
              checked={preset === p.name}
              onChange={() => setPreset(p.name)}
              aria-describedby={`preset-${p.name}-values`}
            />
            <label htmlFor={`preset-${p.name}`}>
              {p.title} <span className="hint">— {p.purpose}</span>
            </label>
            <span id={`preset-${p.name}-values`} className="hint">
              {presetSummary(p, presets.hyperparameters)}
            </span>
          </div>
        ))}
      </Fieldset>
      <div className="row">
        <SelectField
          label="Method"
          value={method}
          onChange={(e) => setMethod(e.target.value as Method)}
          error={errors.method}
          hint="QLoRA needs a CUDA GPU; without one the worker trains LoRA and records what ran."
          options={[["lora", "LoRA"], ["qlora", "QLoRA (4-bit)"]]}
        />
        <TextField
          label="Base model"
          value={baseModel}
          placeholder={earlier ?? "the use case's"}
          onChange={(e) => setBaseModel(e.target.value)}
          error={errors.base_model}
          hint={`Empty: the use case's base model${earlier ? ` (${earlier} in its last job)` : ""}; the estimate then prices ${earlier ?? DEFAULT_BASE_MODEL}.`}
        />
        <TextField label="Priority" type="number" min={0} max={100} value={priority} onChange={(e) => setPriority(e.target.value)} error={errors.priority} hint="0–100; higher runs first." />
      </div>
      <details>
        <summary>{`Advanced settings (empty = the ${chosenPreset.title} preset's value, shown in the empty input)`}</summary>
        <div className="row">
          {knobs.map((knob) => (
            <TextField
              key={knob.name}
              label={knob.title}
              name={knob.name}
              inputMode="decimal"
              value={values[knob.name] ?? ""}
              placeholder={String(chosenPreset.hyperparameters[knob.name] ?? knob.default)}
              onChange={(e) => setValues({ ...values, [knob.name]: e.target.value })}
              hint={rangeText(knob, presets.small_model_params)}
              error={errors[`hyperparameters.${knob.name}`]?.replace(/^hyperparameters\.\w+: /, "")}
            />
          ))}
        </div>
      </details>
      <div className="actions">
        <button type="button" disabled={!chosenVersion || estimate.isPending} onClick={() => {
            start.reset();
            const d = draft();
            estimate.mutate({ ...d, base_model: d.base_model ?? earlier ?? null });
          }}>
          {estimate.isPending ? "Estimating…" : "Estimate time and cost"}
        </button>
        <button type="submit" className="primary" disabled={!chosenVersion || start.isPending}>
          {start.isPending ? "Starting…" : "Start training"}
        </button>
      </div>
      {estimate.data && (
        <div role="status">
          <EstimateTable estimate={estimate.data} />
        </div>
      )}
    </form>
  );
}

function JobRow({ job }: { job: Job }) {
  return (
    <tr>
      <td>
        <Link to={`/training/jobs/${job.id}`}>{`Job ${job.id.slice(0, 8)}`}</Link>
        <div className="hint">{new Date(job.created_at).toLocaleString()} by {job.created_by}</div>
      </td>
      <td>
        <Badge tone={STATUS_TONE[job.status] ?? "neutral"}>{job.status}</Badge>
        {job.status === "running" && <div className="hint">{phaseText(job.phase, job.phase_done, job.phase_total)}</div>}
      </td>
      <td>{`${job.preset ?? "custom"} · ${job.method_ran ?? job.method_requested}`}</td>
      <td>{`${job.step} / ${job.total_steps}`}</td>
      <td>{job.train_loss != null ? job.train_loss.toFixed(3) : "—"}</td>
      <td>{job.val_loss != null ? job.val_loss.toFixed(3) : "—"}</td>
    </tr>
  );
}

const OVERLAY_COLORS = ["#0b5cad", "#a0161f", "#13652f", "#7a4a00", "#5b2a86", "#0f6b6b", "#39424c", "#b3127a", "#3d5a00", "#8a3b00"];

/** The train loss of this page's jobs on one chart, aligned by optimizer step. */
function Overlay({ jobs }: { jobs: Job[] }) {
  const results = useJobsMetrics(jobs.map((j) => j.id));
  const pending = results.some((r) => r.isPending);
  const failed = results.find((r) => r.isError);
  // Recomputed on each render: it changes only when one of the queries answers.
  const chart = (() => {
    const curves = jobs.map((_, i) => new Map((results[i]?.data ?? []).filter((p) => p.train_loss != null).map((p) => [p.step, p.train_loss as number])));
    const steps = [...new Set(curves.flatMap((c) => [...c.keys()]))].sort((a, b) => a - b);
    const series = jobs
      .map((job, i) => ({ label: `Job ${job.id.slice(0, 8)}`, color: OVERLAY_COLORS[i % OVERLAY_COLORS.length], values: steps.map((s) => curves[i].get(s) ?? null) }))
      .filter((_, i) => curves[i].size > 0);
    return { steps, series };
  })();
  if (pending) return <Loading what="the loss curves" />;
  if (failed) return <ErrorMessage error={failed.error} />;
  if (!chart.series.length) return <Empty title="None of these jobs has reported a loss yet." />;
  return <LineChart caption="Train loss of this page's jobs by optimizer step" xLabel="Step" x={chart.steps} series={chart.series} />;
}

function History({ usecaseId }: { usecaseId: string }) {
  const [offset, setOffset] = useState(0);
  const [overlay, setOverlay] = useState(false);
  const jobs = useJobs(usecaseId, offset);
  if (jobs.isPending) return <Loading what="jobs" />;
  if (jobs.isError) return <ErrorMessage error={jobs.error} />;
  if (!jobs.data.length)
    return <Empty title="No training job for this use case yet.">A job starts here, or by itself when a dataset version becomes ready.</Empty>;
  return (
    <>
      <table>
        <caption className="visually-hidden">Training jobs of this use case, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Status</th>
            <th scope="col">Preset · method</th>
            <th scope="col">Step</th>
            <th scope="col">Train loss</th>
            <th scope="col">Validation loss</th>
          </tr>
        </thead>
        <tbody>
          {jobs.data.map((job) => (
            <JobRow key={job.id} job={job} />
          ))}
        </tbody>
      </table>
      <Pagination label="Jobs" offset={offset} limit={JOB_PAGE} count={jobs.data.length} onChange={setOffset} />
      <button type="button" aria-expanded={overlay} onClick={() => setOverlay(!overlay)}>
        {overlay ? "Hide the loss curves" : "Compare the loss curves of these jobs"}
      </button>
      {overlay && <Overlay jobs={jobs.data} />}
    </>
  );
}

export default function TrainingPage() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const usecases = useWorkableUseCases();
  const usecaseId = params.get("usecase") ?? "";
  const mayRun = can(session, "training.run");
  return (
    <main className="page">
      <h1>Training</h1>
      {usecases.isPending ? (
        <Loading what="use cases" />
      ) : usecases.isError ? (
        <ErrorMessage error={usecases.error} />
      ) : !usecases.data.items.length ? (
        <Empty title="No approved use case yet.">A use case is trained once a reviewer approves it (and retrained once deployed).</Empty>
      ) : (
        <SelectField
          label="Use case"
          value={usecaseId}
          onChange={(e) => setParams(e.target.value ? { usecase: e.target.value } : {})}
          options={[["", "Choose a use case"], ...usecases.data.items.map((u): [string, string] => [u.id, u.title])]}
        />
      )}
      {usecaseId && (
        <div className="grid">
          {mayRun ? (
            <section className="card" aria-labelledby="start">
              <h2 id="start">Start a job</h2>
              <StartJob usecaseId={usecaseId} />
            </section>
          ) : (
            <section className="card" aria-labelledby="start">
              <h2 id="start">Start a job</h2>
              <p>Your roles ({session?.roles.join(", ")}) let you follow jobs; an ML engineer starts them.</p>
            </section>
          )}
          <section className="card" aria-labelledby="history">
            <h2 id="history">Job history</h2>
            <History usecaseId={usecaseId} />
          </section>
        </div>
      )}
    </main>
  );
}
