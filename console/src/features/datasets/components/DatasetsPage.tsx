// Datasets the person may see; a data owner creates one for an approved use case.
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";
import { useWorkableUseCases } from "@/api/usecases";
import { SelectField, TextField } from "@/components/ui/Field";
import { Empty, ErrorMessage, Loading } from "@/components/ui/Feedback";
import { Pagination } from "@/components/ui/Pagination";
import { DATASET_PAGE, useCreateDataset, useDatasets } from "@/features/datasets/api/queries";
import { useSession } from "@/lib/auth";
import { fieldErrorMap } from "@/lib/errors";
import { can } from "@/lib/permissions";

function CreateDataset() {
  const navigate = useNavigate();
  const usecases = useWorkableUseCases();
  const create = useCreateDataset();
  const [usecase, setUsecase] = useState("");
  const [name, setName] = useState("");
  const errors = fieldErrorMap(create.error);
  if (usecases.isPending) return <Loading what="use cases" />;
  if (usecases.isError) return <ErrorMessage error={usecases.error} />;
  if (!usecases.data.items.length)
    return <Empty title="No approved use case yet.">A dataset belongs to an approved use case: a reviewer approves one first.</Empty>;
  const chosen = usecase || usecases.data.items[0].id;
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ usecase_id: chosen, name }, { onSuccess: (d) => navigate(`/datasets/${d.id}`) });
  }
  return (
    <form onSubmit={submit}>
      {create.error && !Object.keys(errors).length ? <ErrorMessage error={create.error} /> : null}
      <div className="row">
        <SelectField
          label="Use case"
          options={usecases.data.items.map((u) => [u.id, u.title] as [string, string])}
          value={chosen}
          error={errors.usecase_id}
          onChange={(e) => setUsecase(e.target.value)}
        />
        <TextField label="Dataset name" value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
      </div>
      <button type="submit" className="primary" disabled={create.isPending}>
        Create dataset
      </button>
    </form>
  );
}

export default function DatasetsPage() {
  const session = useSession();
  const [offset, setOffset] = useState(0);
  const datasets = useDatasets(offset);
  return (
    <main className="page">
      <h1>Datasets</h1>
      {can(session, "dataset.manage") && (
        <section className="card" aria-labelledby="new-dataset">
          <h2 id="new-dataset">New dataset</h2>
          <CreateDataset />
        </section>
      )}
      <section className="card" aria-labelledby="all-datasets">
        <h2 id="all-datasets">All datasets</h2>
        {datasets.isPending ? (
          <Loading what="datasets" />
        ) : datasets.isError ? (
          <ErrorMessage error={datasets.error} />
        ) : !datasets.data.length ? (
          <Empty title="No datasets yet.">A data owner creates one for an approved use case, then uploads records.</Empty>
        ) : (
          <>
            <table>
              <caption className="visually-hidden">Datasets</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Ready version</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {datasets.data.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <Link to={`/datasets/${d.id}`}>{d.name}</Link>
                    </td>
                    <td>{d.owner}</td>
                    <td>{d.ready_version_id ? "yes" : "not yet"}</td>
                    <td>{new Date(d.created_at).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pagination label="Datasets" offset={offset} limit={DATASET_PAGE} count={datasets.data.length} onChange={setOffset} />
          </>
        )}
      </section>
    </main>
  );
}
