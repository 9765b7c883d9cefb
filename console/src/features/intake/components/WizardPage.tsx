// The intake wizard: every field of the intake form, a step at a time. The service validates; its field errors
// land on the input they name (aria-describedby), anything that names no input is listed at the top.
import { useRef, useState, type FormEvent, type ReactNode } from "react";
import { useNavigate } from "react-router-dom";
import { CheckboxField, Fieldset, SelectField, TextArea, TextField } from "@/components/ui/Field";
import { ErrorMessage } from "@/components/ui/Feedback";
import {
  emptyExample,
  emptyKpi,
  emptyObjective,
  emptySource,
  emptyStakeholder,
  getAt,
  KNOWLEDGE_CHANGE,
  METHODS,
  MODEL_TYPES,
  newDraft,
  PRESETS,
  REDACTION,
  setAt,
  SOURCE_KINDS,
  TASK_TYPES,
  type Draft,
  type Json,
} from "@/features/intake/api/form";
import { useSaveDraft, useSubmit } from "@/features/intake/api/queries";
import { ApiError, fieldErrorMap } from "@/lib/errors";

const STEPS = [
  { title: "The problem", prefixes: ["title", "industry", "business_unit", "owner", "problem_statement", "expected_outcome"] },
  { title: "Objectives and KPIs", prefixes: ["objectives"] },
  { title: "Data", prefixes: ["data_sources", "sensitivity"] },
  { title: "Model and task", prefixes: ["model_type", "task_type", "candidate_base_model", "base_model_parameters", "fine_tuning_method", "evaluation_metrics", "labels", "knowledge_change", "needs_consistent_format"] },
  { title: "Examples and people", prefixes: ["examples", "stakeholders"] },
  { title: "Volume and value", prefixes: ["request_volume", "latency", "time_savings"] },
  { title: "Policy", prefixes: ["policy"] },
] as const;

function stepOf(field: string): number {
  const index = STEPS.findIndex((s) => s.prefixes.some((p) => field === p || field.startsWith(`${p}.`) || field.startsWith(`${p}[`)));
  return index < 0 ? 0 : index;
}

interface Binder {
  text: (path: string, label: string, extra?: { hint?: string; long?: boolean; type?: string }) => ReactNode;
  number: (path: string, label: string, hint?: string) => ReactNode;
  select: (path: string, label: string, options: readonly string[]) => ReactNode;
  check: (path: string, label: string) => ReactNode;
  list: (path: string, label: string, hint: string) => ReactNode;
  items: (path: string) => Json[];
  add: (path: string, item: Draft) => void;
  remove: (path: string, index: number) => void;
}

