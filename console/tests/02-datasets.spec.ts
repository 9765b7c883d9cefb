// The data owner's part: a dataset for the approved use case, a malformed upload whose report names the bad line,
// then an upload with planted personal data that the scan finds and a redaction removes.
import { expect, test } from "./fixtures";

const LABELS = ["hydraulic", "electrical", "mechanical"];

function records(): string {
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    const label = LABELS[i % 3];
    let text = `PRESS-${String(i).padStart(2, "0")} ${label} fault reported on shift ${i % 3}, unit checked and logged`;
    // Planted personal data: a technician's e-mail address and phone number in a few entries.
    if (i % 10 === 0) text += `; call jane.doe${i}@plant.example or +1 415 555 01${String(i).padStart(2, "0")}`;
    lines.push(JSON.stringify({ text, label }));
  }
  return lines.join("\n") + "\n";
}

test.describe.serial("the data owner's dataset", () => {
  test("a malformed line is named in the upload's validation report", async ({ page, signIn }) => {
    await signIn("owner");
    await page.getByRole("link", { name: "Datasets" }).click();
    await expect(page.getByRole("heading", { name: "Datasets", exact: true })).toBeVisible();
    await page.getByLabel("Dataset name").fill("maintenance logs");
    await page.getByRole("button", { name: "Create dataset" }).click();
    await expect(page.getByRole("heading", { name: "maintenance logs" })).toBeVisible();
    await page.getByLabel(/Drop a JSONL/).setInputFiles({
      name: "broken.jsonl",
      mimeType: "application/json",
      buffer: Buffer.from('{"text": "fine line", "label": "hydraulic"}\n{"text": broken\n'),
    });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    const uploaded = page.getByRole("table", { name: "Versions, oldest first" }).getByRole("row").filter({ hasText: "upload" });
    await expect(uploaded).toBeVisible({ timeout: 240_000 });
    await uploaded.getByRole("button").click();
    await expect(page.getByRole("table", { name: "Errors, in file order" })).toContainText("line 2");
  });

  test("planted personal data is found, and the use case's policy redacts it into a new version", async ({ page, signIn, checkAccessible, snap }) => {
    await signIn("owner");
    await page.getByRole("link", { name: "Datasets" }).click();
    await page.getByRole("link", { name: "maintenance logs" }).click();
    await page.getByLabel(/Drop a JSONL/).setInputFiles({ name: "logs.jsonl", mimeType: "application/json", buffer: Buffer.from(records()) });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    // The wizard chose "replace" redaction: the upload's own version keeps the findings, a redacted one follows.
    const versions = page.getByRole("table", { name: "Versions, oldest first" });
    const uploaded = versions.getByRole("row").filter({ hasText: "upload" }).last();
    const redacted = versions.getByRole("row").filter({ hasText: "redact" }).last();
    await expect(redacted).toBeVisible({ timeout: 240_000 });
    await uploaded.getByRole("button").click();
    const findings = page.getByRole("table", { name: "Personal data found (examples masked)" });
    await expect(findings).toContainText(/EMAIL/i);
    await expect(findings).not.toContainText("jane.doe10@plant.example"); // examples are masked, never raw
    await expect(page.getByText("Found in 6 of 60 records.")).toBeVisible(); // every tenth record was planted
    await checkAccessible("dataset with PII findings");
    await snap("dataset-pii-found");
    await redacted.getByRole("button").click();
    await expect(page.getByText("no personal data left")).toBeVisible();
    await expect(page.locator(".records")).toContainText("PRESS-00");
    await expect(page.locator(".records")).not.toContainText("@plant.example");
    await checkAccessible("redacted dataset");
    await snap("dataset-redacted");
  });
});
