// One model: versions and their stages, the model card, the deployment (deploy, canary weight, promote, rollback —
// each confirmed), inference keys (shown once, revocable), a playground that chats with the served model, and for
// an admin the model's governance policy (review rules, prompt logging, automatic rollback).
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { Badge } from "@/components/ui/Badge";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { CheckboxField, SelectField, TextArea, TextField } from "@/components/ui/Field";
import { Empty, ErrorMessage, Loading, Notice } from "@/components/ui/Feedback";
import {
  chat,
  useCard,
  useCreateKey,
  useDeployment,
  useDeploymentAction,
  useKeys,
  useModel,
  useReviewVersion,
  useRevokeKey,
  useSetPolicy,
  useTransition,
  useVersions,
  type ChatMessage,
  type CreatedKey,
  type Deployment,
  type Model,
  type Version,
} from "@/features/registry/api/queries";
import { useSession } from "@/lib/auth";
import { fieldErrorMap } from "@/lib/errors";
import { can } from "@/lib/permissions";

const STAGE_TONE: Record<string, "neutral" | "good" | "warn" | "bad"> = {
  production: "good",
  staging: "warn",
  evaluation: "neutral",
  training: "neutral",
  deprecated: "bad",
  archived: "neutral",
};
const STAGES = ["evaluation", "staging", "production", "deprecated", "archived"];

function Versions({ name, versions, selected, onSelect }: { name: string; versions: Version[]; selected: number | null; onSelect: (v: number) => void }) {
  const session = useSession();
  const transition = useTransition(name);
  const [stage, setStage] = useState("staging");
  const [reason, setReason] = useState("");
  const current = versions.find((v) => v.version === selected);
  return (
    <>
      <table>
        <caption className="visually-hidden">Versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Stage</th>
            <th scope="col">Method</th>
            <th scope="col">Evaluation</th>
            <th scope="col">Registered</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.id} aria-current={v.version === selected ? "true" : undefined}>
              <td>
                <button type="button" className="link" onClick={() => onSelect(v.version)}>{`v${v.version}`}</button>
              </td>
              <td>
                <Badge tone={STAGE_TONE[v.stage] ?? "neutral"}>{v.stage}</Badge>
              </td>
              <td>{v.method}</td>
              <td>{v.evaluation_id ? <Link to={`/evaluations/${v.evaluation_id}`}>{`evaluation ${v.evaluation_id.slice(0, 8)}`}</Link> : "—"}</td>
              <td>{new Date(v.created_at).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {current && can(session, "model.deploy") && (
        <div className="row">
          <SelectField label={`Move v${current.version} to stage`} value={stage} onChange={(e) => setStage(e.target.value)} options={STAGES} />
          <TextField label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} error={fieldErrorMap(transition.error).reason} />
          <ConfirmButton
            title={`Move v${current.version} to ${stage}?`}
            body={`Version ${current.version} leaves ${current.stage}; the registry checks the lifecycle rules and records the reason.`}
            confirmLabel="Move version"
            disabled={transition.isPending || stage === current.stage}
            onConfirm={() => transition.mutate({ version: current.version, stage, reason })}
          >
            Change stage
          </ConfirmButton>
        </div>
      )}
      {transition.error ? <ErrorMessage error={transition.error} /> : null}
      {current && can(session, "model.review") && <ReviewVersion name={name} version={current} />}
    </>
  );
}

/** A reviewer's sign-off on a version (the registry's policy decides which promotions need one). */
function ReviewVersion({ name, version }: { name: string; version: Version }) {
  const review = useReviewVersion(name);
  const [comment, setComment] = useState("");
  const decide = (approved: boolean) => review.mutate({ version: version.version, approved, comment });
  return (
    <div>
      <h3>{`Review v${version.version}`}</h3>
      {version.review && <p className="hint">{`Current review: ${JSON.stringify(version.review)}`}</p>}
      <TextArea label={`Comment on v${version.version}`} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} error={fieldErrorMap(review.error).comment} />
      <div className="actions">
        <button type="button" className="primary" disabled={review.isPending} onClick={() => decide(true)}>
          {`Approve v${version.version}`}
        </button>
        <ConfirmButton
          className="danger"
          title={`Reject v${version.version}?`}
          body="The version is not released; the comment tells the ML engineer why."
          confirmLabel="Reject version"
          disabled={review.isPending}
          onConfirm={() => decide(false)}
        >
          {`Reject v${version.version}`}
        </ConfirmButton>
      </div>
      {review.error && !fieldErrorMap(review.error).comment ? <ErrorMessage error={review.error} /> : null}
      {review.isSuccess && <Notice>{`Review of v${version.version} recorded.`}</Notice>}
    </div>
  );
}

