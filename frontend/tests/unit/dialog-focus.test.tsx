import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState, type ReactNode } from "react";
import { describe, expect, it } from "vitest";

import { Dialog } from "@/components/ui/Dialog";

/** A page with a button that opens a dialog from state, as every dialog of the app is opened. */
function Page({ children, mountOnOpen = false }: { children: ReactNode; mountOnOpen?: boolean }) {
  const [open, setOpen] = useState(false);
  const dialog = (
    <Dialog open={open} onOpenChange={setOpen} title="Edit something">
      {children}
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </Dialog>
  );
  return (
    <>
      <button type="button">Something else</button>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {mountOnOpen ? (open ? dialog : null) : dialog}
    </>
  );
}

describe("Dialog focus", () => {
  it("starts on the first field, not on the Close button before it", async () => {
    const user = userEvent.setup();
    render(
      <Page>
        <label>
          Name <input />
        </label>
        <label>
          Kind <select />
        </label>
      </Page>,
    );
    await user.click(screen.getByRole("button", { name: "Open" }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("Name")));
  });

  it("without fields, starts inside the dialog", async () => {
    const user = userEvent.setup();
    render(<Page>Are you sure?</Page>);
    await user.click(screen.getByRole("button", { name: "Open" }));
    await waitFor(() =>
      expect(screen.getByRole("dialog").contains(document.activeElement)).toBe(true),
    );
  });

  it("skips disabled fields", async () => {
    const user = userEvent.setup();
    render(
      <Page>
        <label>
          Locked <input disabled />
        </label>
        <label>
          Amount <input />
        </label>
      </Page>,
    );
    await user.click(screen.getByRole("button", { name: "Open" }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("Amount")));
  });

  it.each([
    ["Escape", async (user: ReturnType<typeof userEvent.setup>) => user.keyboard("{Escape}")],
    [
      "the Close button",
      async (user: ReturnType<typeof userEvent.setup>) =>
        user.click(screen.getByRole("button", { name: "Close" })),
    ],
    [
      "a Cancel button",
      async (user: ReturnType<typeof userEvent.setup>) =>
        user.click(screen.getByRole("button", { name: "Cancel" })),
    ],
  ])("gives focus back to what opened it when closed by %s", async (_how, close) => {
    for (const mountOnOpen of [false, true]) {
      const user = userEvent.setup();
      const { unmount } = render(
        <Page mountOnOpen={mountOnOpen}>
          <label>
            Name <input />
          </label>
        </Page>,
      );
      const opener = screen.getByRole("button", { name: "Open" });
      await user.click(opener);
      await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("Name")));
      await close(user);
      await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
      await waitFor(() => expect(document.activeElement).toBe(opener));
      unmount();
    }
  });
});
