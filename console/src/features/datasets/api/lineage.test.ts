import assert from "node:assert/strict";
import { test } from "node:test";
import { derivation, type LineageEntry } from "@/features/datasets/api/lineage";

const entry = (operation: string, operation_details: Record<string, unknown>): LineageEntry => ({
  number: 2,
  id: "v2",
  operation,
  operation_details,
  content_hash: "sha256:abc",
  status: "ready",
  created_by: "olivia",
  created_at: "2026-12-07T10:00:00Z",
});

test("each operation says how its version was derived, from the details the data service records", () => {
  assert.equal(derivation(entry("upload", { options: {} })), "Uploaded, validated and scanned");
  assert.equal(
    derivation(entry("redact", { mode: "replace", automatic: true })),
    "Personal data replaced by their kind, automatically by the use case's redaction policy",
  );
  assert.equal(derivation(entry("redact", { from_version: 1, mode: "mask", entities: ["EMAIL_ADDRESS"] })), "Personal data (EMAIL_ADDRESS) masked from v1");
  assert.equal(derivation(entry("dedup", { from_version: 3, near_threshold: 0.9 })), "Duplicates removed from v3 (near duplicates at similarity 0.9)");
  assert.equal(derivation(entry("label", { from_version: 2, labelled: 12, keep_unlabelled: false })), "12 records labelled from v2, unlabelled records dropped");
  assert.equal(
    derivation(entry("split", { from_version: 2, ratios: { train: 0.8, validation: 0.2 }, seed: 42, stratified: true })),
    "Split again from v2: train 80%, validation 20%, stratified by label, seed 42",
  );
  assert.equal(derivation(entry("rollback", { to_version: 1 })), "Restores v1");
  assert.equal(derivation(entry("merge", { from_version: 1 })), "merge from v1");
});
