// Where the data service's refusals of a label request belong: on the record an assignment named, or at the top.
import { ApiError } from "@/lib/errors";

export interface Assignment {
  index: number;
  label: string;
}

/** The service names a refused assignment by its place in the request: `labels[3].index` (or `labels.3.label`). */
const ASSIGNMENT = /^labels(?:\[(\d+)\]|\.(\d+))(?:\.\w+)?$/;

/** Errors by record index (via the assignment's place in the request `sent`), and the rest in words. */
export function placeErrors(error: unknown, sent: readonly Assignment[]): { byRecord: Map<number, string>; general: string[] } {
  const byRecord = new Map<number, string>();
  const general: string[] = [];
  if (error instanceof ApiError) {
    for (const e of error.fieldErrors) {
      const match = ASSIGNMENT.exec(e.field);
      const assignment = match ? sent[Number(match[1] ?? match[2])] : undefined;
      if (assignment) byRecord.set(assignment.index, e.message);
      else general.push(e.field === "labels" || e.field === "body" ? e.message : `${e.field}: ${e.message}`);
    }
  }
  return { byRecord, general };
}

