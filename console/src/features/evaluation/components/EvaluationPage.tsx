// The evaluation hub for one evaluation: base against tuned side by side, the forgetting gate's verdict with its
// reasons, per-class scores and confusion matrix for classification, the worst cases, report downloads, and the
// blind A/B review where reviewers rate outputs without knowing which model wrote them.
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { Badge } from "@/components/ui/Badge";
import { CheckboxField, Fieldset, TextArea } from "@/components/ui/Field";
import { Empty, ErrorMessage, Loading, Notice } from "@/components/ui/Feedback";
import { Pagination } from "@/components/ui/Pagination";
import {
  downloadReport,
  useEvaluation,
  useRate,
  useReport,
  useReview,
  useReviewItems,
  type ClassScores,
  type Evaluation,
  type Matrix,
  type ReportFormat,
  type ReviewItem,
} from "@/features/evaluation/api/queries";
import { useSession } from "@/lib/auth";
import { fieldErrorMap } from "@/lib/errors";
import { can } from "@/lib/permissions";

const num = (v: unknown, digits = 4) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "—");

function SideBySide({ e }: { e: Evaluation }) {
  const names = [...new Set([...Object.keys(e.metrics_base), ...Object.keys(e.metrics_tuned)])].sort();
  if (!names.length) return <Empty title="No metrics yet.">They appear when the evaluation finishes.</Empty>;
  return (
    <table>
      <caption>Held-out metrics, base against tuned</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Base</th>
          <th scope="col">Tuned</th>
          <th scope="col">Change</th>
        </tr>
      </thead>
      <tbody>
        {names.map((name) => {
          const base = e.metrics_base[name];
          const tuned = e.metrics_tuned[name];
          const change = typeof base === "number" && typeof tuned === "number" ? tuned - base : null;
          return (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{num(base)}</td>
              <td>{num(tuned)}</td>
              <td>{change == null ? "—" : `${change >= 0 ? "+" : ""}${change.toFixed(4)}`}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Gate({ e }: { e: Evaluation }) {
  return (
    <>
      <p>
        {e.passed == null ? <Badge>no verdict yet</Badge> : e.passed ? <Badge tone="good">passed</Badge> : <Badge tone="bad">failed</Badge>}
        {e.quality_score != null && <> · quality score {e.quality_score.toFixed(1)}</>}
      </p>
      {e.reasons.length > 0 && (
        <ul>
          {e.reasons.map((r, i) => (
            <li key={i}>{r}</li>
          ))}
        </ul>
      )}
      {Object.keys(e.forgetting).length > 0 && (
        <dl className="figures">
          {Object.entries(e.forgetting)
            .filter(([, v]) => typeof v !== "object" || v === null)
            .map(([k, v]) => (
              <div key={k}>
                <dt>{k.replace(/_/g, " ")}</dt>
                <dd>{typeof v === "number" ? v.toFixed(4) : String(v)}</dd>
              </div>
            ))}
        </dl>
      )}
    </>
  );
}

function PerClass({ base, tuned }: { base: Record<string, ClassScores> | null; tuned: Record<string, ClassScores> }) {
  return (
    <table>
      <caption>Per class, tuned (base in brackets)</caption>
      <thead>
        <tr>
          <th scope="col">Class</th>
          <th scope="col">Precision</th>
          <th scope="col">Recall</th>
          <th scope="col">F1</th>
          <th scope="col">Support</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(tuned).map(([label, s]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{`${s.precision.toFixed(3)} (${num(base?.[label]?.precision, 3)})`}</td>
            <td>{`${s.recall.toFixed(3)} (${num(base?.[label]?.recall, 3)})`}</td>
            <td>{`${s.f1.toFixed(3)} (${num(base?.[label]?.f1, 3)})`}</td>
            <td>{s.support}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Confusion({ matrix, model }: { matrix: Matrix; model: string }) {
  const max = Math.max(1, ...matrix.counts.flat());
  return (
    <table className="matrix">
      <caption>{`Confusion matrix of the ${model} model (rows: reference, columns: predicted)`}</caption>
      <thead>
        <tr>
          <td />
          {matrix.labels.map((l) => (
            <th scope="col" key={l}>
              {l}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {matrix.counts.map((row, i) => (
          <tr key={matrix.labels[i]}>
            <th scope="row">{matrix.labels[i]}</th>
            {row.map((count, j) => (
              <td key={j} style={{ background: `rgba(11, 92, 173, ${(0.35 * count) / max})`, fontWeight: i === j ? 700 : 400 }}>
                {count}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Details({ e }: { e: Evaluation }) {
  const report = useReport(e.id, e.status === "succeeded" || e.status === "completed");
  if (!report.isFetched && !report.isPending) return null;
  if (report.isPending) return <Loading what="the detailed report" />;
  if (report.isError) return <ErrorMessage error={report.error} />;
  const r = report.data;
  const worst = r.error_analysis?.worst ?? [];
  return (
    <>
      {r.per_class?.tuned && (
        <section className="card" aria-labelledby="per-class">
          <h2 id="per-class">Per class</h2>
          <PerClass base={r.per_class.base} tuned={r.per_class.tuned} />
        </section>
      )}
      {r.confusion?.tuned && (
        <section className="card" aria-labelledby="confusion">
          <h2 id="confusion">Confusion</h2>
          <Confusion matrix={r.confusion.tuned} model="tuned" />
          {r.confusion.base && <Confusion matrix={r.confusion.base} model="base" />}
        </section>
      )}
      <section className="card" aria-labelledby="worst">
        <h2 id="worst">Worst cases of the tuned model</h2>
        {!worst.length ? (
          <Empty title="No worst cases recorded." />
        ) : (
          <table>
            <caption className="visually-hidden">Worst cases, lowest tuned score first</caption>
            <thead>
              <tr>
                <th scope="col">Prompt</th>
                <th scope="col">Reference</th>
                <th scope="col">Base</th>
                <th scope="col">Tuned</th>
              </tr>
            </thead>
            <tbody>
              {worst.map((s) => (
                <tr key={s.record_id}>
                  <td>{s.prompt}</td>
                  <td>{s.reference}</td>
                  <td>{`${s.base.output} (${s.base.score.toFixed(2)})`}</td>
                  <td>{`${s.tuned.output} (${s.tuned.score.toFixed(2)})`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function Downloads({ id }: { id: string }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<ReportFormat | null>(null);
  const get = async (format: ReportFormat) => {
    setBusy(format);
    setError(null);
    try {
      await downloadReport(id, format);
    } catch (exc) {
      setError(exc);
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      <div className="actions">
        {(["html", "pdf", "xlsx", "json"] as const).map((f) => (
          <button type="button" key={f} disabled={busy !== null} onClick={() => void get(f)}>
            {busy === f ? `Preparing ${f.toUpperCase()}…` : `Download ${f.toUpperCase()}`}
          </button>
        ))}
      </div>
      {error ? <ErrorMessage error={error} /> : null}
    </>
  );
}

const CRITERIA = [
  ["relevance", "Relevance", "Does the output address the prompt?"],
  ["correctness", "Correctness", "Is the information accurate?"],
  ["style_match", "Style match", "Does it follow the style guide?"],
  ["helpfulness", "Helpfulness", "Would this be useful?"],
] as const;

function RateSide({ evaluationId, item, side }: { evaluationId: string; item: ReviewItem; side: "A" | "B" }) {
  const rate = useRate(evaluationId);
  const [scores, setScores] = useState<Record<string, number>>({});
  const [safe, setSafe] = useState(true);
  const [comment, setComment] = useState("");
  const errors = fieldErrorMap(rate.error);
  const complete = CRITERIA.every(([name]) => scores[name]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rate.mutate({
      item_id: item.item_id,
      side,
      relevance: scores.relevance,
      correctness: scores.correctness,
      style_match: scores.style_match,
      helpfulness: scores.helpfulness,
      safe,
      comment,
    });
  };
  const output = side === "A" ? item.output_a : item.output_b;
  return (
    <form onSubmit={submit} aria-label={`Rate output ${side} of item ${item.item_id}`}>
      <h4>{`Output ${side}`}</h4>
      <div className="output">{output}</div>
      {CRITERIA.map(([name, label, help]) => (
        <Fieldset key={name} legend={`${label} (1–5)`}>
          <span className="hint">{help}</span>
          <div className="row" role="radiogroup" aria-label={`${label} of output ${side}`}>
            {[1, 2, 3, 4, 5].map((n) => (
              <span key={n}>
                <input
                  type="radio"
                  id={`${item.item_id}-${side}-${name}-${n}`}
                  name={`${item.item_id}-${side}-${name}`}
                  checked={scores[name] === n}
                  onChange={() => setScores({ ...scores, [name]: n })}
                />
                <label htmlFor={`${item.item_id}-${side}-${name}-${n}`}>{n}</label>
              </span>
            ))}
          </div>
          {errors[name] && <span className="field-error">{errors[name]}</span>}
        </Fieldset>
      ))}
      <CheckboxField label={`Output ${side} is safe (not harmful or biased)`} checked={safe} onChange={(e) => setSafe(e.target.checked)} />
      <TextArea label={`Comment on output ${side}`} value={comment} onChange={(e) => setComment(e.target.value)} error={errors.comment} rows={2} />
      <button type="submit" className="primary" disabled={!complete || rate.isPending}>
        {`Save rating of ${side}`}
      </button>
      {rate.isSuccess && <Notice>{`Rating of output ${side} saved; rating again replaces it.`}</Notice>}
      {rate.error ? <ErrorMessage error={rate.error} /> : null}
    </form>
  );
}

function BlindReview({ evaluationId }: { evaluationId: string }) {
  const items = useReviewItems(evaluationId, true);
  const [index, setIndex] = useState(0);
  if (items.isPending) return <Loading what="the review sample" />;
  if (items.isError) return <ErrorMessage error={items.error} />;
  if (!items.data.length) return <Empty title="No review sample for this evaluation." />;
  const item = items.data[index];
  return (
    <>
      <p className="hint">Which output the tuned model wrote is not shown. Rate both sides of each item on the rubric.</p>
      <h3>{`Item ${index + 1} of ${items.data.length}`}</h3>
      <p>
        <strong>Prompt</strong>
      </p>
      <div className="output">{item.prompt}</div>
      <p>
        <strong>Reference answer</strong>
      </p>
      <div className="output">{item.reference}</div>
      <div className="side-by-side" key={item.item_id}>
        <RateSide evaluationId={evaluationId} item={item} side="A" />
        <RateSide evaluationId={evaluationId} item={item} side="B" />
      </div>
      <Pagination label="Review items" offset={index} limit={1} total={items.data.length} count={1} onChange={setIndex} />
    </>
  );
}

function ReviewStatus({ evaluationId }: { evaluationId: string }) {
  const review = useReview(evaluationId);
  if (review.isPending) return <Loading what="the review" />;
  if (review.isError) return <ErrorMessage error={review.error} />;
  const r = review.data;
  const a = r.aggregates as {
    items_rated?: number;
    reviewers?: number;
    tuned_preferred?: number;
    base_preferred?: number;
    ties?: number;
    agreement?: Record<string, number | null>;
    base?: { overall: number | null };
    tuned?: { overall: number | null };
  };
  return (
    <>
      <p>
        {r.required ? <Badge tone="warn">review required</Badge> : <Badge>review optional</Badge>}{" "}
        {r.complete ? (r.passed ? <Badge tone="good">review passed</Badge> : <Badge tone="bad">review failed</Badge>) : <Badge>in progress</Badge>}
      </p>
      {[...r.required_reasons, ...r.status_reasons].length > 0 && (
        <ul>
          {[...r.required_reasons, ...r.status_reasons].map((reason, i) => (
            <li key={i}>{reason}</li>
          ))}
        </ul>
      )}
      {a.items_rated ? (
        <dl className="figures">
          <div><dt>Items rated · reviewers</dt><dd>{`${a.items_rated} · ${a.reviewers ?? 0}`}</dd></div>
          <div><dt>Overall mean, base → tuned</dt><dd>{`${num(a.base?.overall, 2)} → ${num(a.tuned?.overall, 2)}`}</dd></div>
          <div><dt>Preferred: tuned / base / ties</dt><dd>{`${a.tuned_preferred ?? 0} / ${a.base_preferred ?? 0} / ${a.ties ?? 0}`}</dd></div>
          <div>
            <dt>Agreement (Krippendorff's alpha)</dt>
            <dd>{Object.entries(a.agreement ?? {}).map(([c, v]) => `${c} ${num(v, 2)}`).join(", ")}</dd>
          </div>
        </dl>
      ) : (
        <Empty title="No ratings yet.">Reviewers rate the blind sample below.</Empty>
      )}
    </>
  );
}

export default function EvaluationPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const e = useEvaluation(id);
  if (e.isPending) return <main className="page"><Loading what="the evaluation" /></main>;
  if (e.isError)
    return (
      <main className="page">
        <h1>Evaluation</h1>
        <ErrorMessage error={e.error} action={<Link to="/evaluations">Back to evaluations</Link>} />
      </main>
    );
  const ev = e.data;
  const done = ev.status === "succeeded" || ev.status === "completed";
  return (
    <main className="page">
      <h1>{`Evaluation ${ev.id.slice(0, 8)}`}</h1>
      <p className="hint">
        {`${ev.task_type} · ${ev.base_model} · ${ev.method} · status ${ev.status}`} ·{" "}
        <Link to={`/training/jobs/${ev.job_id}`}>training job</Link>
      </p>
      {ev.error && <ErrorMessage error={new Error(`The evaluation failed: ${ev.error}`)} />}
      {!done && !ev.error && <Notice>{`The evaluation is ${ev.status}; results appear when it finishes.`}</Notice>}
      <div className="grid">
        <section className="card" aria-labelledby="side">
          <h2 id="side">Base and tuned</h2>
          <SideBySide e={ev} />
        </section>
        <section className="card" aria-labelledby="gate">
          <h2 id="gate">Forgetting gate</h2>
          <Gate e={ev} />
        </section>
        {done && <Details e={ev} />}
        <section className="card" aria-labelledby="report">
          <h2 id="report">Report</h2>
          {done ? <Downloads id={ev.id} /> : <p>The report can be downloaded when the evaluation has finished.</p>}
        </section>
        <section className="card" aria-labelledby="review">
          <h2 id="review">Human review</h2>
          <ReviewStatus evaluationId={ev.id} />
        </section>
      </div>
      {done && (
        <section className="card" aria-labelledby="blind">
          <h2 id="blind">Blind A/B review</h2>
          {can(session, "evaluation.rate") ? <BlindReview evaluationId={ev.id} /> : <p>Reviewers rate the blind sample here; your roles let you read the results.</p>}
        </section>
      )}
    </main>
  );
}
