// One use case for everyone who decides on it: qualification, the fine-tune / prompting / RAG decision with its
// reasons, RICE, cost and ROI; the reviewer's approve / reject / request changes with a comment; the timeline.
import { useState, type ReactNode } from "react";
import { Link, useParams } from "react-router-dom";
import { Badge } from "@/components/ui/Badge";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { TextArea } from "@/components/ui/Field";
import { Empty, ErrorMessage, Loading, Notice } from "@/components/ui/Feedback";
import { useComment, useComments, useReview, useTimeline, useUseCase, type ReviewAction } from "@/features/intake/api/queries";
import { useSession } from "@/lib/auth";
import { can } from "@/lib/permissions";

type Dict = Record<string, unknown>;

function Card({ title, children }: { title: string; children: ReactNode }) {
  const id = `card-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function fmt(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en") : value.toLocaleString("en", { maximumFractionDigits: 2 });
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value == null) return "—";
  return String(value);
}

/** A nested figure sheet (the cost estimate) as a definition list, one level per heading. */
function Figures({ data }: { data: Dict }) {
  return (
    <dl className="figures">
      {Object.entries(data).map(([key, value]) =>
        value && typeof value === "object" && !Array.isArray(value) ? (
          <div key={key} className="figures-group">
            <dt>{key.replace(/_/g, " ")}</dt>
            <dd>
              <Figures data={value as Dict} />
            </dd>
          </div>
        ) : (
          <div key={key}>
            <dt>{key.replace(/_/g, " ")}</dt>
            <dd>{Array.isArray(value) ? value.map(fmt).join(", ") : fmt(value)}</dd>
          </div>
        ),
      )}
    </dl>
  );
}

function Assessment({ assessment }: { assessment: Dict }) {
  const checklist = assessment.checklist as { verdict: string; score: number; items: { criterion: string; score: number; rating: string; reasons: string[] }[] };
  const decision = assessment.decision as { recommended: string; summary: string; why: string[]; scores: Record<string, number>; ruled_out: Record<string, string> };
  const rice = assessment.rice as { reach: number; impact: string; confidence: string; effort_person_months: number; score: number };
  return (
    <>
      <Card title="Qualification">
        <p>
          Verdict: <Badge tone={checklist.verdict === "qualified" ? "good" : "warn"}>{checklist.verdict.replace(/_/g, " ")}</Badge> (score {fmt(checklist.score)})
        </p>
        <table>
          <caption className="visually-hidden">Qualification checklist</caption>
          <thead>
            <tr>
              <th scope="col">Criterion</th>
              <th scope="col">Rating</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {checklist.items.map((item) => (
              <tr key={item.criterion}>
                <td>{item.criterion.replace(/_/g, " ")}</td>
                <td>{item.rating}</td>
                <td>{item.reasons.join(" ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card title="Decision">
        <p>
          Recommended: <strong>{decision.recommended.replace(/_/g, " ")}</strong>. {decision.summary}
        </p>
        <ul>
          {decision.why.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
        <p className="hint">
          Scores: {Object.entries(decision.scores).map(([k, v]) => `${k.replace(/_/g, " ")} ${fmt(v)}`).join(" · ")}
        </p>
        {Object.keys(decision.ruled_out).length > 0 && (
          <ul>
            {Object.entries(decision.ruled_out).map(([k, v]) => (
              <li key={k}>
                {k.replace(/_/g, " ")} ruled out: {v}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="RICE">
        <p>
          <strong>{fmt(rice.score)}</strong> = reach {fmt(rice.reach)} × impact {rice.impact} × confidence {rice.confidence} ÷ effort {fmt(rice.effort_person_months)} person-months
        </p>
      </Card>
      <Card title="Cost and ROI">
        <Figures data={assessment.costs as Dict} />
      </Card>
    </>
  );
}

const ACTIONS: { action: ReviewAction; label: string; needsReason: boolean; confirm?: string }[] = [
  { action: "start-review", label: "Start review", needsReason: false },
  { action: "approve", label: "Approve", needsReason: false },
  { action: "request-changes", label: "Request changes", needsReason: true },
  { action: "reject", label: "Reject", needsReason: true, confirm: "Rejecting ends this use case; the submitter sees your reason." },
];

function Review({ id, allowed }: { id: string; allowed: string[] }) {
  const review = useReview(id);
  const [comment, setComment] = useState("");
  const offered = ACTIONS.filter((a) => allowed.includes(a.action.replace("-", "_")));
  const run = (action: ReviewAction) => review.mutate({ action, comment }, { onSuccess: () => setComment("") });
  const outcome = (
    <>
      {review.error ? <ErrorMessage error={review.error} /> : null}
      {review.isSuccess && <Notice>Done: the use case is now {review.data.status.replace(/_/g, " ")}.</Notice>}
    </>
  );
  if (!offered.length)
    return (
      <div>
        {outcome}
        <p className="hint">No review action is open in this status.</p>
      </div>
    );
  return (
    <div>
      {outcome}
      <TextArea label="Comment or reason" hint="Required to reject or request changes; the submitter reads it." value={comment} onChange={(e) => setComment(e.target.value)} rows={3} />
      <div className="actions">
        {offered.map((a) =>
          a.confirm ? (
            <ConfirmButton key={a.action} className="danger" disabled={review.isPending || (a.needsReason && !comment.trim())} title={`${a.label} this use case?`} body={a.confirm} confirmLabel={a.label} onConfirm={() => run(a.action)}>
              {a.label}
            </ConfirmButton>
          ) : (
            <button key={a.action} type="button" className={a.action === "approve" ? "primary" : undefined} disabled={review.isPending || (a.needsReason && !comment.trim())} onClick={() => run(a.action)}>
              {a.label}
            </button>
          ),
        )}
      </div>
    </div>
  );
}

function Comments({ id }: { id: string }) {
  const session = useSession();
  const comments = useComments(id);
  const add = useComment(id);
  const [text, setText] = useState("");
  return (
    <>
      {comments.isPending ? <Loading what="comments" /> : comments.isError ? <ErrorMessage error={comments.error} /> : comments.data.length === 0 ? <Empty title="No comments yet." /> : (
        <ul className="plain">
          {comments.data.map((c) => (
            <li key={c.id}>
              <strong>{c.author}</strong> <span className="hint">{new Date(c.created_at).toLocaleString()}</span>
              <p>{c.body}</p>
            </li>
          ))}
        </ul>
      )}
      {can(session, "usecase.create") && (
        <form onSubmit={(e) => { e.preventDefault(); add.mutate(text, { onSuccess: () => setText("") }); }}>
          {add.error ? <ErrorMessage error={add.error} /> : null}
          <TextArea label="Add a comment" value={text} onChange={(e) => setText(e.target.value)} rows={2} />
          <button type="submit" disabled={!text.trim() || add.isPending}>Comment</button>
        </form>
      )}
    </>
  );
}

function Timeline({ id }: { id: string }) {
  const timeline = useTimeline(id);
  if (timeline.isPending) return <Loading what="the timeline" />;
  if (timeline.isError) return <ErrorMessage error={timeline.error} />;
  if (!timeline.data.length) return <Empty title="Nothing has happened yet." />;
  return (
    <ol className="timeline">
      {timeline.data.map((entry) => (
        <li key={entry.event_id}>
          <time dateTime={entry.occurred_at}>{new Date(entry.occurred_at).toLocaleString()}</time> — <strong>{entry.type}</strong>
          {entry.actor ? ` by ${entry.actor}` : ""} <span className="hint">({entry.producer})</span>
        </li>
      ))}
    </ol>
  );
}

export default function UseCasePage() {
  const { id = "" } = useParams();
  const session = useSession();
  const usecase = useUseCase(id);
  if (usecase.isPending) return <main className="page"><Loading what="the use case" /></main>;
  if (usecase.isError)
    return (
      <main className="page">
        <h1>Use case</h1>
        <ErrorMessage error={usecase.error} action={<Link to="/">Back to the dashboard</Link>} />
      </main>
    );
  const u = usecase.data;
  return (
    <main className="page">
      <h1>{u.title}</h1>
      <p>
        <Badge tone={u.status === "approved" ? "good" : u.status === "rejected" ? "bad" : "warn"}>{u.status.replace(/_/g, " ")}</Badge>{" "}
        {u.stage && <>stage {u.stage} · </>}submitted by {u.submitter}
        {u.decided_by && <> · decided by {u.decided_by}{u.decision_reason ? `: “${u.decision_reason}”` : ""}</>}
      </p>
      {u.missing.length > 0 && (
        <Notice>
          The form still lacks: {u.missing.map((m) => m.field).join(", ")}.
        </Notice>
      )}
      <div className="grid">
        {u.assessment ? <Assessment assessment={u.assessment} /> : <Card title="Qualification"><Empty title="Not assessed yet.">The assessment appears once the form is complete.</Empty></Card>}
        {can(session, "usecase.review") && (
          <Card title="Review">
            <Review id={u.id} allowed={u.allowed_actions} />
          </Card>
        )}
        <Card title="Comments">
          <Comments id={u.id} />
        </Card>
        <Card title="Timeline">
          <Timeline id={u.id} />
        </Card>
      </div>
    </main>
  );
}
