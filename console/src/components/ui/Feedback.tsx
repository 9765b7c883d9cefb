// Error, empty and loading states that say what happened and what to do next.
import type { ReactNode } from "react";
import { ApiError } from "@/lib/errors";

export function ErrorMessage({ error, action }: { error: unknown; action?: ReactNode }) {
  const text = error instanceof ApiError ? error.headline : error instanceof Error ? error.message : String(error);
  return (
    <div role="alert" className="alert alert-error">
      <p>{text}</p>
      {action}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="alert alert-info">
      {children}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" aria-live="polite" className="loading">
      Loading {what}…
    </p>
  );
}
