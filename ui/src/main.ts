// The app shell: a tab bar over six screens. Alt+1…6 switch screens.

import "./style.css";
import { appInfo, listLabels, onFilesDropped, onStoreChecked, uiReady } from "./api";
import { waitForCheck } from "./checking";
import { h, replace, toast } from "./dom";
import { describeError } from "./errors";
import { setCatalog } from "./labels";
import { paintStoreBanner } from "./restore";
import { analyzeScreen } from "./screens/analyze";
import { historyScreen } from "./screens/history";
import { importScreen } from "./screens/import";
import { lexiconScreen } from "./screens/lexicon";
import type { Screen } from "./screens/screen";
import { settingsScreen } from "./screens/settings";
import { templatesScreen } from "./screens/templates";

export async function start(host: HTMLElement): Promise<void> {
  try {
    setCatalog(await listLabels());
  } catch (e) {
    const { headline, detail } = describeError(e);
    toast(`${headline} ${detail}`, "error");
  }

  const screens: Screen[] = [
    analyzeScreen(),
    importScreen(),
    historyScreen(),
    templatesScreen(),
    lexiconScreen(),
    settingsScreen(),
  ];
  let shown: Screen = screens[0];

  const tabs = screens.map((screen, i) =>
    h(
      "button",
      {
        type: "button",
        role: "tab",
        class: "tab",
        id: `tab-${screen.id}`,
        title: `${screen.title}（Alt+${i + 1}）`,
        on: { click: () => show(screen) },
      },
      screen.title,
    ),
  );
  const main = h("main", { id: "main" });

  function show(screen: Screen): void {
    shown = screen;
    tabs.forEach((tab, i) => tab.setAttribute("aria-selected", screens[i] === screen ? "true" : "false"));
    replace(main, screen.root);
    screen.onShow?.();
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.altKey && !ev.ctrlKey && /^[1-6]$/.test(ev.key)) {
      ev.preventDefault();
      show(screens[Number(ev.key) - 1]);
      return;
    }
    shown.onKey?.(ev);
  });

  // Drops anywhere in the window go to the import screen.
  const dropTarget = screens.find((s) => s.onDrop);
  if (dropTarget) {
    onFilesDropped((paths) => {
      show(dropTarget);
      dropTarget.onDrop?.(paths);
    }).catch(() => undefined);
  }

  // A database that failed to open is said once, at the top, in words,
  // with the newest automatic backup offered when restoring one helps.
  // After an unexpected exit the database is checked first: a cover says
  // so and the screens wait for it (see checking.ts).
  const banner = h("div", { class: "banner", role: "alert", hidden: true, id: "store-banner" });
  const cover = h("div", { class: "checking-cover", hidden: true, id: "store-checking" });
  const header = h(
    "header",
    { class: "topbar" },
    h("div", { class: "brand" }, "买家画像", h("small", null, "BuyerLens")),
    h("nav", { role: "tablist", "aria-label": "功能" }, tabs),
  );
  appInfo()
    .then((first) =>
      waitForCheck(first, {
        cover,
        blocked: [header, main],
        ask: appInfo,
        onChecked: (fn) => void onStoreChecked(fn).catch(() => undefined),
        done: (info) => {
          paintStoreBanner(banner, info, () => show(shown));
          // the screen shown meanwhile reads the history now
          if (first.checking) show(shown);
        },
      }),
    )
    .catch(() => undefined);

  replace(host, banner, header, main, cover);
  show(screens[0]);
  // interactive once the first frame with the screen is painted
  requestAnimationFrame(() => setTimeout(() => void uiReady().catch(() => undefined)));
}

const host = document.getElementById("app");
if (host) void start(host);
