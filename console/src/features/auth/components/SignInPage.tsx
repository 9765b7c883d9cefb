// Development: pick a person and roles (the dev issuer, this machine only). Production: the organisation's
// identity provider (OpenID Connect, code + PKCE).
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import { CheckboxField, Fieldset, TextField } from "@/components/ui/Field";
import { ErrorMessage, Notice } from "@/components/ui/Feedback";
import { devSignIn, startOidcSignIn } from "@/lib/auth";
import { config } from "@/lib/config";
import { ROLES, sessionNotice, type Role } from "@/lib/session";

const PEOPLE: { subject: string; roles: Role[]; what: string }[] = [
  { subject: "olivia.owner@plant.example", roles: ["data_owner"], what: "business owner, writes use cases, owns data" },
  { subject: "rey.reviewer@plant.example", roles: ["reviewer"], what: "approves use cases, rates outputs blind" },
  { subject: "mia.engineer@plant.example", roles: ["ml_engineer"], what: "trains, evaluates and deploys" },
  { subject: "sam.sre@plant.example", roles: ["sre"], what: "watches latency, cost and drift" },
  { subject: "vic.viewer@plant.example", roles: ["viewer"], what: "reads the team's work, changes nothing" },
  { subject: "ada.admin@plant.example", roles: ["admin"], what: "every role, every team" },
];

const DEFAULT_TEAM = "plant-ops";

export function SignInPage({ next }: { next: string }) {
  const mode = config().signIn.mode;
  const notice = sessionNotice();
  return (
    <main className="page narrow">
      <h1>Sign in to Tuneline</h1>
      {notice && <Notice>{notice}</Notice>}
      {mode === "development" ? <DevSignIn next={next} /> : <OidcSignIn />}
    </main>
  );
}

function OidcSignIn() {
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <p>You sign in with your organisation's account.</p>
      {error ? <ErrorMessage error={error} /> : null}
      <button type="button" className="primary" onClick={() => startOidcSignIn().catch(setError)}>
        Sign in with your organisation
      </button>
    </>
  );
}

function DevSignIn({ next }: { next: string }) {
  const navigate = useNavigate();
  const [subject, setSubject] = useState(PEOPLE[0].subject);
  const [roles, setRoles] = useState<Role[]>(PEOPLE[0].roles);
  // Everything a person sees and changes belongs to their team (admins cross teams): the demo's people share one.
  const [team, setTeam] = useState(DEFAULT_TEAM);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await devSignIn(subject.trim(), roles, team.trim() || null);
      navigate(next === "/auth/callback" ? "/" : next, { replace: true });
    } catch (exc) {
      setError(exc);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-describedby="dev-note">
      <p id="dev-note" className="hint">
        Development sign-in: this stack is its own token issuer and answers only this machine. Pick a person or
        type one, choose roles, and sign in for one hour.
      </p>
      {error ? <ErrorMessage error={error} /> : null}
      <Fieldset legend="People">
        <ul className="people">
          {PEOPLE.map((p) => (
            <li key={p.subject}>
              <button
                type="button"
                aria-pressed={subject === p.subject}
                onClick={() => {
                  setSubject(p.subject);
                  setRoles(p.roles);
                }}
              >
                {p.subject} <span className="hint">— {p.what}</span>
              </button>
            </li>
          ))}
        </ul>
      </Fieldset>
      <TextField label="Person" name="subject" value={subject} required onChange={(e) => setSubject(e.target.value)} />
      <TextField label="Team" name="team" value={team} onChange={(e) => setTeam(e.target.value)} />
      <Fieldset legend="Roles">
        {ROLES.map((role) => (
          <CheckboxField
            key={role}
            label={role}
            checked={roles.includes(role)}
            onChange={(e) => setRoles(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))}
          />
        ))}
      </Fieldset>
      <button type="submit" className="primary" disabled={busy || !roles.length || !subject.trim()}>
        Sign in
      </button>
    </form>
  );
}
