// What each role may do, mirroring the services' own checks so the UI offers only what will be allowed.
// The services stay the authority: a 403 they send is still shown (see lib/errors.ts).
import type { Role, Session } from "@/lib/session";

export type Capability =
  | "usecase.create"
  | "usecase.review"
  | "dataset.manage"
  | "training.run"
  | "evaluation.rate"
  | "model.deploy"
  | "model.rollback"
  | "model.review"
  | "model.policy"
  | "alert.handle";

const RULES: Record<Capability, readonly Role[]> = {
  "usecase.create": ["data_owner", "ml_engineer", "reviewer", "sre"],
  "usecase.review": ["reviewer"],
  "dataset.manage": ["data_owner"],
  "training.run": ["ml_engineer"],
  "evaluation.rate": ["reviewer"],
  "model.deploy": ["ml_engineer"], // deploy, canary weight, promote, stage transitions, inference keys
  "model.rollback": ["ml_engineer", "sre"],
  "model.review": ["reviewer"],
  "model.policy": [], // governance (review rules, prompt logging, auto-rollback): admins only
  "alert.handle": ["sre", "ml_engineer"],
};

export function can(session: Session | null, capability: Capability): boolean {
  if (!session) return false;
  if (session.roles.includes("admin")) return true;
  return RULES[capability].some((role) => session.roles.includes(role));
}
