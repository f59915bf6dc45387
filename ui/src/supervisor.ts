// Supervisor actions (corrections, template and lexicon edits) may need the
// supervisor PIN: when the shell answers `locked`, ask for it in a modal
// dialog, unlock, and run the action again.

import { ApiError, unlockSupervisor } from "./api";
import { h, replace } from "./dom";
import { describeError } from "./errors";

/** Asks for the PIN; resolves true once unlocked, false if the user gives up. */
export function askForPin(): Promise<boolean> {
  return new Promise((resolve) => {
    const input = h("input", {
      type: "password",
      id: "pin-input",
      inputmode: "numeric",
      autocomplete: "off",
      "aria-label": "主管 PIN",
    });
    const message = h("p", { class: "error", role: "alert" });
    const dialog = h("dialog", { class: "pin-dialog", id: "pin-dialog" });
    const close = (ok: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    const form = h(
      "form",
      {
        on: {
          submit: (ev) => {
            ev.preventDefault();
            unlockSupervisor(input.value)
              .then(() => close(true))
              .catch((e) => {
                replace(message, describeError(e).headline);
                input.select();
              });
          },
        },
      },
      h("h3", null, "需要主管 PIN"),
      h("p", { class: "muted" }, "更正标签、修改话术和词库需要主管确认。"),
      input,
      message,
      h(
        "div",
        { class: "row" },
        h("button", { type: "submit", class: "primary", id: "pin-ok" }, "确定"),
        h("button", { type: "button", on: { click: () => close(false) } }, "取消"),
      ),
    );
    dialog.addEventListener("cancel", () => resolve(false));
    dialog.appendChild(form);
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
}

/** Runs a supervisor action, asking for the PIN once if it is locked. */
export async function asSupervisor<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (e) {
    if (!(e instanceof ApiError) || e.kind !== "locked") throw e;
    if (!(await askForPin())) throw new ApiError("cancelled", "the PIN was not entered");
    return action();
  }
}
