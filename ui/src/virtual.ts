// A virtually scrolled list over a server-side paged source: only the rows
// in view are in the DOM, and pages are fetched as they scroll into view, so
// 100,000+ rows stay smooth.

export interface PagedSource<T> {
  /** A page, and whether rows follow it (the store gives no filtered count).
   * `previous` is the row just before `offset` when it is loaded, so the
   * source can page from it instead of skipping `offset` rows. */
  fetch(offset: number, limit: number, previous: T | undefined): Promise<{ rows: T[]; more: boolean }>;
}

export interface VirtualListOptions<T> {
  rowHeight: number;
  pageSize: number;
  source: PagedSource<T>;
  renderRow(row: T, index: number): HTMLElement;
  renderPending(index: number): HTMLElement;
  /** Rows known so far, and whether that is all of them. */
  onTotal?(known: number, complete: boolean): void;
}

export class VirtualList<T> {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly pages = new Map<number, T[]>();
  private readonly loading = new Set<number>();
  private total = 0;
  /** Rows known to exist. */
  private known = 0;
  /** The exact row count, once the last page has been seen. */
  private end: number | null = null;
  private generation = 0;
  private frame = 0;

  constructor(private readonly options: VirtualListOptions<T>) {
    this.element = document.createElement("div");
    this.element.className = "vlist";
    this.element.tabIndex = 0;
    this.spacer = document.createElement("div");
    this.spacer.className = "vlist-spacer";
    this.element.appendChild(this.spacer);
    this.element.addEventListener("scroll", () => this.schedule());
  }

  /** Drops cached pages (new filter) and loads from the top. */
  async reset(): Promise<void> {
    this.generation++;
    this.pages.clear();
    this.loading.clear();
    this.known = 0;
    this.end = null;
    this.total = 0;
    this.element.scrollTop = 0;
    await this.load(0);
  }

  rowAt(index: number): T | undefined {
    const page = this.pages.get(Math.floor(index / this.options.pageSize));
    return page?.[index % this.options.pageSize];
  }

  private schedule(): void {
    if (this.frame) return;
    const raf = globalThis.requestAnimationFrame ?? ((fn: FrameRequestCallback) => setTimeout(() => fn(0), 16));
    this.frame = raf(() => {
      this.frame = 0;
      this.paint();
    }) as unknown as number;
  }

  private async load(page: number): Promise<void> {
    if (this.pages.has(page) || this.loading.has(page)) return;
    const generation = this.generation;
    this.loading.add(page);
    try {
      const offset = page * this.options.pageSize;
      const previous = offset > 0 ? this.rowAt(offset - 1) : undefined;
      const { rows, more } = await this.options.source.fetch(offset, this.options.pageSize, previous);
      if (generation !== this.generation) return;
      this.pages.set(page, rows);
      this.known = Math.max(this.known, offset + rows.length);
      if (!more) this.end = offset + rows.length;
      // Until the end is seen, one more page of room lets the scroll reach it.
      this.total = this.end ?? this.known + this.options.pageSize;
      this.options.onTotal?.(this.end ?? this.known, this.end !== null);
    } finally {
      this.loading.delete(page);
    }
    this.paint();
  }

  /** Which rows are in view (visible for tests). */
  visibleRange(): [number, number] {
    const { rowHeight } = this.options;
    const height = this.element.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.element.scrollTop / rowHeight) - 5);
    const last = Math.min(this.total, Math.ceil((this.element.scrollTop + height) / rowHeight) + 5);
    return [first, last];
  }

  paint(): void {
    const { rowHeight, pageSize } = this.options;
    this.spacer.style.height = `${this.total * rowHeight}px`;
    const [first, last] = this.visibleRange();
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const row = this.rowAt(i);
      if (row === undefined) void this.load(Math.floor(i / pageSize));
      const el = row === undefined ? this.options.renderPending(i) : this.options.renderRow(row, i);
      el.style.position = "absolute";
      el.style.top = `${i * rowHeight}px`;
      el.style.height = `${rowHeight}px`;
      el.style.left = "0";
      el.style.right = "0";
      rows.push(el);
    }
    this.spacer.replaceChildren(...rows);
  }
}
