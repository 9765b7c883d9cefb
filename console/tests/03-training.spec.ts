// The ML engineer's part: the estimate for the redacted dataset version, a refused hyperparameter shown on its
// input, a job started and cancelled with confirmation; a viewer follows the history but starts nothing.
// The browser tier runs no training workers, so the job stays queued until it is cancelled.
import { expect, test } from "./fixtures";
import { TrainingForm } from "./pages/training";

const USE_CASE = "Classify maintenance log entries";

test.describe.serial("the ML engineer's training", () => {
  test("the estimate comes first, a refused value sits on its input, and a started job can be cancelled", async ({ page, signIn, checkAccessible, snap }) => {
    await signIn("engineer");
    const estimate = await new TrainingForm(page).estimateQuickStart(USE_CASE, "maintenance logs");
    await expect(estimate).toContainText("$");

    await page.getByText("Advanced settings").click();
    const rate = page.getByLabel("Learning rate", { exact: true }); // a preset's words may mention it too
    await expect(rate).toHaveAccessibleDescription(/Allowed: 0\.00001–0\.001/);
    await rate.fill("0.5");
    await page.getByRole("button", { name: "Start training" }).click();
    await expect(rate).toHaveAttribute("aria-invalid", "true");
    await expect(rate).toHaveAccessibleDescription(/learning_rate must be between/);
    await expect(page.getByRole("alert").first()).toContainText("refused some settings");
    await checkAccessible("training with a refused hyperparameter");
    await snap("training-refused-value");

    await rate.fill("");
    await page.getByLabel("Epochs", { exact: true }).fill("1");
    // The job page follows the job over the training service's event stream, the token in a header (not the URL).
    const streamRequest = page.waitForRequest((request) => /\/jobs\/[^/]+\/stream/.test(request.url()));
    await page.getByRole("button", { name: "Start training" }).click();
    await expect(page.getByRole("heading", { name: /^Training job / })).toBeVisible();
    const stream = await streamRequest;
    expect(await stream.headerValue("authorization")).toMatch(/^Bearer /);
    expect(new URL(stream.url()).search).toBe("");
    await expect(page.getByText("Live: the training service sends each step as it happens.")).toBeVisible();
    await expect(page.getByText("queued", { exact: true })).toBeVisible();
    await expect(page.getByText("Waiting for a training worker to claim the job.")).toBeVisible();
    await expect(page.getByText("No loss reported yet.")).toBeVisible();
    await expect(page.getByRole("term").filter({ hasText: "epochs" })).toBeVisible();
    await checkAccessible("queued training job");
    await snap("training-job");

    await page.getByRole("button", { name: "Cancel job" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel this job?" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Cancel job" }).click();
    await expect(page.getByText("cancelled", { exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: "Cancel job" })).toHaveCount(0);

    await page.getByRole("link", { name: "All jobs of this use case" }).click();
    const history = page.getByRole("table", { name: "Training jobs of this use case, newest first" });
    await expect(history.getByRole("row").filter({ hasText: "cancelled" })).toBeVisible();
    await checkAccessible("training history");
    await snap("training");
  });

  test("a viewer follows the jobs but is not offered the start form", async ({ page, signIn }) => {
    await signIn("viewer");
    await page.getByRole("link", { name: "Training", exact: true }).click();
    await page.getByLabel("Use case").selectOption({ label: USE_CASE });
    await expect(page.getByText("an ML engineer starts them")).toBeVisible();
    await expect(page.getByRole("button", { name: "Start training" })).toHaveCount(0);
    const history = page.getByRole("table", { name: "Training jobs of this use case, newest first" });
    await history.getByRole("link").first().click();
    await expect(page.getByRole("heading", { name: /^Training job / })).toBeVisible();
    await expect(page.getByRole("button", { name: "Cancel job" })).toHaveCount(0);
  });
});