export default function WizardPage() {
  const navigate = useNavigate();
  const save = useSaveDraft();
  const submitDraft = useSubmit();
  const [failure, setFailure] = useState<unknown>(null);
  const busy = save.isPending || submitDraft.isPending;
  const [draft, setDraft] = useState<Draft>(newDraft);
  const [id, setId] = useState<string | null>(null);
  const [step, setStep] = useState(0);
  const [listText, setListText] = useState<Record<string, string>>({});
  const rendered = useRef(new Set<string>());
  rendered.current = new Set();
  const errors = fieldErrorMap(failure);

  const update = (path: string, value: Json | undefined) => setDraft((d) => setAt(d, path, value));
  const error = (path: string) => {
    rendered.current.add(path);
    return errors[path];
  };

  const bind: Binder = {
    text: (path, label, extra = {}) => {
      const props = {
        label,
        name: path,
        hint: extra.hint,
        error: error(path),
        value: String(getAt(draft, path) ?? ""),
      };
      return extra.long ? (
        <TextArea {...props} rows={3} onChange={(e) => update(path, e.target.value)} />
      ) : (
        <TextField {...props} type={extra.type ?? "text"} onChange={(e) => update(path, e.target.value || (path.endsWith("email") ? undefined : ""))} />
      );
    },
    number: (path, label, hint) => (
      <TextField
        label={label}
        name={path}
        hint={hint}
        type="number"
        step="any"
        inputMode="decimal"
        error={error(path)}
        value={getAt(draft, path) == null ? "" : String(getAt(draft, path))}
        onChange={(e) => update(path, e.target.value === "" ? undefined : Number(e.target.value))}
      />
    ),
    select: (path, label, options) => (
      <SelectField
        label={label}
        name={path}
        options={options.map((o) => [o, o === "" ? "(platform default)" : o.replace(/_/g, " ")] as [string, string])}
        error={error(path)}
        value={String(getAt(draft, path) ?? "")}
        onChange={(e) => update(path, e.target.value === "" ? undefined : e.target.value)}
      />
    ),
    check: (path, label) => (
      <CheckboxField label={label} name={path} error={error(path)} checked={getAt(draft, path) === true} onChange={(e) => update(path, e.target.checked)} />
    ),
    list: (path, label, hint) => (
      <TextField
        label={label}
        name={path}
        hint={hint}
        error={error(path) ?? Object.entries(errors).find(([f]) => f.startsWith(`${path}[`) && rendered.current.add(f))?.[1]}
        value={listText[path] ?? ((getAt(draft, path) as string[] | undefined) ?? []).join(", ")}
        onChange={(e) => {
          setListText((t) => ({ ...t, [path]: e.target.value }));
          update(path, e.target.value.split(",").map((s) => s.trim()).filter(Boolean));
        }}
      />
    ),
    items: (path) => (getAt(draft, path) as Json[] | undefined) ?? [],
    add: (path, item) => update(path, [...((getAt(draft, path) as Json[] | undefined) ?? []), item]),
    remove: (path, index) => update(path, ((getAt(draft, path) as Json[] | undefined) ?? []).filter((_, i) => i !== index)),
  };

  async function send(submit: boolean) {
    setFailure(null);
    try {
      const saved = await save.mutateAsync({ id, draft });
      setId(saved.id); // from now on the draft is edited, never created twice
      if (submit) {
        await submitDraft.mutateAsync(saved.id);
        navigate(`/usecases/${saved.id}`);
      }
    } catch (exc) {
      setFailure(exc);
      const fields = exc instanceof ApiError ? exc.fieldErrors : [];
      if (fields.length) setStep(stepOf(fields[0].field));
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (step < STEPS.length - 1) setStep(step + 1);
    else void send(true);
  }

  const body = [StepProblem, StepObjectives, StepData, StepModel, StepExamples, StepVolume, StepPolicy][step]({ bind });
  // Errors of fields on other steps, or of no field at all, are listed at the top with a link to their step.
  const elsewhere = failure instanceof ApiError ? failure.fieldErrors.filter((e) => !rendered.current.has(e.field) || stepOf(e.field) !== step) : [];

  return (
    <main className="page">
      <h1>New use case</h1>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s.title}>
            <button type="button" aria-current={i === step ? "step" : undefined} onClick={() => setStep(i)}>
              {i + 1}. {s.title}
            </button>
          </li>
        ))}
      </ol>
      {failure ? (
        <ErrorMessage
          error={failure instanceof ApiError && failure.fieldErrors.length ? new Error("The form has problems; each is shown next to its field.") : failure}
          action={
            elsewhere.length ? (
              <ul>
                {elsewhere.map((e) => (
                  <li key={e.field}>
                    <button type="button" className="link" onClick={() => setStep(stepOf(e.field))}>
                      {e.field}
                    </button>
                    : {e.message}
                  </li>
                ))}
              </ul>
            ) : null
          }
        />
      ) : null}
      {id && <p className="hint">Draft saved. Submitting sends it to a reviewer.</p>}
      <form onSubmit={onSubmit} noValidate>
        <h2>{STEPS[step].title}</h2>
        {body}
        <div className="actions">
          <button type="button" disabled={step === 0} onClick={() => setStep(step - 1)}>
            Back
          </button>
          <button type="button" disabled={busy} onClick={() => void send(false)}>
            Save draft
          </button>
          {step < STEPS.length - 1 ? (
            <button type="submit" className="primary">
              Next
            </button>
          ) : (
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Submitting…" : "Submit for review"}
            </button>
          )}
        </div>
      </form>
    </main>
  );
}

