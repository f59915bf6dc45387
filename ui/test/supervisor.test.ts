import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { ApiError, saveTemplate } from "../src/api";
import { asSupervisor } from "../src/supervisor";

// jsdom has <dialog> without its methods; WebKit has both.
beforeAll(() => {
  const proto = HTMLDialogElement.prototype as { showModal?: () => void; close?: () => void };
  proto.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  proto.close ??= function (this: HTMLDialogElement) {
    this.removeAttribute("open");
  };
});

afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

const draft = { id: null, title: "t", body: "b", group: "", tags: [], shortcut: null, enabled: true };

describe("asSupervisor", () => {
  // A locked action asks for the PIN, unlocks with it and runs again; a wrong PIN is said and may be retried.
  it("asks for the PIN and retries", async () => {
    let unlocked = false;
    const calls: string[] = [];
    mockIPC((cmd, args) => {
      calls.push(cmd);
      if (cmd === "unlock_supervisor") {
        if ((args as { pin: string }).pin !== "2468") throw { kind: "wrong_pin", message: "the PIN is not correct" };
        unlocked = true;
        return null;
      }
      if (!unlocked) throw { kind: "locked", message: "this needs the supervisor PIN" };
      return 42;
    });
    const saved = asSupervisor(() => saveTemplate(draft));
    await settle();
    const input = document.getElementById("pin-input") as HTMLInputElement;
    const form = input.form!;
    input.value = "1111";
    form.requestSubmit();
    await settle();
    expect(document.querySelector("#pin-dialog .error")?.textContent).toBe("PIN 不正确。");
    input.value = "2468";
    form.requestSubmit();
    await expect(saved).resolves.toBe(42);
    expect(calls).toEqual(["save_template", "unlock_supervisor", "unlock_supervisor", "save_template"]);
    expect(document.getElementById("pin-dialog")).toBeNull();
  });

  // Giving up on the PIN fails the action as cancelled without a second try.
  it("cancels when the PIN is not given", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      throw { kind: "locked", message: "this needs the supervisor PIN" };
    });
    const saved = asSupervisor(() => saveTemplate(draft)).catch((e: unknown) => e);
    await settle();
    [...document.querySelectorAll<HTMLButtonElement>("#pin-dialog button")].find((b) => b.textContent === "取消")!.click();
    const error = (await saved) as ApiError;
    expect(error.kind).toBe("cancelled");
    expect(calls).toEqual(["save_template"]);
  });
});
