import { describe, expect, it } from "vitest";

import { VirtualList } from "../src/virtual";

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

describe("VirtualList", () => {
  // With 100,000 rows only a screenful is in the DOM and pages are fetched as they come into view.
  it("renders a window and fetches pages on demand", async () => {
    const fetched: number[] = [];
    const list = new VirtualList<number>({
      rowHeight: 30,
      pageSize: 200,
      source: {
        fetch: async (offset, limit, previous) => {
          fetched.push(offset);
          // the row before the page is handed over when it is loaded
          if (offset > 0) expect(previous).toBe(offset - 1);
          const rows = Array.from({ length: Math.min(limit, 100_000 - offset) }, (_, i) => offset + i);
          return { rows, more: offset + rows.length < 100_000 };
        },
      },
      renderRow: (row) => Object.assign(document.createElement("div"), { textContent: `row ${row}` }),
      renderPending: () => document.createElement("div"),
    });
    document.body.appendChild(list.element);
    await list.reset();
    await settle();
    expect(fetched).toEqual([0]);
    const rendered = list.element.querySelectorAll(".vlist-spacer > div");
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(60);
    // until the end is seen, the list is one page longer than what is known
    expect(list.element.querySelector(".vlist-spacer")!.getAttribute("style")).toContain(`${400 * 30}px`);

    // jump to the end of what is known: the next page is fetched, no other
    list.element.scrollTop = 200 * 30;
    list.paint();
    await settle();
    expect(fetched).toEqual([0, 200]);

    // nothing past what is known plus one page is in the DOM
    const last = [...list.element.querySelectorAll(".vlist-spacer > div")].map((d) => d.textContent).pop();
    expect(last).toMatch(/^row \d+$/);
    list.element.remove();
  });
});