function StepProblem({ bind }: { bind: Binder }) {
  return (
    <>
      {bind.text("title", "Title")}
      {bind.text("industry", "Industry")}
      {bind.text("business_unit", "Business unit")}
      {bind.text("owner", "Accountable owner")}
      {bind.text("problem_statement", "Problem statement", { long: true, hint: "What goes wrong today, in at least 10 characters." })}
      {bind.text("expected_outcome", "Expected outcome", { long: true })}
    </>
  );
}

function StepObjectives({ bind }: { bind: Binder }) {
  return (
    <>
      {bind.items("objectives").map((_, o) => (
        <Fieldset key={o} legend={`Objective ${o + 1}`}>
          {bind.text(`objectives[${o}].statement`, "Statement")}
          {bind.items(`objectives[${o}].kpis`).map((__, k) => (
            <Fieldset key={k} legend={`Objective ${o + 1}, KPI ${k + 1}`}>
              <div className="row">
                {bind.text(`objectives[${o}].kpis[${k}].name`, "KPI name")}
                {bind.number(`objectives[${o}].kpis[${k}].target`, "Target")}
                {bind.text(`objectives[${o}].kpis[${k}].unit`, "Unit")}
                {bind.number(`objectives[${o}].kpis[${k}].baseline`, "Baseline (optional)")}
                {bind.select(`objectives[${o}].kpis[${k}].direction`, "Better when it", ["increase", "decrease"])}
              </div>
              <button type="button" onClick={() => bind.remove(`objectives[${o}].kpis`, k)}>
                Remove KPI {k + 1}
              </button>
            </Fieldset>
          ))}
          <button type="button" onClick={() => bind.add(`objectives[${o}].kpis`, emptyKpi())}>
            Add a KPI to objective {o + 1}
          </button>
          <button type="button" onClick={() => bind.remove("objectives", o)}>
            Remove objective {o + 1}
          </button>
        </Fieldset>
      ))}
      <button type="button" onClick={() => bind.add("objectives", emptyObjective())}>
        Add an objective
      </button>
    </>
  );
}

function StepData({ bind }: { bind: Binder }) {
  return (
    <>
      {bind.items("data_sources").map((_, i) => (
        <Fieldset key={i} legend={`Data source ${i + 1}`}>
          <div className="row">
            {bind.text(`data_sources[${i}].name`, "Source name")}
            {bind.select(`data_sources[${i}].kind`, "Kind", SOURCE_KINDS)}
            {bind.number(`data_sources[${i}].volume_estimate`, "Usable records", "Candidate training examples available.")}
            {bind.text(`data_sources[${i}].owner`, "Data owner")}
          </div>
          <button type="button" onClick={() => bind.remove("data_sources", i)}>
            Remove data source {i + 1}
          </button>
        </Fieldset>
      ))}
      <button type="button" onClick={() => bind.add("data_sources", emptySource())}>
        Add a data source
      </button>
      <Fieldset legend="Sensitivity">
        {bind.check("sensitivity.pii", "Contains personal data (names, emails, phone numbers…)")}
        {bind.check("sensitivity.regulatory", "Falls under a regulation")}
        {bind.check("sensitivity.proprietary", "Trade secrets or confidential business data")}
        {bind.list("sensitivity.regulations", "Regulations", "Comma-separated, e.g. GDPR, SOX.")}
      </Fieldset>
    </>
  );
}

function StepModel({ bind }: { bind: Binder }) {
  return (
    <>
      {bind.select("model_type", "Model type", MODEL_TYPES)}
      {bind.select("task_type", "Task", TASK_TYPES)}
      {bind.text("candidate_base_model", "Candidate base model", { hint: "Hugging Face id or local path, e.g. SmolLM2-135M-Instruct." })}
      {bind.number("base_model_parameters", "Parameters (optional)", "Read from the model name (e.g. -7B) when empty.")}
      {bind.select("fine_tuning_method", "Fine-tuning method", METHODS)}
      {bind.list("evaluation_metrics", "Evaluation metrics", "Comma-separated, e.g. accuracy, F1.")}
      {bind.list("labels", "Labels (classification)", "Comma-separated; empty: the examples' outputs.")}
      {bind.select("knowledge_change", "How often the facts change", KNOWLEDGE_CHANGE)}
      {bind.check("needs_consistent_format", "Outputs must follow a fixed format every time")}
    </>
  );
}

