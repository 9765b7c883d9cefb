// The data owner's lineage and labeling: how the redacted version came to be, then labels drafted in the table and
// one record at a time, a label the data service refuses shown on its record, and a labelled version created after
// confirming. A viewer reads the lineage but is not offered labeling. Runs last: the new version changes nothing the
// earlier files look at.
import { expect, test } from "./fixtures";

test.describe("lineage and labeling", () => {
  let datasetUrl = "";

  test("the lineage says how each version was made, and labels become a new version", async ({ page, signIn, checkAccessible, snap }) => {
    await signIn("owner");
    await page.getByRole("link", { name: "Datasets" }).click();
    await page.getByRole("link", { name: "maintenance logs" }).click();
    await expect(page.getByRole("heading", { name: "maintenance logs" })).toBeVisible();
    datasetUrl = new URL(page.url()).pathname;

    // The newest version is the automatic redaction of the upload with planted contacts.
    const lineage = page.getByRole("list", { name: /^How v\d+ was made/ });
    await expect(lineage).toContainText("automatically by the use case's redaction policy");
    await expect(lineage.getByRole("listitem").first()).toContainText("Uploaded, validated and scanned");
    await expect(lineage.getByRole("listitem").last()).toContainText("Personal data replaced by their kind");
    await checkAccessible("dataset lineage");
    await snap("dataset-lineage");

    await page.getByRole("link", { name: /^Label the records of v\d+$/ }).click();
    await expect(page.getByRole("heading", { name: /^Label v\d+ of maintenance logs$/ })).toBeVisible();
    // The version's size depends on what the earlier files uploaded and redacted: read it from the caption.
    const table = page.getByRole("table", { name: /^Records 1–\d+ of \d+$/ });
    await expect(table).toBeVisible();
    const caption = await table.locator("caption").innerText();
    const [, shown, total] = /^Records 1–(\d+) of (\d+)$/.exec(caption.trim()) ?? [];
    expect(Number(total)).toBeGreaterThanOrEqual(2);
    expect(Number(shown)).toBe(Math.min(20, Number(total)));
    await page.getByLabel("Label for record 1", { exact: true }).selectOption("electrical");
    await page.getByLabel("Label for record 2", { exact: true }).selectOption("mechanical");

    // One by one: the draft follows; record 2 gets another label.
    await page.getByRole("button", { name: "One by one" }).click();
    await expect(page.getByRole("heading", { name: `Record 1 of ${total}` })).toBeVisible();
    await expect(page.getByRole("radio", { name: "electrical", exact: true })).toBeChecked();
    await page.getByRole("button", { name: "Next record" }).click();
    await expect(page.getByRole("heading", { name: `Record 2 of ${total}` })).toBeVisible();
    await page.getByRole("radio", { name: "hydraulic", exact: true }).check();
    await checkAccessible("labeling one record at a time");
    await page.getByRole("button", { name: "Table" }).click();
    await expect(page.getByLabel("Label for record 2", { exact: true })).toHaveValue("hydraulic");
    await expect(page.getByText("2 labels drafted.")).toBeVisible();

    // The data service's own refusal, on the record it names: the request is sent with an index past the end.
    await page.route("**/versions/*/labels", async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      const body = route.request().postDataJSON() as { labels: { index: number; label: string }[] };
      body.labels[0].index = 100_000;
      await route.continue({ postData: JSON.stringify(body) });
    });
    await page.getByRole("button", { name: "Create labelled version" }).click();
    const confirm = page.getByRole("dialog", { name: "Create a labelled version?" });
    await expect(confirm).toContainText("2 labels applied");
    await confirm.getByRole("button", { name: "Create version" }).click();
    const first = page.getByLabel("Label for record 1", { exact: true });
    await expect(first).toHaveAttribute("aria-invalid", "true");
    await expect(first).toHaveAccessibleDescription(
      new RegExp(`record index 100000 is out of range \\(the version has ${total} records\\)`),
    );
    await expect(page.getByRole("alert").first()).toContainText("refused some labels");
    await checkAccessible("labeling with a refused label");
    await page.unroute("**/versions/*/labels");

    await page.getByRole("button", { name: "Create labelled version" }).click();
    await confirm.getByRole("button", { name: "Create version" }).click();
    await expect(page.getByText(/^Version v\d+ made with 2 labels applied/)).toBeVisible({ timeout: 120_000 });
    await expect(page.getByText("0 labels drafted.")).toBeVisible();
    await checkAccessible("labelled version created");
    await snap("dataset-labeling");

    await page.getByRole("link", { name: "Back to the dataset and its versions" }).click();
    const newest = page.getByRole("list", { name: /^How v\d+ was made/ });
    await expect(newest.getByRole("listitem").last()).toContainText("2 records labelled");
  });

  test("a viewer reads the lineage but is not offered labeling, and the labeling address says so", async ({ page, signIn }) => {
    await signIn("viewer", datasetUrl);
    await expect(page.getByRole("list", { name: /^How v\d+ was made/ })).toContainText("records labelled");
    await expect(page.getByRole("link", { name: /^Label the records/ })).toHaveCount(0);
    await signIn("viewer", `${datasetUrl}/versions/1/labels`);
    await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  });
});
