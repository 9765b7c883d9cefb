// The evaluation hub and the registry before anything was trained (the browser tier runs no workers): each list
// says what fills it, and the roles decide what is offered.
import { expect, test } from "./fixtures";

test.describe.serial("evaluation hub and registry", () => {
  test("the evaluation hub says an evaluation follows a finished job", async ({ page, signIn, checkAccessible, snap }) => {
    await signIn("reviewer");
    await page.getByRole("link", { name: "Evaluations" }).click();
    await expect(page.getByRole("heading", { name: "Evaluations", exact: true })).toBeVisible();
    await expect(page.getByText("No evaluation yet.")).toBeVisible();
    await page.getByLabel("Use case").selectOption({ label: "Classify maintenance log entries" });
    await expect(page.getByText("No evaluation yet.")).toBeVisible();
    await checkAccessible("empty evaluation hub");
    await snap("evaluations-empty");
  });

  test("an unknown evaluation or model says so and leads back", async ({ page, signIn }) => {
    await signIn("engineer", "/evaluations/00000000-0000-4000-8000-000000000000");
    await expect(page.getByRole("alert")).toContainText("Not found");
    await expect(page.getByRole("link", { name: "Back to evaluations" })).toBeVisible();
    await signIn("engineer", "/models/no-such-model");
    await expect(page.getByRole("alert")).toContainText("Not found");
    await expect(page.getByRole("link", { name: "Back to models" })).toBeVisible();
  });

  test("the registry says a model is registered after its evaluation", async ({ page, signIn, checkAccessible, snap }) => {
    await signIn("engineer");
    await page.getByRole("link", { name: "Models" }).click();
    await expect(page.getByRole("heading", { name: "Models", exact: true })).toBeVisible();
    await expect(page.getByText("No model registered yet.")).toBeVisible();
    await checkAccessible("empty registry");
    await snap("models-empty");
  });
});
