// One dataset: upload with progress, then for each immutable version its validation report (with the line of
// every error), quality, PII findings with a redact action, its lineage (how it and its ancestors were made), a
// preview of the records, and for data owners the way to the labeling screen.
import { useState, type DragEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { Badge } from "@/components/ui/Badge";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { SelectField } from "@/components/ui/Field";
import { Empty, ErrorMessage, Loading, Notice } from "@/components/ui/Feedback";
import { Pagination } from "@/components/ui/Pagination";
import { derivation, LABELLABLE } from "@/features/datasets/api/lineage";
import { useDataset, useLineage, usePii, usePreview, useRedact, useReport, useVersions } from "@/features/datasets/api/queries";
import { uploadFile, type UploadProgress } from "@/features/datasets/api/upload";
import { useSession } from "@/lib/auth";
import { can } from "@/lib/permissions";
import { useQueryClient } from "@tanstack/react-query";

type Dict = Record<string, unknown>;

function Upload({ datasetId, onDone }: { datasetId: string; onDone: (version: number) => void }) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);

  async function start(resume: boolean) {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const done = await uploadFile(datasetId, file, setProgress, resume ? progress?.uploadId ?? null : null);
      setProgress(null);
      // Select the new version when the answer names it (201), before the refetch: a version the person picks while
      // the list reloads is never overridden, and a queued upload (202) leaves the selection alone.
      if (done.version) onDone(done.version.number);
      await queryClient.invalidateQueries({ queryKey: ["data", "dataset", datasetId] });
    } catch (exc) {
      setError(exc);
    } finally {
      setBusy(false);
    }
  }

  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (event.dataTransfer.files[0]) setFile(event.dataTransfer.files[0]);
  };
  const percent = progress ? Math.round((100 * progress.sent) / Math.max(1, progress.total)) : 0;
  return (
    <div>
      <div
        className={`dropzone${over ? " over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        <label htmlFor="upload-file">Drop a JSONL, CSV or Parquet file here, or choose one</label>
        <input id="upload-file" type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        {file && <p>{file.name} ({(file.size / 1024).toFixed(1)} KB)</p>}
      </div>
      {error ? (
        <ErrorMessage
          error={error}
          action={progress?.uploadId ? <button type="button" onClick={() => void start(true)}>Resume upload</button> : <p>Fix the file and upload it again.</p>}
        />
      ) : null}
      {busy && (
        <div>
          <label htmlFor="upload-progress">Upload progress</label>
          <progress id="upload-progress" max={100} value={percent}>
            {percent}%
          </progress>
          <span role="status">{percent < 100 ? `${percent}% sent` : "Validating and scanning for personal data…"}</span>
        </div>
      )}
      <button type="button" className="primary" disabled={!file || busy} onClick={() => void start(false)}>
        Upload
      </button>
    </div>
  );
}

function Report({ id, number }: { id: string; number: number }) {
  const report = useReport(id, number);
  if (report.isPending) return <Loading what="the validation report" />;
  if (report.isError) return <ErrorMessage error={report.error} />;
  const r = report.data as Dict;
  const format = r.format as { error_count: number; errors: { location: string; code: string; message: string }[]; warning_count: number };
  const quality = r.quality as Dict | undefined;
  const duplicates = r.duplicates as { exact_count: number; near_count: number } | undefined;
  const completeness = r.completeness as { incomplete_records: number } | undefined;
  return (
    <>
      <p>
        {String(r.valid_records)} of {String(r.records_seen)} records valid · {format.error_count} errors · {format.warning_count} warnings
        {duplicates && <> · {duplicates.exact_count} exact and {duplicates.near_count} near duplicates</>}
        {completeness && <> · {completeness.incomplete_records} incomplete</>}
      </p>
      {format.errors.length > 0 && (
        <table>
          <caption>Errors, in file order</caption>
          <thead>
            <tr>
              <th scope="col">Where</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {format.errors.map((e, i) => (
              <tr key={i}>
                <td>{e.location}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {quality && (
        <details>
          <summary>Quality breakdown</summary>
          <pre>{JSON.stringify(quality, null, 2)}</pre>
        </details>
      )}
    </>
  );
}

function Pii({ id, number, mayRedact }: { id: string; number: number; mayRedact: boolean }) {
  const pii = usePii(id, number);
  const redact = useRedact(id);
  const [mode, setMode] = useState<"replace" | "mask" | "hash">("replace");
  if (pii.isPending) return <Loading what="PII findings" />;
  if (pii.isError) return <ErrorMessage error={pii.error} />;
  const { scanned, remaining, report } = pii.data as { scanned: boolean; remaining: number; report: { method: string; records_with_pii: number; records_scanned: number; entities: Record<string, { count: number; records: number; examples: string[]; example_records: number[] }> } | null };
  if (!scanned || !report) return <Empty title="Not scanned for personal data." />;
  const entities = Object.entries(report.entities);
  return (
    <>
      <p>
        {remaining > 0 ? <Badge tone="bad">{`${remaining} records with personal data`}</Badge> : <Badge tone="good">no personal data left</Badge>}{" "}
        {`Found in ${report.records_with_pii} of ${report.records_scanned} records.`} <span className="hint">({report.method})</span>
      </p>
      {entities.length > 0 && (
        <table>
          <caption>Personal data found (examples masked)</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Occurrences</th>
              <th scope="col">Records</th>
              <th scope="col">Examples</th>
            </tr>
          </thead>
          <tbody>
            {entities.map(([kind, f]) => (
              <tr key={kind}>
                <td>{kind}</td>
                <td>{f.count}</td>
                <td>{f.example_records.join(", ")}{f.records > f.example_records.length ? " …" : ""}</td>
                <td>{f.examples.join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {mayRedact && remaining > 0 && (
        <div className="row">
          <SelectField label="Redaction" options={["replace", "mask", "hash"]} value={mode} onChange={(e) => setMode(e.target.value as typeof mode)} />
          <ConfirmButton
            className="danger"
            title="Redact personal data?"
            body={`A new version is made with every finding ${mode === "replace" ? "replaced by its kind" : mode === "mask" ? "masked" : "hashed"}; this version stays as it is.`}
            confirmLabel="Redact"
            disabled={redact.isPending}
            onConfirm={() => redact.mutate({ number, mode })}
          >
            Redact personal data
          </ConfirmButton>
        </div>
      )}
      {redact.error ? <ErrorMessage error={redact.error} /> : null}
      {redact.isSuccess && <Notice>{`Version ${redact.data.number} made with personal data redacted.`}</Notice>}
    </>
  );
}

function Lineage({ id, number, onSelect }: { id: string; number: number; onSelect: (number: number) => void }) {
  const lineage = useLineage(id, number);
  if (lineage.isPending) return <Loading what="the lineage" />;
  if (lineage.isError) return <ErrorMessage error={lineage.error} />;
  if (!lineage.data.length) return <Empty title="No lineage recorded for this version." />;
  // The service answers newest first; read from the first upload down to this version.
  const chain = [...lineage.data].reverse();
  return (
    <ol className="lineage" aria-label={`How v${number} was made, from its first ancestor`}>
      {chain.map((entry) => (
        <li key={entry.id} aria-current={entry.number === number ? "true" : undefined}>
          <div>
            {entry.number === number ? (
              <strong>{`v${entry.number}`}</strong>
            ) : (
              <button type="button" className="link" onClick={() => onSelect(entry.number)}>
                {`v${entry.number}`}
              </button>
            )}{" "}
            <Badge tone={entry.status === "ready" ? "good" : entry.status === "rejected" ? "bad" : "neutral"}>{entry.status}</Badge>{" "}
            {derivation(entry)}
          </div>
          <span className="hint">
            {`${entry.operation} by ${entry.created_by}, ${new Date(entry.created_at).toLocaleString()} · content ${entry.content_hash.replace(/^sha256:/, "").slice(0, 12)}`}
          </span>
        </li>
      ))}
    </ol>
  );
}

function Preview({ id, number }: { id: string; number: number }) {
  const [offset, setOffset] = useState(0);
  const limit = 10;
  const preview = usePreview(id, number, offset, limit);
  if (preview.isPending) return <Loading what="records" />;
  if (preview.isError) return <ErrorMessage error={preview.error} />;
  if (!preview.data.records.length) return <Empty title="No records in this version." />;
  return (
    <>
      <ol start={offset + 1} className="records">
        {preview.data.records.map((record, i) => (
          <li key={offset + i}>
            <code>{JSON.stringify(record)}</code>
          </li>
        ))}
      </ol>
      <Pagination label="Records" offset={offset} limit={limit} count={preview.data.records.length} onChange={setOffset} />
    </>
  );
}

export default function DatasetPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const dataset = useDataset(id);
  const versions = useVersions(id);
  const [selected, setSelected] = useState<number | null>(null);
  if (dataset.isPending) return <main className="page"><Loading what="the dataset" /></main>;
  if (dataset.isError)
    return (
      <main className="page">
        <h1>Dataset</h1>
        <ErrorMessage error={dataset.error} action={<Link to="/datasets">Back to datasets</Link>} />
      </main>
    );
  const list = versions.data ?? [];
  const number = selected ?? list.at(-1)?.number ?? null;
  const version = list.find((v) => v.number === number);
  const mayChange = can(session, "dataset.manage");
  return (
    <main className="page">
      <h1>{dataset.data.name}</h1>
      <p className="hint">Owned by {dataset.data.owner}</p>
      {mayChange && (
        <section className="card" aria-labelledby="upload">
          <h2 id="upload">Upload a new version</h2>
          <Upload datasetId={id} onDone={setSelected} />
        </section>
      )}
      <section className="card" aria-labelledby="versions">
        <h2 id="versions">Versions</h2>
        {versions.isPending ? <Loading what="versions" /> : versions.isError ? <ErrorMessage error={versions.error} /> : !list.length ? (
          <Empty title="No versions yet.">{mayChange ? "Upload a file above." : "The data owner uploads the first file."}</Empty>
        ) : (
          <table>
            <caption className="visually-hidden">Versions, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Made by</th>
                <th scope="col">Status</th>
                <th scope="col">Records</th>
                <th scope="col">Quality</th>
                <th scope="col">PII left</th>
                <th scope="col">Splits</th>
              </tr>
            </thead>
            <tbody>
              {list.map((v) => (
                <tr key={v.id} aria-current={v.number === number ? "true" : undefined}>
                  <td>
                    <button type="button" className="link" onClick={() => setSelected(v.number)}>
                      {`v${v.number}`}
                    </button>
                  </td>
                  <td>{v.operation}</td>
                  <td>
                    <Badge tone={v.status === "ready" ? "good" : v.status === "rejected" ? "bad" : "neutral"}>{v.status}</Badge>
                    {v.rejection_reasons.length > 0 && <div className="hint">{v.rejection_reasons.join("; ")}</div>}
                  </td>
                  <td>{v.record_count}</td>
                  <td>{v.quality_score.toFixed(0)}</td>
                  <td>{v.remaining_pii}</td>
                  <td>{Object.entries(v.split_counts).map(([k, c]) => `${k} ${String(c)}`).join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {version && number != null && (
        <div className="grid">
          <section className="card" aria-labelledby="report">
            <h2 id="report">{`Validation report of v${number}`}</h2>
            <Report id={id} number={number} />
          </section>
          <section className="card" aria-labelledby="pii">
            <h2 id="pii">{`Personal data in v${number}`}</h2>
            <Pii id={id} number={number} mayRedact={mayChange} />
          </section>
          <section className="card" aria-labelledby="lineage">
            <h2 id="lineage">{`Lineage of v${number}`}</h2>
            <Lineage id={id} number={number} onSelect={setSelected} />
          </section>
          <section className="card" aria-labelledby="preview">
            <h2 id="preview">{`Records of v${number}`}</h2>
            {mayChange && LABELLABLE.has(version.record_format) && (
              <p>
                <Link to={`/datasets/${id}/versions/${number}/labels`}>{`Label the records of v${number}`}</Link>
              </p>
            )}
            <Preview id={id} number={number} />
          </section>
        </div>
      )}
    </main>
  );
}
