// No network from the app (issue 5): the real desktop binary under
// `strace -f -e trace=network` (the app and every process it starts: the
// WebKit web and network processes) while it starts, classifies a paste
// and lists history. See scripts/e2e.sh.
//
// Two runs:
//  1. The app started on its own (no WebDriver), until its first screen
//     takes input and a little after: no AF_INET or AF_INET6 socket call at
//     all.
//  2. The app started through tauri-driver (its binary wrapped in strace),
//     pasting a chat and listing history: no connect, send or bind to an
//     IPv4/IPv6 address other than loopback. WebDriver's automation channel
//     between WebKitWebDriver and the app runs over loopback TCP, so
//     loopback is allowed here, and the calls seen are printed.
// Where strace is missing or ptrace is not allowed both print SKIPPED.

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyze, appBinary, browser, invoke, showScreen, startApp } from "./driver";

const dir = mkdtempSync(join(tmpdir(), "buyerlens-e2e-network-"));
const STRACE = ["-f", "-qq", "-e", "trace=network", "-o"];

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Why strace cannot trace here, or null when it can. */
function cannotTrace(): string | null {
  const probe = spawnSync("strace", ["-f", "-qq", "-o", "/dev/null", "true"], { encoding: "utf8" });
  if (probe.error) return `strace is not installed (${probe.error.message}); scripts/setup.sh installs it`;
  if (probe.status !== 0) return `strace cannot trace here: ${probe.stderr.trim()}`;
  return null;
}
const skipReason = cannotTrace();
if (skipReason) console.warn(`SKIPPED no-network check of the desktop app: ${skipReason}`);

export interface NetworkCalls {
  /** connect/sendto/sendmsg/bind to an IPv4 or IPv6 address that is not loopback. */
  outbound: string[];
  /** The same calls to loopback addresses. */
  loopback: string[];
  /** Every IPv4/IPv6 socket() call and every call with such an address
   * (a netlink read of the routing table that mentions AF_INET is not one). */
  inet: string[];
}