function StepExamples({ bind }: { bind: Binder }) {
  const examples = bind.items("examples");
  return (
    <>
      <p className="hint">Three to five input → desired output pairs.</p>
      {examples.map((_, i) => (
        <Fieldset key={i} legend={`Example ${i + 1}`}>
          {bind.text(`examples[${i}].input`, "Input", { long: true })}
          {bind.text(`examples[${i}].desired_output`, "Desired output", { long: true })}
          <button type="button" disabled={examples.length <= 3} onClick={() => bind.remove("examples", i)}>
            Remove example {i + 1}
          </button>
        </Fieldset>
      ))}
      <button type="button" disabled={examples.length >= 5} onClick={() => bind.add("examples", emptyExample())}>
        Add an example
      </button>
      <h3>Stakeholders</h3>
      {bind.items("stakeholders").map((_, i) => (
        <Fieldset key={i} legend={`Stakeholder ${i + 1}`}>
          <div className="row">
            {bind.text(`stakeholders[${i}].name`, "Name")}
            {bind.text(`stakeholders[${i}].role`, "Role", { hint: "e.g. business owner, SME, data owner." })}
            {bind.text(`stakeholders[${i}].email`, "Email (optional)", { type: "email" })}
          </div>
          <button type="button" onClick={() => bind.remove("stakeholders", i)}>
            Remove stakeholder {i + 1}
          </button>
        </Fieldset>
      ))}
      <button type="button" onClick={() => bind.add("stakeholders", emptyStakeholder())}>
        Add a stakeholder
      </button>
    </>
  );
}

function StepVolume({ bind }: { bind: Binder }) {
  return (
    <>
      <Fieldset legend="Request volume">
        {bind.number("request_volume.requests_per_day", "Requests per day")}
        {bind.number("request_volume.avg_input_tokens", "Average input tokens (optional)")}
        {bind.number("request_volume.avg_output_tokens", "Average output tokens (optional)")}
      </Fieldset>
      <Fieldset legend="Latency">
        {bind.number("latency.p95_ms", "Acceptable p95 latency (ms)")}
        {bind.check("latency.interactive", "A person waits for the answer")}
      </Fieldset>
      <Fieldset legend="Time savings">
        {bind.number("time_savings.minutes_saved_per_task", "Minutes saved per task")}
        {bind.number("time_savings.hourly_cost_usd", "Hourly cost of the people doing it (USD)")}
        {bind.number("time_savings.tasks_per_month", "Tasks per month (optional)", "Defaults to the request volume.")}
      </Fieldset>
    </>
  );
}

function StepPolicy({ bind }: { bind: Binder }) {
  return (
    <>
      {bind.check("policy.auto_train", "Start training as soon as a dataset is ready")}
      {bind.select("policy.training_preset", "Training preset", PRESETS)}
      <Fieldset legend="Data quality thresholds">
        {bind.number("policy.data_quality.min_quality_score", "Minimum quality score (0–100)")}
        {bind.number("policy.data_quality.min_examples", "Fewest examples")}
        {bind.number("policy.data_quality.max_duplicate_ratio", "Largest duplicate share (0–1)")}
        {bind.number("policy.data_quality.max_pii_ratio", "Largest share of records with PII left (0–1)")}
      </Fieldset>
      {bind.check("policy.human_review_required", "Promotion needs a person's review")}
      {bind.select("policy.redaction", "PII redaction of uploads", REDACTION)}
      {bind.check("policy.auto_rollback", "Roll a canary back when its alerts fire")}
      {bind.check("policy.log_prompts", "Inference logs may keep prompt text (for drift checks)")}
    </>
  );
}
