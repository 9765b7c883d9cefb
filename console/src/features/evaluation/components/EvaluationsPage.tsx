// Every evaluation, newest first, filterable by use case: status, the forgetting gate's verdict and the quality score.
import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { Badge } from "@/components/ui/Badge";
import { SelectField } from "@/components/ui/Field";
import { Empty, ErrorMessage, Loading } from "@/components/ui/Feedback";
import { Pagination } from "@/components/ui/Pagination";
import { EVALUATION_PAGE, useEvaluations, useUseCases } from "@/features/evaluation/api/queries";

export function Verdict({ passed }: { passed: boolean | null }) {
  if (passed == null) return <Badge>no verdict yet</Badge>;
  return passed ? <Badge tone="good">gate passed</Badge> : <Badge tone="bad">gate failed</Badge>;
}

export default function EvaluationsPage() {
  const [params, setParams] = useSearchParams();
  const usecaseId = params.get("usecase") ?? "";
  const [offset, setOffset] = useState(0);
  const usecases = useUseCases();
  const list = useEvaluations(usecaseId, offset);
  const titles = new Map((usecases.data?.items ?? []).map((u) => [u.id, u.title]));
  return (
    <main className="page">
      <h1>Evaluations</h1>
      <SelectField
        label="Use case"
        value={usecaseId}
        onChange={(e) => {
          setOffset(0);
          setParams(e.target.value ? { usecase: e.target.value } : {});
        }}
        options={[["", "All use cases"], ...(usecases.data?.items ?? []).map((u): [string, string] => [u.id, u.title])]}
      />
      <section className="card" aria-labelledby="evaluations">
        <h2 id="evaluations">Base against tuned, per finished training job</h2>
        {list.isPending ? (
          <Loading what="evaluations" />
        ) : list.isError ? (
          <ErrorMessage error={list.error} />
        ) : !list.data.length ? (
          <Empty title="No evaluation yet.">
            <p>
              An evaluation starts by itself when a training job succeeds. Start one on the <Link to="/training">training</Link> screen.
            </p>
          </Empty>
        ) : (
          <>
            <table>
              <caption className="visually-hidden">Evaluations, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Evaluation</th>
                  <th scope="col">Use case</th>
                  <th scope="col">Status</th>
                  <th scope="col">Forgetting gate</th>
                  <th scope="col">Quality</th>
                  <th scope="col">Human review</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <Link to={`/evaluations/${e.id}`}>{`Evaluation ${e.id.slice(0, 8)}`}</Link>
                      <div className="hint">{`${e.task_type} · ${new Date(e.created_at).toLocaleString()}`}</div>
                    </td>
                    <td>{titles.get(e.usecase_id) ?? e.usecase_id.slice(0, 8)}</td>
                    <td>{e.status}</td>
                    <td>
                      <Verdict passed={e.passed} />
                    </td>
                    <td>{e.quality_score != null ? e.quality_score.toFixed(1) : "—"}</td>
                    <td>{e.review_required ? <Badge tone="warn">required</Badge> : "optional"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pagination label="Evaluations" offset={offset} limit={EVALUATION_PAGE} count={list.data.length} onChange={setOffset} />
          </>
        )}
      </section>
    </main>
  );
}
