import { describe, expect, it } from "vitest";

import { VirtualList } from "../src/virtual";

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

describe("VirtualList", () => {
  // With 100,000 rows only a screenful is in the DOM and only the needed page is fetched.
  it("renders a window and fetches pages on demand", async () => {
    const fetched: number[] = [];
    const list = new VirtualList<number>({
      rowHeight: 30,
      pageSize: 200,
      source: {
        fetch: async (offset, limit) => {
          fetched.push(offset);
          return { rows: Array.from({ length: limit }, (_, i) => offset + i), total: 100_000 };
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
    expect(list.element.querySelector(".vlist-spacer")!.getAttribute("style")).toContain("3000000px");

    // jump far down: the page for that offset is fetched, no page in between
    list.element.scrollTop = 50_000 * 30;
    list.paint();
    await settle();
    // rows 49,995..50,025 (with overscan) span pages 249 and 250
    expect(fetched).toEqual([0, 49_800, 50_000]);
    list.element.remove();
  });
});
