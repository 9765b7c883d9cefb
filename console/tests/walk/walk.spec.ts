// The whole walk, with workers (tests/console/test_browser_walk.py: training worker, evaluation runner, Ray Serve,
// the tiny random Llama as base model): one person after another takes a use case from the wizard to a served model,
// then its retrained version through a 10% canary to promotion.
// Each test picks the use case up where the previous one left it.
import type { APIRequestContext, Locator, Page } from "@playwright/test";
import { expect, test, type Person } from "../fixtures";
import { TrainingForm } from "../pages/training";
import { Wizard } from "../pages/wizard";

const USE_CASE = "Classify maintenance log entries";
const LABELS = ["hydraulic", "electrical", "mechanical"];
const MINUTES = 60_000;
// 80 entries: the train split (80%) must hold the 50 records monitoring needs as a drift reference.
const RECORDS = 80;

function records(): string {
  const lines: string[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const label = LABELS[i % 3];
    let text = `PRESS-${String(i).padStart(2, "0")} ${label} fault reported on shift ${i % 3}, unit checked and logged`;
    // Planted personal data: a technician's e-mail address and phone number in a few entries.
    if (i % 10 === 0) text += `; call jane.doe${i}@plant.example or +1 415 555 01${String(i).padStart(2, "0")}`;
    lines.push(JSON.stringify({ text, label }));
  }
  return lines.join("\n") + "\n";
}

/** The number of points the loss chart's caption states ("Loss by optimizer step (N points)"). */
async function points(caption: Locator): Promise<number> {
  const match = /\((\d+) points?\)/.exec((await caption.textContent()) ?? "");
  return match ? Number(match[1]) : 0;
}

/** Requests unlike the training data: supplier e-mails about invoices, not maintenance entries. */
function shiftedPrompts(n: number): string[] {
  const subjects = ["invoice", "delivery schedule", "price increase", "framework contract", "payment terms"];
  return Array.from(
    { length: n },
    (_, i) =>
      `Dear purchasing team, regarding the ${subjects[i % subjects.length]} for order PO-${48000 + i}, we kindly ask you to ` +
      `confirm the revised quantities of ${10 * ((i % 7) + 1)} pallets and the new unit price of ` +
      `${Math.floor(12.5 * ((i % 9) + 1))} EUR before the end of the quarter. Best regards, Supplier ${i}`,
  );
}

/** The service URLs the console itself was configured with (its /config.json). */
async function serviceUrls(request: APIRequestContext): Promise<Record<string, string>> {
  const config = (await (await request.get("/config.json")).json()) as { services: Record<string, string> };
  return config.services;
}

/** The ML engineer starts a quick-start training of the use case on the dataset's newest version. */
async function startTraining(page: Page, signIn: (person: Person, path?: string) => Promise<void>, epochs: string) {
  await signIn("engineer");
  await new TrainingForm(page).estimateQuickStart(USE_CASE, "maintenance logs");
  await page.getByText("Advanced settings").click();
  await page.getByLabel("Epochs", { exact: true }).fill(epochs);
  await page.getByRole("button", { name: "Start training" }).click();
  await expect(page.getByRole("heading", { name: /^Training job / })).toBeVisible();
}

/** A list that does not refresh by itself: open it again until `target` shows (the services learn of events by
 * Kafka). Opening means signing in again: the session lives in memory only, so a reload signs the person out. */
async function reopenUntilVisible(open: () => Promise<void>, target: Locator, timeout: number) {
  await expect(async () => {
    await open();
    await expect(target).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout, intervals: [2_000] });
}

