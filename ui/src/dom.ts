// Tiny DOM helpers. Every piece of text goes in as a Text node, so chat
// text, template bodies and names can never become markup. No file in ui/src
// uses innerHTML (a test checks that).

export type Child = Node | string | number | null | undefined | false;

export type Attrs = {
  class?: string;
  /** Event handlers: `on: { click: fn }`. */
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
  /** `dataset` entries. */
  data?: Record<string, string>;
  [attr: string]: unknown;
};

/** Creates an element; string children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "on") {
        for (const [type, fn] of Object.entries(value as object)) {
          el.addEventListener(type, fn as EventListener);
        }
      } else if (key === "data") {
        Object.assign(el.dataset, value);
      } else if (key === "class") {
        el.className = String(value);
      } else if (key in el && typeof value !== "string") {
        // properties such as value, checked, disabled, tabIndex
        (el as unknown as Record<string, unknown>)[key] = value;
      } else {
        el.setAttribute(key, value === true ? "" : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

/** Appends children; strings and numbers as text. */
export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(
      typeof child === "string" || typeof child === "number"
        ? document.createTextNode(String(child))
        : child,
    );
  }
}

/** Replaces all children of `parent`. */
export function replace(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Shows a short message at the bottom of the window. */
export function toast(message: string, kind: "ok" | "error" = "ok"): void {
  let host = document.getElementById("toasts");
  if (!host) {
    host = h("div", { id: "toasts", role: "status", "aria-live": "polite" });
    document.body.appendChild(host);
  }
  const item = h("div", { class: `toast toast-${kind}` }, message);
  host.appendChild(item);
  setTimeout(() => item.remove(), kind === "error" ? 6000 : 2500);
}