function Card({ name, version }: { name: string; version: number | null }) {
  const card = useCard(name, version);
  if (version == null) return <Empty title="Choose a version to read its card." />;
  if (card.isPending) return <Loading what="the model card" />;
  if (card.isError) return <ErrorMessage error={card.error} />;
  return <pre>{card.data}</pre>;
}

function DeploymentPanel({ name, versions, deployment }: { name: string; versions: Version[]; deployment: Deployment | null }) {
  const session = useSession();
  const action = useDeploymentAction(name);
  const [version, setVersion] = useState(String(versions[0]?.version ?? ""));
  const [weight, setWeight] = useState(String(deployment?.canary_weight ?? 0.1));
  const [reason, setReason] = useState("");
  const errors = fieldErrorMap(action.error);
  const mayDeploy = can(session, "model.deploy");
  const mayRollback = can(session, "model.rollback");
  const w = Number(weight);
  return (
    <>
      {deployment ? (
        <dl className="figures">
          <div><dt>Status</dt><dd><Badge tone={deployment.status === "running" || deployment.status === "healthy" ? "good" : "warn"}>{deployment.status}</Badge> {deployment.detail ?? ""}</dd></div>
          <div><dt>Stable version</dt><dd>{deployment.stable_version != null ? `v${deployment.stable_version}` : "—"}</dd></div>
          <div><dt>Canary</dt><dd>{deployment.canary_version != null ? `v${deployment.canary_version} at ${(deployment.canary_weight * 100).toFixed(0)}% of traffic` : "none"}</dd></div>
          <div><dt>Previous version</dt><dd>{deployment.previous_version != null ? `v${deployment.previous_version}` : "—"}</dd></div>
          <div><dt>Endpoint</dt><dd>{deployment.endpoint ?? "—"}</dd></div>
        </dl>
      ) : (
        <Empty title="Not deployed.">{mayDeploy ? "Deploy a version below; with a canary weight it takes that share of traffic." : "An ML engineer deploys a version."}</Empty>
      )}
      {mayDeploy && (
        <div className="row">
          <SelectField label="Version to deploy" value={version} onChange={(e) => setVersion(e.target.value)} options={versions.map((v): [string, string] => [String(v.version), `v${v.version} (${v.stage})`])} error={errors.version} />
          <TextField label="Canary weight" type="number" min={0} max={1} step={0.05} value={weight} onChange={(e) => setWeight(e.target.value)} error={errors.canary_weight} hint="0–1: the share of traffic the canary gets; 0 with no stable version deploys it as stable." />
        </div>
      )}
      <div className="actions">
        {mayDeploy && (
          <ConfirmButton
            title={`Deploy v${version}?`}
            body={deployment?.stable_version != null ? `v${version} starts as a canary taking ${(w * 100).toFixed(0)}% of the traffic of ${name}.` : `v${version} starts serving ${name}.`}
            confirmLabel="Deploy"
            disabled={action.isPending || !version}
            onConfirm={() => action.mutate({ kind: "deploy", version: Number(version), canary_weight: deployment?.stable_version != null ? w : null })}
          >
            Deploy
          </ConfirmButton>
        )}
        {mayDeploy && deployment?.canary_version != null && (
          <>
            <ConfirmButton
              title="Change the canary weight?"
              body={`The canary v${deployment.canary_version} will take ${(w * 100).toFixed(0)}% of the traffic.`}
              confirmLabel="Set weight"
              disabled={action.isPending}
              onConfirm={() => action.mutate({ kind: "weight", canary_weight: w })}
            >
              Set canary weight
            </ConfirmButton>
            <ConfirmButton
              title={`Promote v${deployment.canary_version}?`}
              body={`The canary becomes the stable version and takes all traffic; v${deployment.stable_version ?? "?"} is kept for rollback.`}
              confirmLabel="Promote"
              disabled={action.isPending}
              onConfirm={() => action.mutate({ kind: "promote" })}
            >
              Promote canary
            </ConfirmButton>
          </>
        )}
      </div>
      {mayRollback && deployment && (
        <div className="row">
          <TextField label="Rollback reason" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason} hint="Recorded with the rollback." />
          <ConfirmButton
            className="danger"
            title="Roll back?"
            body="Traffic returns to the previous version at once; the canary (if any) stops taking traffic."
            confirmLabel="Roll back"
            disabled={action.isPending || !reason.trim()}
            onConfirm={() => action.mutate({ kind: "rollback", reason })}
          >
            Roll back
          </ConfirmButton>
        </div>
      )}
      {action.error && !Object.keys(errors).length ? <ErrorMessage error={action.error} /> : null}
      {action.isSuccess && <Notice>{`Deployment ${action.data.status}.`}</Notice>}
    </>
  );
}

