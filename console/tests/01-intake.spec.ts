// One person after another walks a use case through the console, on the embedded stack of real processes.
// Files run in name order (01-, 02-, ...): each picks the use case up where the previous one left it.
import { expect, test } from "./fixtures";
import { Wizard } from "./pages/wizard";

test.describe.serial("from the wizard to an approved use case", () => {
  let usecaseUrl = "";

  test("the sign-in screen offers the development sign-in and passes axe", async ({ page, checkAccessible, snap }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Sign in to Tuneline" })).toBeVisible();
    await expect(page.getByText("Development sign-in")).toBeVisible();
    await checkAccessible("sign-in");
    await snap("sign-in");
  });

  test("a business owner sees an empty dashboard that says what to do", async ({ page, signIn, checkAccessible }) => {
    await signIn("owner");
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await expect(page.getByText("No use cases yet.")).toBeVisible();
    await expect(page.getByRole("link", { name: "Describe the first use case" })).toBeVisible();
    await expect(page.getByText("No job is training right now.")).toBeVisible();
    await expect(page.getByText("No open alerts.")).toBeVisible();
    await checkAccessible("empty dashboard");
  });

  test("the wizard shows the service's field error on its input, then submits", async ({ page, signIn, checkAccessible, snap }) => {
    await signIn("owner");
    const wizard = new Wizard(page);
    await wizard.open();
    await wizard.fillProblem("Too short");
    await page.getByRole("button", { name: "Save draft" }).click();
    // The intake service refuses a problem statement under 10 characters; its message sits on that input.
    const problem = wizard.field("Problem statement");
    await expect(problem).toHaveAttribute("aria-invalid", "true");
    await expect(problem).toHaveAccessibleDescription(/at least 10 characters/);
    await expect(page.getByRole("alert")).toContainText("each is shown next to its field");
    await checkAccessible("wizard with a field error");
    await snap("wizard-field-error");

    await problem.fill(
      "Technicians write free-text maintenance log entries; planners spend minutes reading each one to route it.",
    );
    await wizard.fillTheRest();
    await checkAccessible("wizard policy step");
    await wizard.submit();
    await expect(page.getByRole("heading", { name: "Classify maintenance log entries" })).toBeVisible();
    await expect(page.getByText("submitted", { exact: true })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Decision" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "RICE" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Cost and ROI" })).toBeVisible();
    // A business owner does not decide: no review controls.
    await expect(page.getByRole("heading", { name: "Review" })).toHaveCount(0);
    usecaseUrl = page.url();
    await checkAccessible("use case");
    await snap("usecase-submitted");
  });

  test("a viewer sees the portfolio but may not write a use case", async ({ page, signIn }) => {
    await signIn("viewer");
    await expect(page.getByRole("link", { name: "Classify maintenance log entries" })).toBeVisible();
    await expect(page.getByRole("link", { name: "New use case" })).toHaveCount(0);
    // Typed or bookmarked, the address still leads nowhere: after signing in there, the route itself refuses.
    await signIn("viewer", "/usecases/new");
    await expect(page.getByRole("alert")).toContainText("do not allow you to write a use case");
  });

  test("a reviewer approves with a comment and the timeline records it", async ({ page, signIn, checkAccessible, snap }) => {
    await signIn("reviewer");
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await page.getByRole("link", { name: "Classify maintenance log entries" }).click();
    await expect(page.getByRole("heading", { name: "Review" })).toBeVisible();
    await page.getByRole("button", { name: "Start review" }).click();
    await expect(page.getByRole("status").filter({ hasText: "in review" })).toBeVisible();
    await page.getByLabel("Comment or reason").fill("Clear KPIs and enough data; go ahead.");
    await page.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByRole("status").filter({ hasText: "approved" })).toBeVisible();
    await expect(page.getByText("decided by rey.reviewer@plant.example")).toBeVisible();
    await expect(page.getByRole("list").filter({ hasText: "usecase.approved" })).toBeVisible();
    expect(page.url()).toBe(usecaseUrl);
    await checkAccessible("approved use case");
    await snap("usecase-approved");
    await page.getByRole("link", { name: "Dashboard" }).click();
    await expect(page.getByRole("cell", { name: "approved" })).toBeVisible();
    await checkAccessible("dashboard");
    await snap("dashboard");
  });
});
