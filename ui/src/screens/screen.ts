/** One top-level screen of the app. */
export interface Screen {
  id: string;
  title: string;
  root: HTMLElement;
  /** Called each time the screen is shown. */
  onShow?: () => void;
  /** Keys pressed while the screen is shown (after the global shortcuts). */
  onKey?: (ev: KeyboardEvent) => void;
  /** Files dropped on the window: the first screen with this handler gets them. */
  onDrop?: (paths: string[]) => void;
}