/** The model's governance policy, every field with its effective value; an admin changes it (the change is audited). */
function Policy({ model }: { model: Model }) {
  const current = model.policy as Record<string, unknown>;
  const [review, setReview] = useState(Boolean(current.human_review_required));
  const [logPrompts, setLogPrompts] = useState(Boolean(current.log_prompts));
  const [autoRollback, setAutoRollback] = useState(Boolean(current.auto_rollback));
  const [reviewers, setReviewers] = useState(String(current.review_min_reviewers ?? 1));
  const [agreement, setAgreement] = useState(String(current.review_min_agreement ?? 1));
  const save = useSetPolicy(model.name);
  const errors = fieldErrorMap(save.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({
      human_review_required: review,
      log_prompts: logPrompts,
      auto_rollback: autoRollback,
      review_min_reviewers: Number(reviewers),
      review_min_agreement: Number(agreement),
    });
  };
  return (
    <form aria-label="Governance policy" onSubmit={submit} noValidate>
      <CheckboxField label="Human review required before a version serves" checked={review} onChange={(e) => setReview(e.target.checked)} error={errors.human_review_required} />
      <div className="row">
        <TextField label="Reviewers a review needs" type="number" min={1} max={20} step={1} value={reviewers} onChange={(e) => setReviewers(e.target.value)} error={errors.review_min_reviewers} hint="Distinct reviewers, 1–20." />
        <TextField label="Share of them who must approve" type="number" min={0.05} max={1} step={0.05} value={agreement} onChange={(e) => setAgreement(e.target.value)} error={errors.review_min_agreement} hint="Above 0 up to 1 (1: all of them)." />
      </div>
      <CheckboxField label="Keep the prompt text of served requests (drift checks compare it with the training data)" checked={logPrompts} onChange={(e) => setLogPrompts(e.target.checked)} error={errors.log_prompts} />
      <CheckboxField label="Roll back a canary automatically when monitoring raises an alert asking for it" checked={autoRollback} onChange={(e) => setAutoRollback(e.target.checked)} error={errors.auto_rollback} />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save policy
        </button>
      </div>
      {save.error && !Object.keys(errors).length ? <ErrorMessage error={save.error} /> : null}
      {save.isSuccess && !save.isPending && <Notice>Policy saved; the change is in the audit log.</Notice>}
    </form>
  );
}

