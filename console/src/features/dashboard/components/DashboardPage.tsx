// Everything in flight at a glance: the portfolio by RICE with each use case's stage, running jobs, served
// models with traffic, errors and latency, and the alerts nobody has taken up yet.
import { useState, type ReactNode } from "react";
import { Link } from "react-router-dom";
import { Badge } from "@/components/ui/Badge";
import { Empty, ErrorMessage, Loading } from "@/components/ui/Feedback";
import { Pagination } from "@/components/ui/Pagination";
import { PORTFOLIO_PAGE, useOpenAlerts, usePortfolio, useRunningJobs, useServedModels } from "@/features/dashboard/api/queries";
import { useSession } from "@/lib/auth";
import { can } from "@/lib/permissions";

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <section aria-labelledby={id} className="card">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

const STATUS_TONE: Record<string, "neutral" | "good" | "warn" | "bad"> = {
  approved: "good",
  deployed: "good",
  in_progress: "good",
  rejected: "bad",
  needs_changes: "warn",
  submitted: "warn",
  in_review: "warn",
};

function Portfolio() {
  const session = useSession();
  const [offset, setOffset] = useState(0);
  const query = usePortfolio(offset);
  if (query.isPending) return <Loading what="the portfolio" />;
  if (query.isError) return <ErrorMessage error={query.error} />;
  const page = query.data;
  if (!page.items.length)
    return (
      <Empty title="No use cases yet.">
        {can(session, "usecase.create") ? (
          <p>
            <Link to="/usecases/new">Describe the first use case</Link> — the wizard walks through the intake form.
          </p>
        ) : (
          <p>Someone with a business role writes the first use case; it will appear here.</p>
        )}
      </Empty>
    );
  return (
    <>
      <table>
        <caption className="visually-hidden">Use cases ranked by RICE score</caption>
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">Use case</th>
            <th scope="col">Status</th>
            <th scope="col">Stage</th>
            <th scope="col">RICE</th>
            <th scope="col">Approach</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((item, i) => (
            <tr key={item.id}>
              <td>{offset + i + 1}</td>
              <td>
                <Link to={`/usecases/${item.id}`}>{item.title}</Link>
                <div className="hint">{[item.industry, item.business_unit].filter(Boolean).join(" · ")}</div>
              </td>
              <td>
                <Badge tone={STATUS_TONE[item.status] ?? "neutral"}>{item.status.replace(/_/g, " ")}</Badge>
              </td>
              <td>{item.stage ?? "—"}</td>
              <td>{item.rice_score != null ? item.rice_score.toFixed(1) : "not scored yet"}</td>
              <td>{item.recommended_approach?.replace(/_/g, " ") ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination label="Portfolio" offset={offset} limit={PORTFOLIO_PAGE} total={page.total} count={page.items.length} onChange={setOffset} />
    </>
  );
}

function RunningJobs() {
  const query = useRunningJobs();
  if (query.isPending) return <Loading what="training jobs" />;
  if (query.isError) return <ErrorMessage error={query.error} />;
  if (!query.data.length) return <Empty title="No job is training right now.">Jobs start when a dataset version is ready.</Empty>;
  return (
    <ul className="plain">
      {query.data.map((job) => (
        <li key={job.id}>
          <div>
            <Link to={`/training/jobs/${job.id}`}>Job {job.id.slice(0, 8)}</Link> · {job.base_model} · step {job.step} of {job.total_steps}
            {job.train_loss != null && <> · loss {job.train_loss.toFixed(3)}</>}
          </div>
          <progress max={100} value={job.progress_percent} aria-label={`Job ${job.id.slice(0, 8)} progress`}>
            {job.progress_percent}%
          </progress>
        </li>
      ))}
    </ul>
  );
}

function ServedModels() {
  const query = useServedModels();
  if (query.isPending) return <Loading what="served models" />;
  if (query.isError) return <ErrorMessage error={query.error} />;
  if (!query.data.items.length)
    return <Empty title="No model is serving traffic yet.">A model appears here after its first requests.</Empty>;
  return (
    <table>
      <caption className="visually-hidden">Served models in the last window</caption>
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col">Version</th>
          <th scope="col">Arm</th>
          <th scope="col">Requests</th>
          <th scope="col">Error rate</th>
          <th scope="col">Mean latency</th>
        </tr>
      </thead>
      <tbody>
        {query.data.items.map((row) => (
          <tr key={`${row.model}-${row.version}-${row.arm}`}>
            <td>{row.model}</td>
            <td>{row.version}</td>
            <td>{row.arm}</td>
            <td>{row.figures.requests}</td>
            <td>{row.figures.error_rate != null ? `${(row.figures.error_rate * 100).toFixed(1)}%` : "—"}</td>
            <td>{row.figures.latency_mean_ms != null ? `${row.figures.latency_mean_ms.toFixed(0)} ms` : "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OpenAlerts() {
  const query = useOpenAlerts();
  if (query.isPending) return <Loading what="alerts" />;
  if (query.isError) return <ErrorMessage error={query.error} />;
  if (!query.data.length) return <Empty title="No open alerts.">Nothing needs attention.</Empty>;
  return (
    <ul className="plain">
      {query.data.map((alert) => (
        <li key={alert.id}>
          <Badge tone={alert.severity === "critical" ? "bad" : "warn"}>{alert.severity}</Badge> {alert.title} —{" "}
          {alert.model_name} v{alert.version} ({alert.arm})
        </li>
      ))}
    </ul>
  );
}

export default function DashboardPage() {
  return (
    <main className="page">
      <h1>Dashboard</h1>
      <div className="grid">
        <Section title="Portfolio by RICE">
          <Portfolio />
        </Section>
        <Section title="Running jobs">
          <RunningJobs />
        </Section>
        <Section title="Served models">
          <ServedModels />
        </Section>
        <Section title="Open alerts">
          <OpenAlerts />
        </Section>
      </div>
    </main>
  );
}