test.describe.serial("from the wizard to a served model", () => {
  // Training, evaluation and a Ray Serve replica share two busy cores with the stack: minutes per step.
  test.describe.configure({ timeout: 15 * MINUTES });
  let evaluationUrl = "";
  let modelUrl = "";
  let modelName = "";
  let inferenceKey = "";

  test("the business owner submits the use case and a reviewer approves it", async ({ page, signIn }) => {
    await signIn("owner");
    const wizard = new Wizard(page);
    await wizard.open();
    await wizard.fillProblem("Technicians write free-text maintenance log entries; planners spend minutes reading each one to route it.");
    // A business KPI the evaluation does not measure: the tiny random model classifies nothing right, and an
    // accuracy target would (rightly) keep it from release.
    await wizard.fillTheRest({ name: "entries routed per hour", target: "120", baseline: "15" });
    // In this walk the ML engineer starts training by hand, to watch it (the policy would start it on the upload).
    await page.getByLabel("Start training as soon as a dataset is ready").uncheck();
    await wizard.submit();
    await expect(page.getByText("submitted", { exact: true })).toBeVisible();

    await signIn("reviewer");
    await page.getByRole("link", { name: USE_CASE }).click();
    await page.getByRole("button", { name: "Start review" }).click();
    await expect(page.getByRole("status").filter({ hasText: "in review" })).toBeVisible();
    await page.getByLabel("Comment or reason").fill("Clear KPIs and enough data; go ahead.");
    await page.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByRole("status").filter({ hasText: "approved" })).toBeVisible();
  });

  test("the data owner uploads logs with planted personal data; the scan finds it and a redacted version follows", async ({ page, signIn }) => {
    await signIn("owner");
    await page.getByRole("link", { name: "Datasets" }).click();
    await page.getByLabel("Dataset name").fill("maintenance logs");
    await page.getByRole("button", { name: "Create dataset" }).click();
    await expect(page.getByRole("heading", { name: "maintenance logs" })).toBeVisible();
    await page.getByLabel(/Drop a JSONL/).setInputFiles({ name: "logs.jsonl", mimeType: "application/json", buffer: Buffer.from(records()) });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    // The use case's policy redacts uploads: the upload's own version is kept for lineage, the redacted one is
    // scanned, reports what it found and removed, and is the version the rest of the walk uses.
    const versions = page.getByRole("table", { name: "Versions, oldest first" });
    const redacted = versions.getByRole("row").filter({ hasText: "redact" }).last();
    await expect(redacted).toBeVisible({ timeout: 4 * MINUTES });
    await redacted.getByRole("button").click();
    const findings = page.getByRole("table", { name: "Personal data found (examples masked)" });
    await expect(findings).toContainText(/EMAIL/i);
    await expect(findings).not.toContainText("jane.doe10@plant.example"); // examples are masked, never raw
    await expect(page.getByText(`Found in ${RECORDS / 10} of ${RECORDS} records.`)).toBeVisible(); // every tenth
    await expect(page.getByText("no personal data left")).toBeVisible();
    await expect(page.locator(".records")).not.toContainText("@plant.example");
  });

  test("the ML engineer starts training and watches the loss curve grow until the job succeeds", async ({ page, signIn, checkAccessible, snap }) => {
    // Enough optimizer steps on the tiny model (16 per epoch at batch 4) for the curve to gain points while watched.
    await startTraining(page, signIn, "4");
    const caption = page.locator("figcaption").filter({ hasText: "Loss by optimizer step" });
    await expect(caption).toBeVisible({ timeout: 8 * MINUTES }); // the worker claims the job and loads the model
    await expect(page.getByText("running", { exact: true })).toBeVisible();
    const first = await points(caption);
    // The stream appends points while the page is open: the curve moves without a reload.
    await expect.poll(() => points(caption), { timeout: 3 * MINUTES }).toBeGreaterThan(first);
    await checkAccessible("running training job with its loss curve");
    await snap("walk-training-running");
    await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 5 * MINUTES });
    expect(await points(caption)).toBeGreaterThan(first);
    await page.getByRole("button", { name: "Show the data table" }).click();
    await expect(page.locator("figure table tbody tr").first()).toBeVisible();
  });

  test("the evaluation of the finished job appears with base against tuned", async ({ page, signIn, checkAccessible, snap }) => {
    const row = page.getByRole("row").filter({ hasText: /completed|succeeded/ });
    await reopenUntilVisible(
      async () => {
        await signIn("engineer", "/evaluations");
        await page.getByLabel("Use case").selectOption({ label: USE_CASE });
      },
      row,
      8 * MINUTES,
    );
    await row.getByRole("link", { name: /^Evaluation / }).click();
    await expect(page.getByRole("table", { name: "Held-out metrics, base against tuned" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Blind A/B review" })).toBeVisible();
    evaluationUrl = page.url();
    await checkAccessible("finished evaluation");
    await snap("walk-evaluation");
  });

  for (const reviewer of ["reviewer", "secondReviewer"] as Person[]) {
    test(`${reviewer === "reviewer" ? "a" : "a second"} reviewer rates the blind A/B sample on the rubric`, async ({ page, signIn, checkAccessible, snap }) => {
      await signIn(reviewer, new URL(evaluationUrl).pathname);
      const blind = page.getByRole("region", { name: "Blind A/B review" });
      await expect(blind.getByRole("heading", { name: /^Item 1 of \d+$/ })).toBeVisible();
      const total = Number(/of (\d+)/.exec((await blind.getByRole("heading", { name: /^Item 1 of/ }).textContent()) ?? "")![1]);
      for (let item = 1; item <= total; item++) {
        await expect(blind.getByRole("heading", { name: `Item ${item} of ${total}` })).toBeVisible();
        for (const side of ["A", "B"]) {
          const form = blind.getByRole("form", { name: new RegExp(`^Rate output ${side} of item `) });
          // The same honest middle score from both reviewers: they agree, whatever the random model wrote.
          for (const criterion of ["Relevance", "Correctness", "Style match", "Helpfulness"]) {
            await form.getByRole("radiogroup", { name: `${criterion} of output ${side}` }).getByRole("radio", { name: "3" }).check();
          }
          await form.getByRole("button", { name: `Save rating of ${side}` }).click();
          await expect(form.getByText(`Rating of output ${side} saved`)).toBeVisible();
        }
        if (item === 1 && reviewer === "reviewer") {
          await checkAccessible("blind A/B review");
          await snap("walk-blind-review");
        }
        if (item < total) await blind.getByRole("navigation", { name: "Review items pages" }).getByRole("button", { name: "Next" }).click();
      }
      await signIn(reviewer, new URL(evaluationUrl).pathname);
      const review = page.getByRole("region", { name: "Human review" });
      await expect(review.getByText("Items rated · reviewers")).toBeVisible();
      if (reviewer === "secondReviewer") {
        await expect(review.getByText(`${total} · 2`)).toBeVisible();
        await expect(review.getByText("Agreement (Krippendorff's alpha)")).toBeVisible();
        await checkAccessible("review rated by two reviewers");
        await snap("walk-review-agreement");
      }
    });
  }

  test("a reviewer approves the registered version in the registry", async ({ page, signIn }) => {
    const model = page.getByRole("table", { name: "Registered models" }).getByRole("link").first();
    await reopenUntilVisible(() => signIn("reviewer", "/models"), model, 2 * MINUTES);
    await model.click();
    await expect(page.getByRole("heading", { name: "Versions and stages" })).toBeVisible();
    modelUrl = page.url();
    modelName = decodeURIComponent(new URL(modelUrl).pathname.split("/").at(-1)!);
    await page.getByLabel("Comment on v1").fill("Blind review done by two reviewers; release it.");
    await page.getByRole("button", { name: "Approve v1" }).click();
    await expect(page.getByText("Review of v1 recorded.")).toBeVisible();
  });

  test("an admin lets the model keep its requests' prompt text, which drift checks compare with the training data", async ({ page, signIn, checkAccessible, snap }) => {
    await signIn("engineer", new URL(modelUrl).pathname);
    await expect(page.getByRole("heading", { name: "Versions and stages" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Governance policy" })).toHaveCount(0); // an admin's, not theirs

    await signIn("admin", new URL(modelUrl).pathname);
    const policy = page.getByRole("form", { name: "Governance policy" });
    await expect(policy.getByLabel(/Keep the prompt text/)).not.toBeChecked();
    // A rule the registry refuses comes back on its field, and nothing changes.
    await policy.getByLabel("Reviewers a review needs").fill("0");
    await policy.getByRole("button", { name: "Save policy" }).click();
    await expect(policy.getByText(/greater than or equal to 1/)).toBeVisible();
    await policy.getByLabel("Reviewers a review needs").fill("1");
    await policy.getByLabel(/Keep the prompt text/).check();
    await policy.getByRole("button", { name: "Save policy" }).click();
    await expect(policy.getByText("Policy saved; the change is in the audit log.")).toBeVisible();
    await checkAccessible("governance policy");
    await snap("walk-policy");
    await signIn("admin", new URL(modelUrl).pathname); // what the registry stored, read back
    await expect(page.getByRole("form", { name: "Governance policy" }).getByLabel(/Keep the prompt text/)).toBeChecked();
  });

  test("the ML engineer deploys the version and chats with the served model in the playground", async ({ page, signIn, checkAccessible, snap }) => {
    await signIn("engineer", new URL(modelUrl).pathname);
    const deployment = page.getByRole("region", { name: "Deployment" });
    await expect(deployment.getByText("Not deployed.")).toBeVisible();
    await deployment.getByRole("button", { name: "Deploy", exact: true }).click();
    const confirm = page.getByRole("dialog", { name: "Deploy v1?" });
    await confirm.getByRole("button", { name: "Deploy", exact: true }).click();
    // Ray Serve starts a replica that loads the base model and the adapter; the panel refreshes by itself.
    await expect(deployment.getByText("healthy", { exact: true })).toBeVisible({ timeout: 6 * MINUTES });
    await expect(deployment.getByText("v1", { exact: true })).toBeVisible();

    const keys = page.getByRole("region", { name: "Inference keys" });
    await keys.getByLabel("Key name").fill("plant-intake");
    await keys.getByLabel("Requests per minute").fill("600"); // the plant's intake system sends bursts (the drift step)
    await keys.getByRole("button", { name: "Create key" }).click();
    await expect(keys.getByLabel("New inference key")).toBeVisible();
    inferenceKey = ((await keys.getByLabel("New inference key").textContent()) ?? "").trim();
    await keys.getByRole("button", { name: "I have copied it" }).click(); // and the key leaves the screen(shot)
    await expect(keys.getByLabel("New inference key")).toHaveCount(0);
    const playground = page.getByRole("form", { name: "Chat with the served model" });
    await expect(playground.getByLabel("Inference key")).not.toHaveValue("");
    await playground.getByLabel("Message").fill("PRESS-07 hydraulic pressure dropped during clamp, oil topped up");
    await playground.getByRole("button", { name: "Send" }).click();
    // The tiny model's words are random: what counts is that an answer comes back from the served model and is shown.
    const turns = playground.getByRole("listitem");
    await expect(turns).toHaveCount(2, { timeout: 3 * MINUTES });
    await expect(turns.nth(1).locator(".output")).not.toBeEmpty();
    await expect(playground.getByRole("alert")).toHaveCount(0);
    await checkAccessible("playground with an answer");
    await snap("walk-playground");
  });

  test("shifted traffic raises an input drift alert, and the SRE acknowledges it", async ({ page, request, signIn, checkAccessible, snap }) => {
    // The plant's intake system (not a person) starts sending supplier e-mails instead of maintenance entries.
    const services = await serviceUrls(request);
    for (const prompt of shiftedPrompts(60)) {
      const response = await request.post(`${services.registry}/v1/chat/completions`, {
        headers: { Authorization: `Bearer ${inferenceKey}` },
        data: { model: modelName, messages: [{ role: "user", content: prompt }], max_tokens: 4 },
      });
      expect(response.ok(), await response.text()).toBeTruthy();
    }

    await signIn("sre");
    await page.getByRole("link", { name: "Monitoring" }).click();
    const alerts = page.getByRole("region", { name: "Alerts" });
    const acknowledge = alerts.getByRole("button", { name: "Acknowledge Input drift" });
    await expect(acknowledge).toBeVisible({ timeout: 4 * MINUTES }); // monitoring's drift pass runs on a timer
    await expect(alerts.getByText(/served inputs drifted from the training data/)).toBeVisible();
    await checkAccessible("monitoring with a firing drift alert");
    await snap("walk-drift-alert");
    await acknowledge.click();
    await expect(acknowledge).toHaveCount(0);
    await alerts.getByLabel("Show alerts").selectOption("acknowledged");
    await expect(alerts.getByText("acknowledged by sam.sre@plant.example")).toBeVisible();
    // The drift panel loaded with the page, before the drifted report: opened again, it lists that report.
    const drifted = page.getByRole("region", { name: "Drift" }).getByText("drifted", { exact: true }).first();
    await reopenUntilVisible(() => signIn("sre", "/monitoring"), drifted, 2 * MINUTES);
  });

  test("the ML engineer retrains; the reviewer approves the new version", async ({ page, signIn }) => {
    await startTraining(page, signIn, "1");
    await expect(page.getByText("succeeded", { exact: true })).toBeVisible({ timeout: 8 * MINUTES });
    // Evaluation runs on job.succeeded and registers v2 when it finishes: the reviewer's screen lists it then.
    const v2 = page.getByRole("table", { name: "Versions, newest first" }).getByRole("button", { name: "v2", exact: true });
    await reopenUntilVisible(() => signIn("reviewer", new URL(modelUrl).pathname), v2, 8 * MINUTES);
    await v2.click(); // the page opens on the version in production
    await page.getByLabel("Comment on v2").fill("Retrained after the drift; same checks passed.");
    await page.getByRole("button", { name: "Approve v2" }).click();
    await expect(page.getByText("Review of v2 recorded.")).toBeVisible();
  });

  test("the new version serves as a 10% canary beside v1, takes some of the traffic, and is promoted", async ({ page, request, signIn, checkAccessible, snap }) => {
    await signIn("engineer", new URL(modelUrl).pathname);
    const deployment = page.getByRole("region", { name: "Deployment" });
    await expect(deployment.getByText("v1", { exact: true })).toBeVisible();
    await deployment.getByLabel("Version to deploy").selectOption("2");
    await deployment.getByLabel("Canary weight").fill("0.1");
    await deployment.getByRole("button", { name: "Deploy", exact: true }).click();
    const confirm = page.getByRole("dialog", { name: "Deploy v2?" });
    await expect(confirm.getByText("v2 starts as a canary taking 10% of the traffic")).toBeVisible();
    await confirm.getByRole("button", { name: "Deploy", exact: true }).click();
    // The pool's replica loads the second adapter beside the first: no new replica starts.
    await expect(deployment.getByText("v2 at 10% of traffic")).toBeVisible({ timeout: 4 * MINUTES });
    await expect(deployment.getByText("healthy", { exact: true })).toBeVisible({ timeout: 4 * MINUTES });
    await checkAccessible("deployment with a canary");
    await snap("walk-canary");

    // The plant's intake system keeps sending entries: each answer names the arm that served it, and about one in
    // ten comes from the canary (random routing: until one does, within far more requests than that needs).
    const services = await serviceUrls(request);
    const arms: Record<string, number> = {};
    for (let i = 0; i < 200 && !arms.canary; i++) {
      const response = await request.post(`${services.registry}/v1/chat/completions`, {
        headers: { Authorization: `Bearer ${inferenceKey}` },
        data: { model: modelName, messages: [{ role: "user", content: `PRESS-${i} hydraulic leak at the ram seal` }], max_tokens: 2 },
      });
      expect(response.ok(), await response.text()).toBeTruthy();
      const arm = response.headers()["x-tuneline-arm"];
      arms[arm] = (arms[arm] ?? 0) + 1;
      if (arm === "canary") expect(response.headers()["x-tuneline-version"]).toBe("2");
    }
    expect(arms.canary, JSON.stringify(arms)).toBe(1);
    expect(arms.stable, JSON.stringify(arms)).toBeGreaterThan(0);

    await deployment.getByRole("button", { name: "Promote canary" }).click();
    await page.getByRole("dialog", { name: "Promote v2?" }).getByRole("button", { name: "Promote" }).click();
    await expect(deployment.getByText("none", { exact: true })).toBeVisible({ timeout: 2 * MINUTES }); // no canary left
    await expect(deployment.locator("dd").filter({ hasText: /^v2$/ })).toBeVisible(); // v2 is the stable version
  });
});