function Keys({ name, onCreated }: { name: string; onCreated: (key: string) => void }) {
  const keys = useKeys(name, true);
  const create = useCreateKey();
  const revoke = useRevokeKey();
  const [keyName, setKeyName] = useState("");
  const [rpm, setRpm] = useState("60");
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const errors = fieldErrorMap(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: keyName, models: [name], requests_per_minute: Number(rpm) },
      {
        onSuccess: (key) => {
          setCreated(key);
          onCreated(key.key);
          setKeyName("");
        },
      },
    );
  };
  return (
    <>
      <form onSubmit={submit} aria-label="Create an inference key">
        <div className="row">
          <TextField label="Key name" value={keyName} onChange={(e) => setKeyName(e.target.value)} error={errors.name} required />
          <TextField label="Requests per minute" type="number" min={1} value={rpm} onChange={(e) => setRpm(e.target.value)} error={errors.requests_per_minute} />
        </div>
        <button type="submit" className="primary" disabled={!keyName.trim() || create.isPending}>
          Create key
        </button>
        {create.error && !Object.keys(errors).length ? <ErrorMessage error={create.error} /> : null}
      </form>
      {created && (
        <div role="status" className="alert alert-info">
          <p>
            <strong>{`Key ${created.name} — copy it now, it is shown only once:`}</strong>
          </p>
          <p className="secret" aria-label="New inference key">{created.key}</p>
          <button type="button" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        </div>
      )}
      {keys.isPending ? (
        <Loading what="keys" />
      ) : keys.isError ? (
        <ErrorMessage error={keys.error} />
      ) : !keys.data.length ? (
        <Empty title="No inference key for this model yet." />
      ) : (
        <table className="wrapping">
          <caption className="visually-hidden">Inference keys for this model</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Owner</th>
              <th scope="col">Limit</th>
              <th scope="col">State</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.prefix}>
                <td>
                  {k.name} <span className="hint">{`${k.prefix}…`}</span>
                </td>
                <td>{k.owner}</td>
                <td>{`${k.requests_per_minute}/min`}</td>
                <td>{k.revoked_at ? <Badge tone="bad">revoked</Badge> : <Badge tone="good">active</Badge>}</td>
                <td>
                  {!k.revoked_at && (
                    <ConfirmButton
                      className="danger"
                      title={`Revoke key ${k.name}?`}
                      body="Every caller using this key is refused from now on. This cannot be undone."
                      confirmLabel="Revoke"
                      disabled={revoke.isPending}
                      onConfirm={() => revoke.mutate(k.prefix)}
                    >
                      {`Revoke ${k.name}`}
                    </ConfirmButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoke.error ? <ErrorMessage error={revoke.error} /> : null}
    </>
  );
}

function Playground({ name, initialKey }: { name: string; initialKey: string }) {
  const [key, setKey] = useState(initialKey);
  const [prompt, setPrompt] = useState("");
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (initialKey && !key) setKey(initialKey);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const next: ChatMessage[] = [...messages, { role: "user", content: prompt }];
    setMessages(next);
    setPrompt("");
    setBusy(true);
    setError(null);
    try {
      const answer = await chat(name, key, next);
      setMessages([...next, { role: "assistant", content: answer }]);
    } catch (exc) {
      setError(exc);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void send(e)} aria-label="Chat with the served model">
      <TextField label="Inference key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} hint="A key scoped to this model; kept on this page only." />
      {messages.length > 0 && (
        <ol className="chat" aria-live="polite">
          {messages.map((m, i) => (
            <li key={i}>
              <strong>{m.role === "user" ? "You" : name}</strong>
              <div className="output">{m.content}</div>
            </li>
          ))}
        </ol>
      )}
      <TextArea label="Message" rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      <div className="actions">
        <button type="submit" className="primary" disabled={!key || !prompt.trim() || busy}>
          {busy ? "Waiting for the model…" : "Send"}
        </button>
        {messages.length > 0 && (
          <button type="button" onClick={() => setMessages([])}>
            Clear the conversation
          </button>
        )}
      </div>
      {error ? <ErrorMessage error={error} /> : null}
    </form>
  );
}

export default function ModelPage() {
  const { name = "" } = useParams();
  const session = useSession();
  const model = useModel(name);
  const versions = useVersions(name);
  const deployment = useDeployment(name);
  const [selected, setSelected] = useState<number | null>(null);
  const [newKey, setNewKey] = useState("");
  if (model.isPending) return <main className="page"><Loading what="the model" /></main>;
  if (model.isError)
    return (
      <main className="page">
        <h1>Model</h1>
        <ErrorMessage error={model.error} action={<Link to="/models">Back to models</Link>} />
      </main>
    );
  const list = [...(versions.data ?? [])].sort((a, b) => b.version - a.version);
  const chosen = selected ?? model.data.production_version ?? list[0]?.version ?? null;
  return (
    <main className="page">
      <h1>{model.data.name}</h1>
      <p className="hint">{`${model.data.task_type} · ${model.data.base_model} · owned by ${model.data.owner}`}</p>
      <div className="grid">
        <section className="card" aria-labelledby="versions">
          <h2 id="versions">Versions and stages</h2>
          {versions.isPending ? <Loading what="versions" /> : versions.isError ? <ErrorMessage error={versions.error} /> : !list.length ? <Empty title="No version yet." /> : <Versions name={name} versions={list} selected={chosen} onSelect={setSelected} />}
        </section>
        <section className="card" aria-labelledby="deployment">
          <h2 id="deployment">Deployment</h2>
          {deployment.isPending ? <Loading what="the deployment" /> : deployment.isError ? <ErrorMessage error={deployment.error} /> : <DeploymentPanel name={name} versions={list} deployment={deployment.data} />}
        </section>
        <section className="card" aria-labelledby="card">
          <h2 id="card">{chosen != null ? `Model card of v${chosen}` : "Model card"}</h2>
          <Card name={name} version={chosen} />
        </section>
        {can(session, "model.deploy") && (
          <section className="card" aria-labelledby="keys">
            <h2 id="keys">Inference keys</h2>
            <Keys name={name} onCreated={setNewKey} />
          </section>
        )}
        {can(session, "model.policy") && (
          <section className="card" aria-labelledby="policy">
            <h2 id="policy">Governance policy</h2>
            <Policy model={model.data} />
          </section>
        )}
        <section className="card" aria-labelledby="playground">
          <h2 id="playground">Playground</h2>
          {deployment.data ? <Playground name={name} initialKey={newKey} /> : <Empty title="Deploy a version to chat with it." />}
        </section>
      </div>
    </main>
  );
}
