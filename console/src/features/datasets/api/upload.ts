// Chunked, resumable upload: start, send parts (each retried), complete. A failed upload keeps its id, so
// "resume" asks the service which part it needs next and carries on from there.
import { data } from "@/api/data";
import type { components } from "@/api/generated/data";
import { unwrap } from "@/lib/api";
import { serviceUrl } from "@/lib/config";
import { apiErrorFrom, ApiError } from "@/lib/errors";
import { getSession } from "@/lib/session";

export const PART_BYTES = 4 * 1024 * 1024;

export interface UploadProgress {
  uploadId: string;
  sent: number;
  total: number;
}

async function putPart(datasetId: string, uploadId: string, number: number, chunk: Blob): Promise<void> {
  const url = `${serviceUrl("data")}/datasets/${datasetId}/uploads/${uploadId}/parts/${number}`;
  let last: unknown = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const response = await fetch(url, {
        method: "PUT",
        headers: { Authorization: `Bearer ${getSession()?.token ?? ""}`, "Content-Type": "application/octet-stream" },
        body: chunk,
      });
      if (response.ok) return;
      const error = apiErrorFrom(response.status, await response.json().catch(() => null));
      if (response.status < 500) throw error; // the service refused this part: retrying will not help
      last = error;
    } catch (exc) {
      if (exc instanceof ApiError && exc.status < 500) throw exc;
      last = exc;
    }
  }
  throw last instanceof ApiError ? last : new ApiError(0, String(last));
}

export async function uploadFile(
  datasetId: string,
  file: File,
  onProgress: (p: UploadProgress) => void,
  resumeId: string | null = null,
) {
  const path = { params: { path: { dataset_id: datasetId } } };
  let uploadId = resumeId;
  let nextPart = 1;
  if (uploadId) {
    const state = await unwrap(data().GET("/datasets/{dataset_id}/uploads/{upload_id}", { params: { path: { dataset_id: datasetId, upload_id: uploadId } } }));
    nextPart = state.next_part;
  } else {
    uploadId = (await unwrap(data().POST("/datasets/{dataset_id}/uploads", { ...path, body: { filename: file.name, stratified: true } }))).id;
  }
  const parts = Math.max(1, Math.ceil(file.size / PART_BYTES));
  for (let number = nextPart; number <= parts; number++) {
    onProgress({ uploadId, sent: (number - 1) * PART_BYTES, total: file.size });
    await putPart(datasetId, uploadId, number, file.slice((number - 1) * PART_BYTES, number * PART_BYTES));
  }
  onProgress({ uploadId, sent: file.size, total: file.size });
  // 201: processed now (small files); 202: queued for the data worker (the version appears when it is done).
  const accepted = await unwrap(
    data().POST("/datasets/{dataset_id}/uploads/{upload_id}/complete", { params: { path: { dataset_id: datasetId, upload_id: uploadId } } }),
  );
  return accepted as components["schemas"]["UploadAccepted"];
}
