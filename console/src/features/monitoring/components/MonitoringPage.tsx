// Served models as operators watch them: latency percentiles, errors and cost per version and canary arm, the
// latency over time, drift reports, and alerts to acknowledge and resolve.
import { useMemo, useState } from "react";
import { Badge } from "@/components/ui/Badge";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { SelectField } from "@/components/ui/Field";
import { Empty, ErrorMessage, Loading } from "@/components/ui/Feedback";
import { LineChart } from "@/components/ui/LineChart";
import {
  useAlertAction,
  useAlerts,
  useCosts,
  useCurrent,
  useDrift,
  useSeries,
  WINDOWS,
  type AlertState,
  type Figures,
} from "@/features/monitoring/api/queries";
import { useSession } from "@/lib/auth";
import { can } from "@/lib/permissions";

const ms = (v: number | null | undefined) => (v == null ? "—" : `${v.toFixed(0)} ms`);
const pct = (v: number | null | undefined) => (v == null ? "—" : `${(v * 100).toFixed(1)}%`);
const usd = (v: number | null | undefined, digits = 4) => (v == null ? "—" : `$${v.toFixed(digits)}`);
const MORE = 20;

function Current() {
  const current = useCurrent();
  if (current.isPending) return <Loading what="current figures" />;
  if (current.isError) return <ErrorMessage error={current.error} />;
  if (!current.data.items.length)
    return <Empty title="No traffic measured yet.">Figures appear after a deployed model answers its first requests.</Empty>;
  return (
    <table>
      <caption>{`Per version and arm, ${new Date(current.data.start).toLocaleTimeString()} to ${new Date(current.data.end).toLocaleTimeString()}`}</caption>
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col">Version · arm</th>
          <th scope="col">Requests</th>
          <th scope="col">Errors</th>
          <th scope="col">p50</th>
          <th scope="col">p95</th>
          <th scope="col">p99</th>
          <th scope="col">Cost per request</th>
        </tr>
      </thead>
      <tbody>
        {current.data.items.map((row) => (
          <tr key={`${row.model}-${row.version}-${row.arm}`}>
            <td>{row.model}</td>
            <td>{`v${row.version} · ${row.arm}`}</td>
            <td>{row.figures.requests}</td>
            <td>{`${row.figures.errors} (${pct(row.figures.error_rate)})`}</td>
            <td>{ms(row.figures.latency_p50_ms)}</td>
            <td>{ms(row.figures.latency_p95_ms)}</td>
            <td>{ms(row.figures.latency_p99_ms)}</td>
            <td>{usd(row.figures.cost_per_request, 5)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Latency({ models }: { models: string[] }) {
  const [model, setModel] = useState("");
  const [window, setWindow] = useState(0);
  const chosen = model || models[0] || "";
  const { hours, step } = WINDOWS[window];
  const series = useSeries(chosen, hours, step);
  const [arm, setArm] = useState("");
  const points = series.data?.points ?? [];
  const arms = [...new Set(points.map((p) => `v${p.version} · ${p.arm}`))];
  const chosenArm = arms.includes(arm) ? arm : arms[0] ?? "";
  const chart = useMemo(() => {
    const mine = points.filter((p) => `v${p.version} · ${p.arm}` === chosenArm);
    const pick = (f: (x: Figures) => number | null | undefined) => mine.map((p) => f(p.figures) ?? null);
    return {
      x: mine.map((p) => Math.round(new Date(p.start).getTime() / 1000)),
      series: [
        { label: "p50 ms", color: "#13652f", values: pick((f) => f.latency_p50_ms) },
        { label: "p95 ms", color: "#0b5cad", values: pick((f) => f.latency_p95_ms) },
        { label: "p99 ms", color: "#a0161f", values: pick((f) => f.latency_p99_ms) },
        { label: "errors", color: "#7a4a00", values: pick((f) => f.errors) },
      ],
    };
  }, [points, chosenArm]);
  if (!models.length) return <Empty title="Nothing to chart yet.">A model appears once it serves traffic.</Empty>;
  return (
    <>
      <div className="row">
        <SelectField label="Model" value={chosen} onChange={(e) => setModel(e.target.value)} options={models} />
        <SelectField label="Window" value={String(window)} onChange={(e) => setWindow(Number(e.target.value))} options={WINDOWS.map((w, i): [string, string] => [String(i), w.label])} />
        {arms.length > 1 && <SelectField label="Version and arm" value={chosenArm} onChange={(e) => setArm(e.target.value)} options={arms} />}
      </div>
      {series.isPending ? (
        <Loading what="the latency series" />
      ) : series.isError ? (
        <ErrorMessage error={series.error} />
      ) : !chart.x.length ? (
        <Empty title="No requests in this window." />
      ) : (
        <LineChart caption={`Latency percentiles and errors of ${chosen} ${chosenArm}, per ${step / 60} min (x: Unix seconds)`} xLabel="Time" x={chart.x} series={chart.series} format={(v) => v.toFixed(0)} />
      )}
    </>
  );
}

function Costs() {
  const [window, setWindow] = useState(1);
  const costs = useCosts(WINDOWS[window].hours);
  return (
    <>
      <SelectField label="Cost window" value={String(window)} onChange={(e) => setWindow(Number(e.target.value))} options={WINDOWS.map((w, i): [string, string] => [String(i), w.label])} />
      {costs.isPending ? (
        <Loading what="costs" />
      ) : costs.isError ? (
        <ErrorMessage error={costs.error} />
      ) : !costs.data.per_version.length ? (
        <Empty title="No cost in this window." />
      ) : (
        <table>
          <caption>{`Cost per version: ${usd(costs.data.total, 2)} in all`}</caption>
          <thead>
            <tr>
              <th scope="col">Model · version</th>
              <th scope="col">Requests</th>
              <th scope="col">Tokens in / out</th>
              <th scope="col">Cost</th>
              <th scope="col">Per request</th>
            </tr>
          </thead>
          <tbody>
            {costs.data.per_version.map((c) => (
              <tr key={`${c.model}-${c.version}`}>
                <td>{`${c.model} v${c.version}`}</td>
                <td>{c.requests}</td>
                <td>{`${c.tokens_in} / ${c.tokens_out}`}</td>
                <td>{usd(c.cost, 2)}</td>
                <td>{usd(c.cost_per_request, 5)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Drift() {
  const [limit, setLimit] = useState(MORE);
  const drift = useDrift(limit);
  if (drift.isPending) return <Loading what="drift reports" />;
  if (drift.isError) return <ErrorMessage error={drift.error} />;
  if (!drift.data.length) return <Empty title="No drift report yet.">Reports are written as served traffic is compared with the training data.</Empty>;
  return (
    <>
      <ul className="plain">
        {drift.data.map((r) => (
          <li key={r.id}>
            {r.drifted ? <Badge tone="bad">drifted</Badge> : <Badge tone="good">no drift</Badge>} {`${r.model_name} v${r.version}`}{" "}
            <span className="hint">{`${new Date(r.window_start).toLocaleString()} – ${new Date(r.window_end).toLocaleString()}`}</span>
            <details>
              <summary>{`${r.checks.length} checks`}</summary>
              <pre>{JSON.stringify(r.checks, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ul>
      {drift.data.length === limit && (
        <button type="button" onClick={() => setLimit(limit + MORE)}>
          Show more reports
        </button>
      )}
    </>
  );
}

function Alerts() {
  const session = useSession();
  const [state, setState] = useState<AlertState>("firing");
  const [limit, setLimit] = useState(MORE);
  const alerts = useAlerts(state, limit);
  const act = useAlertAction();
  const mayHandle = can(session, "alert.handle");
  return (
    <>
      <SelectField label="Show alerts" value={state} onChange={(e) => setState(e.target.value as AlertState)} options={[["firing", "Firing"], ["acknowledged", "Acknowledged"], ["resolved", "Resolved"]]} />
      {alerts.isPending ? (
        <Loading what="alerts" />
      ) : alerts.isError ? (
        <ErrorMessage error={alerts.error} />
      ) : !alerts.data.length ? (
        <Empty title={`No ${state} alerts.`}>{state === "firing" ? "Nothing needs attention." : ""}</Empty>
      ) : (
        <ul className="plain">
          {alerts.data.map((a) => (
            <li key={a.id}>
              <Badge tone={a.severity === "critical" ? "bad" : "warn"}>{a.severity}</Badge> <strong>{a.title}</strong> — {`${a.model_name} v${a.version} (${a.arm})`}
              <div className="hint">
                {`${a.message} · fired ${new Date(a.fired_at).toLocaleString()} · ${a.occurrences} times`}
                {a.acknowledged_by && ` · acknowledged by ${a.acknowledged_by}`}
                {a.resolved_by && ` · resolved by ${a.resolved_by}`}
              </div>
              {mayHandle && a.state !== "resolved" && (
                <div className="actions">
                  {a.state === "firing" && (
                    <button type="button" disabled={act.isPending} onClick={() => act.mutate({ id: a.id, action: "acknowledge" })}>
                      {`Acknowledge ${a.title}`}
                    </button>
                  )}
                  <ConfirmButton
                    title={`Resolve ${a.title}?`}
                    body="The alert closes; it fires again as a new alert if the condition returns."
                    confirmLabel="Resolve"
                    disabled={act.isPending}
                    onConfirm={() => act.mutate({ id: a.id, action: "resolve" })}
                  >
                    {`Resolve ${a.title}`}
                  </ConfirmButton>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {alerts.data?.length === limit && (
        <button type="button" onClick={() => setLimit(limit + MORE)}>
          Show more alerts
        </button>
      )}
      {act.error ? <ErrorMessage error={act.error} /> : null}
    </>
  );
}

export default function MonitoringPage() {
  const current = useCurrent();
  const models = [...new Set((current.data?.items ?? []).map((i) => i.model))];
  return (
    <main className="page">
      <h1>Monitoring</h1>
      <div className="grid">
        {/* Its table of versions and arms scrolls sideways once traffic arrives: keyboard users must reach it too. */}
        <section className="card" aria-labelledby="now" tabIndex={0}>
          <h2 id="now">Now</h2>
          <Current />
        </section>
        <section className="card" aria-labelledby="alerts">
          <h2 id="alerts">Alerts</h2>
          <Alerts />
        </section>
        <section className="card" aria-labelledby="latency">
          <h2 id="latency">Latency over time</h2>
          <Latency models={models} />
        </section>
        <section className="card" aria-labelledby="costs">
          <h2 id="costs">Cost</h2>
          <Costs />
        </section>
        <section className="card" aria-labelledby="drift">
          <h2 id="drift">Drift</h2>
          <Drift />
        </section>
      </div>
    </main>
  );
}
