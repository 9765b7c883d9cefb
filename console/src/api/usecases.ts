// The use cases people work on in the dataset manager and on the training screen: one query, shared by both.
import { useQuery } from "@tanstack/react-query";
import { intake } from "@/api/intake";
import { unwrap } from "@/lib/api";

/** Approved use cases, those in progress and those already deployed: a served model is retrained, and its data
 * gets new versions, as that data drifts. */
export const WORKABLE_STATUSES = ["approved", "in_progress", "deployed"] as const;

export function useWorkableUseCases() {
  return useQuery({
    queryKey: ["intake", "portfolio", "workable"],
    queryFn: () => unwrap(intake().GET("/usecases", { params: { query: { status: [...WORKABLE_STATUSES], limit: 100 } } })),
  });
}
