import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import { ApiError, classifyTranscript, copyTemplate } from "../src/api";
import { analysis } from "./fixtures";

afterEach(() => clearMocks());

describe("api", () => {
  // Commands are called by their snake_case names with camelCase argument keys.
  it("passes the text and agent to classify_transcript", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return analysis();
    });
    const result = await classifyTranscript("买家：在吗", "小雅");
    expect(calls).toEqual([["classify_transcript", { text: "买家：在吗", agent: "小雅" }]]);
    expect(result.conversationId).toBe(7);
  });

  // A {kind, message} rejection from the shell becomes an ApiError with that kind.
  it("turns a command error into an ApiError", async () => {
    mockIPC(() => {
      throw { kind: "empty_input", message: "the transcript is empty" };
    });
    const error = await classifyTranscript("", null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).kind).toBe("empty_input");
    expect((error as ApiError).message).toBe("the transcript is empty");
  });

  // Anything else (a plain string from a plugin) is an internal error, not a crash.
  it("wraps unknown rejections as internal", async () => {
    mockIPC(() => {
      throw "boom";
    });
    const error = (await classifyTranscript("x", null).catch((e: unknown) => e)) as ApiError;
    expect(error.kind).toBe("internal");
    expect(error.message).toBe("boom");
  });

  // Copying writes the clipboard first, then records the use for that conversation.
  it("copies through the clipboard plugin and records the use", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return null;
    });
    await copyTemplate(11, 7, "亲，全店包邮哦～");
    expect(calls[0][0]).toBe("plugin:clipboard-manager|write_text");
    expect(JSON.stringify(calls[0][1])).toContain("亲，全店包邮哦～");
    expect(calls[1]).toEqual(["record_template_use", { templateId: 11, conversationId: 7 }]);
  });
});
