// Labeling one version: its records in a table or one at a time, each given a label from the use case's label set;
// the drafted labels become a new version (confirmed first), validated like an upload — the version itself never
// changes. A label the data service refuses is shown on its record.
import { useState, type ReactNode } from "react";
import { Link, useParams } from "react-router-dom";
import type { components } from "@/api/generated/data";
import { Badge } from "@/components/ui/Badge";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { CheckboxField } from "@/components/ui/Field";
import { Empty, ErrorMessage, Loading, Notice } from "@/components/ui/Feedback";
import { Pagination } from "@/components/ui/Pagination";
import { LABELLABLE } from "@/features/datasets/api/lineage";
import { placeErrors } from "@/features/datasets/api/labels";
import { useApplyLabels, useDataset, usePreview, useVersion, type LabelAssignment } from "@/features/datasets/api/queries";
import { ApiError } from "@/lib/errors";

type Version = components["schemas"]["VersionOut"];
type Record_ = { text?: unknown; label?: unknown };

const PAGE = 20;

function textOf(record: Record_): string {
  return typeof record.text === "string" ? record.text : JSON.stringify(record);
}

function currentLabel(record: Record_): string {
  return typeof record.label === "string" ? record.label : "";
}

function LabelSelect({
  index,
  labels,
  value,
  current,
  error,
  onChange,
}: {
  index: number;
  labels: string[];
  value: string;
  current: string;
  error?: string;
  onChange: (label: string) => void;
}) {
  const id = `record-${index}-label`;
  return (
    <div className="field">
      <select
        id={id}
        aria-label={`Label for record ${index + 1}`}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">{current ? `Keep ${current}` : "No label"}</option>
        {labels.map((label) => (
          <option key={label} value={label}>
            {label}
          </option>
        ))}
      </select>
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

function Labeler({ datasetId, version, labels }: { datasetId: string; version: Version; labels: string[] }) {
  const [view, setView] = useState<"table" | "single">("table");
  const [offset, setOffset] = useState(0);
  const [cursor, setCursor] = useState(0);
  const [draft, setDraft] = useState<Map<number, string>>(new Map());
  const [keepUnlabelled, setKeepUnlabelled] = useState(true);
  const [sent, setSent] = useState<LabelAssignment[]>([]);
  const apply = useApplyLabels(datasetId, version.number);
  const pageOffset = view === "table" ? offset : Math.floor(cursor / PAGE) * PAGE;
  const records = usePreview(datasetId, version.number, pageOffset, PAGE);
  const { byRecord, general } = placeErrors(apply.error, sent);

  const choose = (index: number, label: string) => {
    const next = new Map(draft);
    if (label) next.set(index, label);
    else next.delete(index);
    setDraft(next);
  };
  const submit = () => {
    const assignments = [...draft].sort(([a], [b]) => a - b).map(([index, label]) => ({ index, label }));
    setSent(assignments);
    apply.mutate({ labels: assignments, keep_unlabelled: keepUnlabelled }, { onSuccess: () => setDraft(new Map()) });
  };
  const showView = (next: "table" | "single") => {
    if (next === view) return;
    if (next === "single") setCursor(offset);
    else setOffset(Math.floor(cursor / PAGE) * PAGE);
    setView(next);
  };

  let body;
  if (records.isPending) body = <Loading what="records" />;
  else if (records.isError) body = <ErrorMessage error={records.error} />;
  else if (!records.data.records.length) body = <Empty title="No records in this version." />;
  else if (view === "table") {
    const rows = records.data.records as Record_[];
    const first = records.data.offset; // the previous page stays on screen while the next one loads
    body = (
      <>
        <table>
          <caption>{`Records ${first + 1}–${first + rows.length} of ${version.record_count}`}</caption>
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Text</th>
              <th scope="col">Current label</th>
              <th scope="col">New label</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((record, i) => {
              const index = first + i;
              return (
                <tr key={index}>
                  <td>{index + 1}</td>
                  <td className="record-text">{textOf(record)}</td>
                  <td>{currentLabel(record) || "—"}</td>
                  <td>
                    <LabelSelect
                      index={index}
                      labels={labels}
                      value={draft.get(index) ?? ""}
                      current={currentLabel(record)}
                      error={byRecord.get(index)}
                      onChange={(label) => choose(index, label)}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <Pagination label="Records" offset={offset} limit={PAGE} total={version.record_count} count={rows.length} onChange={setOffset} />
      </>
    );
  } else {
    const at = cursor - records.data.offset;
    const record = at >= 0 && at < records.data.records.length ? (records.data.records[at] as Record_) : undefined;
    const current = record ? currentLabel(record) : "";
    const error = byRecord.get(cursor);
    body = !record ? (
      records.isPlaceholderData ? <Loading what={`record ${cursor + 1}`} /> : <Empty title={`Record ${cursor + 1} is not in this version.`} />
    ) : (
      <div>
        <h2>{`Record ${cursor + 1} of ${version.record_count}`}</h2>
        <blockquote className="output record-text">{textOf(record)}</blockquote>
        <p>Current label: {current || "none"}</p>
        <fieldset aria-describedby={error ? "single-label-error" : undefined}>
          <legend>{`Label for record ${cursor + 1}`}</legend>
          <div className="label-choices">
            {["", ...labels].map((label, i) => (
              <div className="field checkbox" key={label || "keep"}>
                <input
                  type="radio"
                  id={`single-label-${i}`}
                  name="single-label"
                  checked={(draft.get(cursor) ?? "") === label}
                  onChange={() => choose(cursor, label)}
                />
                <label htmlFor={`single-label-${i}`}>{label || (current ? `Keep ${current}` : "No label")}</label>
              </div>
            ))}
          </div>
          {error && (
            <span id="single-label-error" className="field-error">
              {error}
            </span>
          )}
        </fieldset>
        <div className="actions">
          <button type="button" disabled={cursor === 0} onClick={() => setCursor(cursor - 1)}>
            Previous record
          </button>
          <button type="button" disabled={cursor + 1 >= version.record_count} onClick={() => setCursor(cursor + 1)}>
            Next record
          </button>
        </div>
      </div>
    );
  }

  const elsewhere = [...byRecord].filter(([index]) => index < pageOffset || index >= pageOffset + PAGE || (view === "single" && index !== cursor));
  return (
    <>
      {apply.error && (!(apply.error instanceof ApiError) || !apply.error.fieldErrors.length || general.length) ? (
        <ErrorMessage error={general.length ? new ApiError(422, general.join("; ")) : apply.error} />
      ) : null}
      {byRecord.size > 0 && (
        <div role="alert" className="alert alert-error">
          <p>The data service refused some labels; they are marked on their records.</p>
          {elsewhere.length > 0 && (
            <ul>
              {elsewhere.map(([index, message]) => (
                <li key={index}>
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      setCursor(index);
                      setOffset(Math.floor(index / PAGE) * PAGE);
                    }}
                  >{`Record ${index + 1}`}</button>
                  {`: ${message}`}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {apply.isSuccess && (
        <Notice>
          <p>
            {`Version v${apply.data.number} made with ${sent.length} labels applied: `}
            <Badge tone={apply.data.status === "ready" ? "good" : apply.data.status === "rejected" ? "bad" : "neutral"}>{apply.data.status}</Badge>
            {apply.data.rejection_reasons.length > 0 && ` (${apply.data.rejection_reasons.join("; ")})`}
          </p>
          <Link to={`/datasets/${datasetId}`}>Back to the dataset and its versions</Link>
        </Notice>
      )}
      <div role="group" aria-label="Show the records" className="actions">
        <button type="button" aria-pressed={view === "table"} onClick={() => showView("table")}>
          Table
        </button>
        <button type="button" aria-pressed={view === "single"} onClick={() => showView("single")}>
          One by one
        </button>
      </div>
      {body}
      <section className="card" aria-labelledby="new-version">
        <h2 id="new-version">New version</h2>
        <p>{draft.size === 1 ? "1 label drafted." : `${draft.size} labels drafted.`}</p>
        <CheckboxField
          label="Keep records without a label"
          checked={keepUnlabelled}
          onChange={(e) => setKeepUnlabelled(e.target.checked)}
        />
        <div className="actions">
          <ConfirmButton
            className="primary"
            title="Create a labelled version?"
            body={`A new version is made from v${version.number} with ${draft.size} labels applied${keepUnlabelled ? "" : ", and records without a label are dropped"}. It is validated like an upload; v${version.number} stays as it is.`}
            confirmLabel="Create version"
            disabled={!draft.size || apply.isPending}
            onConfirm={submit}
          >
            {apply.isPending ? "Creating…" : "Create labelled version"}
          </ConfirmButton>
          <button type="button" disabled={!draft.size || apply.isPending} onClick={() => setDraft(new Map())}>
            Discard drafted labels
          </button>
        </div>
      </section>
    </>
  );
}

export default function LabelPage() {
  const { id = "", number: raw = "" } = useParams();
  const number = Number(raw);
  const valid = Number.isInteger(number) && number >= 1;
  const dataset = useDataset(id);
  const version = useVersion(id, number, valid);
  const back = <Link to={`/datasets/${id}`}>Back to the dataset</Link>;
  const page = (content: ReactNode) => (
    <main className="page">
      <h1>{dataset.data ? `Label v${raw} of ${dataset.data.name}` : `Label v${raw}`}</h1>
      {content}
    </main>
  );
  if (!valid) return page(<ErrorMessage error={new Error(`"${raw}" is not a version number.`)} action={back} />);
  if (dataset.isPending || version.isPending) return page(<Loading what="the version" />);
  if (dataset.isError) return page(<ErrorMessage error={dataset.error} action={back} />);
  if (version.isError) return page(<ErrorMessage error={version.error} action={back} />);
  const v = version.data;
  if (!LABELLABLE.has(v.record_format))
    return page(
      <Notice>
        <p>{`Labels apply to text or classification records; v${v.number} holds ${v.record_format} records.`}</p>
        {back}
      </Notice>,
    );
  const labels = v.prompt_template?.labels?.length ? v.prompt_template.labels : v.labels;
  if (!labels.length)
    return page(
      <Empty title="The use case declares no labels.">
        <p>Labels come from the use case's intake form (its label set); once it names them, records can be labelled here. {back}</p>
      </Empty>,
    );
  return page(
    <>
      <p>
        {`${v.record_count} records, ${v.record_format}. Labels of the use case: ${labels.join(", ")}. `}
        {back}
      </p>
      <Labeler datasetId={id} version={v} labels={labels} />
    </>,
  );
}
