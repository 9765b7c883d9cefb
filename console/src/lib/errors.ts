// The services answer errors as {error, detail, field?, errors?: [{field, message}]} (FastAPI's 422 included).
export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(detail);
  }

  /** What a person reads: what went wrong and, where we know it, what to do. */
  get headline(): string {
    if (this.status === 401) return "Your session has ended. Sign in again to continue.";
    if (this.status === 403) return `Your roles do not allow this: ${this.detail}`;
    if (this.status === 404) return `Not found: ${this.detail}`;
    if (this.status === 0) return `The service could not be reached: ${this.detail}`;
    return this.detail;
  }
}

export function apiErrorFrom(status: number, body: unknown): ApiError {
  if (body && typeof body === "object") {
    const b = body as { detail?: unknown; errors?: unknown; field?: unknown };
    const errors = Array.isArray(b.errors)
      ? b.errors
          .filter((e): e is { field: string; message: string } => !!e && typeof e === "object" && "field" in e)
          .map((e) => ({ field: String(e.field), message: String(e.message) }))
      : [];
    if (!errors.length && typeof b.field === "string" && typeof b.detail === "string")
      errors.push({ field: b.field, message: b.detail });
    const detail = typeof b.detail === "string" ? b.detail : JSON.stringify(b.detail ?? body);
    return new ApiError(status, detail, errors);
  }
  return new ApiError(status, typeof body === "string" && body ? body : `HTTP ${status}`);
}

/** Field errors keyed by input name; the services spell list items as `objectives[0].kpis[1].target`. */
export function fieldErrorMap(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const map: Record<string, string> = {};
  for (const e of error.fieldErrors) map[e.field] ??= e.message;
  return map;
}