/** Sorts the network calls of a strace log by where they go. */
export function networkCalls(trace: string): NetworkCalls {
  const calls: NetworkCalls = { outbound: [], loopback: [], inet: [] };
  for (const line of trace.split("\n")) {
    const socket = /\bsocket(pair)?\(AF_INET6?\b/.test(line);
    const addressed = /sa_family=AF_INET6?\b/.test(line);
    if (!socket && !addressed) continue;
    calls.inet.push(line.slice(0, 300));
    if (!addressed || !/\b(connect|sendto|sendmsg|sendmmsg|bind)\(/.test(line)) continue;
    const address =
      /sin_addr=inet_addr\("([^"]+)"\)/.exec(line)?.[1] ?? /inet_pton\(AF_INET6,\s*"([^"]+)"/.exec(line)?.[1] ?? "";
    const loopback = /^127\./.test(address) || address === "::1" || /^::ffff:127\./.test(address);
    (loopback ? calls.loopback : calls.outbound).push(line.slice(0, 300));
  }
  return calls;
}

/** Waits until `path` stops growing (the traced processes have exited). */
async function settled(path: string): Promise<void> {
  let last = -1;
  for (let i = 0; i < 40; i++) {
    const size = existsSync(path) ? statSync(path).size : 0;
    if (size === last && size > 0) return;
    last = size;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("the strace log reader", () => {
  // A connect to a public address is outbound; loopback is told apart.
  it("tells outbound calls from loopback ones", () => {
    const calls = networkCalls(
      [
        '101 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("93.184.216.34")}, 16) = -1 ENETUNREACH',
        '101 connect(4, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2606:2800::1", &sin6_addr), sin6_scope_id=0}, 28) = -1',
        '102 sendmsg(5, {msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("8.8.8.8")}, msg_namelen=16}, 0) = 40',
        '103 connect(6, {sa_family=AF_INET, sin_port=htons(4445), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '104 connect(7, {sa_family=AF_UNIX, sun_path="/run/user/0/bus"}, 110) = 0',
        "105 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 8",
        "106 recvmsg(5, {msg_name={sa_family=AF_NETLINK, nl_pid=0}, msg_iov=[{iov_base=[{rtm_family=AF_INET}, inet_addr(\"192.0.2.1\")]}]}, 0) = 1224",
      ].join("\n"),
    );
    expect(calls.outbound).toHaveLength(3);
    expect(calls.loopback).toHaveLength(1);
    expect(calls.inet, "netlink is not IPv4").toHaveLength(5);
  });

  // strace, as run here, does log a real IPv4 connect (to loopback, so nothing leaves the machine).
  it.skipIf(skipReason !== null)("reads what strace logs for a real connect", () => {
    const log = join(dir, "probe.strace");
    spawnSync("strace", [...STRACE, log, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9 2>/dev/null; true"]);
    const calls = networkCalls(readFileSync(log, "utf8"));
    expect(calls.loopback.length, readFileSync(log, "utf8")).toBeGreaterThan(0);
    expect(calls.outbound).toEqual([]);
  });
});

describe("the desktop app", () => {
  // Started on its own until its first screen takes input: no IPv4/IPv6 socket at all.
  it.skipIf(skipReason !== null)("opens no IPv4 or IPv6 socket while it starts", async () => {
    const log = join(dir, "start.strace");
    const traced = spawn("strace", [...STRACE, log, appBinary()], {
      env: { ...process.env, BUYERLENS_DB: join(dir, "start.sqlite"), BUYERLENS_STARTUP_LOG: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    traced.stderr.on("data", (chunk) => (stderr += String(chunk)));
    const started = Date.now();
    while (!stderr.includes("interactive at") && Date.now() - started < 60_000 && traced.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(stderr, "the app said its window takes input").toContain("interactive at");
    // a moment of idling on the first screen
    await new Promise((r) => setTimeout(r, 3000));
    // Stop the app (strace's child), then strace ends with it.
    const app = spawnSync("pgrep", ["-P", String(traced.pid)], { encoding: "utf8" }).stdout.trim().split("\n")[0];
    if (app) process.kill(Number(app), "SIGTERM");
    else traced.kill("SIGTERM");
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        traced.kill("SIGKILL");
        resolve();
      }, 15_000);
      traced.on("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const trace = readFileSync(log, "utf8");
    const calls = networkCalls(trace);
    console.log(`no-network (start): ${trace.split("\n").length} network calls traced, ${calls.inet.length} IPv4/IPv6`);
    expect(calls.inet, "an IPv4/IPv6 socket call while starting").toEqual([]);
  });

  // Through WebDriver: paste a chat, list history, import a file, export
  // CSV and xlsx, save a template and the lexicon; nothing but loopback.
  it.skipIf(skipReason !== null)("connects to nothing but loopback while it classifies, lists, imports, exports and saves", async () => {
    const log = join(dir, "work.strace");
    const wrapper = join(dir, "app-under-strace.sh");
    writeFileSync(
      wrapper,
      `#!/bin/sh\nBUYERLENS_DB='${join(dir, "work.sqlite")}' exec strace ${STRACE.join(" ")} '${log}' '${appBinary()}' "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    await startApp(wrapper);
    try {
      await analyze("买家：这件羊毛衫有货吗？能包邮吗\n客服：有货的亲，包邮");
      await showScreen("history");
      await browser.waitUntil(async () => (await browser.$$("#screen-history .hrow:not(.pending)").length) > 0, {
        timeoutMsg: "the pasted chat is not listed",
      });
      // What a native dialog would hand over, called as the screens call it.
      const chats = join(dir, "chats.jsonl");
      let lines = "";
      for (let i = 0; i < 20; i++) {
        lines += JSON.stringify({ id: i, text: `买家：第${i}位 有货吗 包邮吗\n客服：有的亲` }) + "\n";
      }
      writeFileSync(chats, lines);
      expect(await invoke("import_paths", { paths: [chats] })).toMatchObject({ conversationsAdded: 20 });
      for (const format of ["csv", "xlsx"]) {
        const path = join(dir, `report.${format}`);
        expect(await invoke("export_history", { filter: {}, path, format })).toBe(21);
      }
      const template = { id: null, title: "网络", body: "亲，在的", group: "", tags: ["bargain"], shortcut: null, enabled: true };
      expect(typeof (await invoke("save_template", { template }))).toBe("number");
      const lexicon = await invoke<string>("get_lexicon", {});
      expect(typeof (await invoke("save_lexicon", { source: lexicon }))).toBe("string");
    } finally {
      await browser.deleteSession();
    }
    await settled(log);
    const calls = networkCalls(readFileSync(log, "utf8"));
    console.log(
      `no-network (work, through WebDriver: paste, history, import, export, template, lexicon): ${calls.inet.length} IPv4/IPv6 calls, ${calls.loopback.length} to loopback (WebDriver's automation channel), ${calls.outbound.length} elsewhere`,
    );
    for (const line of calls.loopback.slice(0, 5)) console.log(`  loopback: ${line}`);
    expect(calls.outbound, "a connect, send or bind beyond loopback").toEqual([]);
  });
});
