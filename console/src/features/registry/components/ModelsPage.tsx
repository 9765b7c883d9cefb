// The model catalogue: every registered model with its production and latest versions.
import { useState } from "react";
import { Link } from "react-router-dom";
import { Empty, ErrorMessage, Loading } from "@/components/ui/Feedback";
import { Pagination } from "@/components/ui/Pagination";
import { MODEL_PAGE, useModels } from "@/features/registry/api/queries";

export default function ModelsPage() {
  const [offset, setOffset] = useState(0);
  const models = useModels(offset);
  return (
    <main className="page">
      <h1>Models</h1>
      <section className="card" aria-labelledby="catalogue">
        <h2 id="catalogue">Registered models</h2>
        {models.isPending ? (
          <Loading what="models" />
        ) : models.isError ? (
          <ErrorMessage error={models.error} />
        ) : !models.data.length ? (
          <Empty title="No model registered yet.">
            <p>
              A model version is registered when its evaluation finishes; see <Link to="/evaluations">evaluations</Link>.
            </p>
          </Empty>
        ) : (
          <>
            <table>
              <caption className="visually-hidden">Registered models</caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Task</th>
                  <th scope="col">Base model</th>
                  <th scope="col">Production</th>
                  <th scope="col">Latest</th>
                  <th scope="col">Owner</th>
                </tr>
              </thead>
              <tbody>
                {models.data.map((m) => (
                  <tr key={m.id}>
                    <td>
                      <Link to={`/models/${encodeURIComponent(m.name)}`}>{m.name}</Link>
                    </td>
                    <td>{m.task_type}</td>
                    <td>{m.base_model}</td>
                    <td>{m.production_version != null ? `v${m.production_version}` : "none"}</td>
                    <td>{m.latest_version != null ? `v${m.latest_version}` : "—"}</td>
                    <td>{m.owner}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pagination label="Models" offset={offset} limit={MODEL_PAGE} count={models.data.length} onChange={setOffset} />
          </>
        )}
      </section>
    </main>
  );
}
