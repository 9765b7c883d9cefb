// Live job progress over the training service's event stream, read with fetch (the bearer token goes in the
// Authorization header, which EventSource cannot send). Each event is folded into the query cache, so the job page
// renders from one place whether the stream or polling feeds it; when the stream fails the page polls instead.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { components } from "@/api/generated/training";
import { appendPoint, TERMINAL, withPhase, withPoint, withStatus, type PhaseData, type StatusData } from "@/features/training/api/live";
import { isFinished, useJob, useJobMetrics } from "@/features/training/api/queries";
import { serviceUrl } from "@/lib/config";
import { apiErrorFrom } from "@/lib/errors";
import { getSession, setSession } from "@/lib/session";
import { openEventStream, type StreamError } from "@/lib/sse";

type Job = components["schemas"]["JobResponse"];
type MetricPoint = components["schemas"]["MetricPoint"];

/** off: nothing to follow (the job has ended); polling: the stream failed and the page asks every two seconds. */
export type LiveMode = "off" | "connecting" | "streaming" | "reconnecting" | "polling";

export interface Live {
  mode: LiveMode;
  /** Why the page polls, when it does. */
  reason: string | null;
}

/** The job and its loss curve, followed live while the job runs. */
export function useLiveJob(id: string) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<Live>({ mode: "off", reason: null });
  // Until the stream answers, and when it has failed, the page polls.
  const polling = state.mode === "polling" || state.mode === "reconnecting";
  const job = useJob(id, polling);
  const live = !!job.data && !isFinished(job.data);
  const metrics = useJobMetrics(id, { enabled: !!job.data && (!live || polling), poll: live && polling });

  useEffect(() => {
    if (!live || !id) {
      setState({ mode: "off", reason: null });
      return;
    }
    const jobKey = ["training", "job", id];
    const metricsKey = ["training", "job", id, "metrics"];
    // The first connection replays the whole curve; a reconnection (Last-Event-ID) only the points after it.
    let points: MetricPoint[] = [];
    let flushing = false;
    const flush = () => {
      if (flushing) return;
      flushing = true;
      queueMicrotask(() => {
        flushing = false;
        queryClient.setQueryData(metricsKey, points);
      });
    };
    const updateJob = (change: (job: Job) => Job) => queryClient.setQueryData<Job>(jobKey, (job) => (job ? change(job) : job));

    setState({ mode: "connecting", reason: null });
    const stream = openEventStream({
      url: `${serviceUrl("training")}/jobs/${encodeURIComponent(id)}/stream`,
      headers: (): Record<string, string> => {
        const session = getSession();
        return session ? { Authorization: `Bearer ${session.token}` } : {};
      },
      onEvent: (event) => {
        if (event.event === "progress") {
          const point = JSON.parse(event.data) as MetricPoint;
          points = appendPoint(points, point);
          updateJob((job) => withPoint(job, point));
          flush();
        } else if (event.event === "phase") {
          updateJob((job) => withPhase(job, JSON.parse(event.data) as PhaseData));
          flush(); // the first phase closes the replay: a job with no point yet shows its empty curve
        } else if (event.event === "status") {
          const status = JSON.parse(event.data) as StatusData;
          updateJob((job) => withStatus(job, status));
          flush();
          // A status change may bring what the stream does not carry (worker, failure reason, checkpoint, duration).
          void queryClient.invalidateQueries({ queryKey: jobKey, exact: true });
          if (TERMINAL.has(status.status)) stream.close();
        }
      },
      onState: (next, error) => {
        if (next === "open") setState({ mode: "streaming", reason: null });
        else if (next === "retrying") setState((s) => ({ mode: s.mode === "polling" ? "polling" : "reconnecting", reason: null }));
        else if (next === "failed") {
          // A token the service no longer accepts ends the session, as every other call does (lib/api.ts).
          if (error?.status === 401 && getSession()) setSession(null, "Your session has ended. Sign in again.");
          setState({ mode: "polling", reason: error ? reasonOf(error) : "the stream failed" });
        }
      },
    });
    return () => stream.close();
  }, [id, live, queryClient]);

  return { job, metrics, live: state };
}

/** The service's own words when it refused (its JSON error body), else what the connection said. */
function reasonOf(error: StreamError): string {
  if (error.status <= 0) return error.message;
  let body: unknown = error.message;
  try {
    body = JSON.parse(error.message);
  } catch {
    // not JSON: the text itself
  }
  return apiErrorFrom(error.status, body).headline;
}
