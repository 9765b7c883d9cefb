import assert from "node:assert/strict";
import { test } from "node:test";
import { placeErrors } from "@/features/datasets/api/labels";
import { apiErrorFrom } from "@/lib/errors";

const sent = [
  { index: 4, label: "hydraulic" },
  { index: 17, label: "electrical" },
  { index: 99, label: "mechanical" },
];

test("the service's own refusal of an assignment lands on the record it named", () => {
  // What the data service answers for an index past the end: the field is the assignment's place in the request.
  const error = apiErrorFrom(422, { error: "invalid_input", detail: "record index 99 is out of range", field: "labels[2].index" });
  const { byRecord, general } = placeErrors(error, sent);
  assert.deepEqual([...byRecord], [[99, "record index 99 is out of range"]]);
  assert.deepEqual(general, []);
});

test("FastAPI's validation errors (labels.1.label) land on their records too; the rest stays general", () => {
  const error = apiErrorFrom(422, {
    error: "invalid_input",
    detail: "…",
    errors: [
      { field: "labels.1.label", message: "String should have at most 200 characters" },
      { field: "keep_unlabelled", message: "Input should be a valid boolean" },
      { field: "labels", message: "labels apply to text or classification records, not instruction" },
    ],
  });
  const { byRecord, general } = placeErrors(error, sent);
  assert.deepEqual([...byRecord], [[17, "String should have at most 200 characters"]]);
  assert.deepEqual(general, ["keep_unlabelled: Input should be a valid boolean", "labels apply to text or classification records, not instruction"]);
});

test("an assignment the request did not have, or an error that is not the service's, places nothing on a record", () => {
  assert.equal(placeErrors(apiErrorFrom(422, { detail: "x", field: "labels[7].index" }), sent).byRecord.size, 0);
  assert.deepEqual(placeErrors(new Error("network"), sent), { byRecord: new Map(), general: [] });
});
