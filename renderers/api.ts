/**
 * The parts of VS Code's notebook renderer API (the `vscode-notebook-renderer` types) this renderer uses, declared
 * here to avoid a dependency for a few lines. See https://code.visualstudio.com/api/extension-guides/notebook#notebook-renderer
 */
export interface OutputItem {
  readonly id: string;
  readonly mime: string;
  json(): unknown;
  text(): string;
  data(): Uint8Array;
}

export interface Disposable {
  dispose(): void;
}

export interface RendererContext<TState = unknown> {
  /** Present only when the extension side can receive messages (requiresMessaging "optional" and it is running). */
  postMessage?(message: unknown): void;
  onDidReceiveMessage?(listener: (message: unknown) => void): Disposable;
  setState(value: TState): void;
  getState(): TState | undefined;
  readonly workspace: { readonly isTrusted: boolean };
}

export interface RendererApi {
  renderOutputItem(outputItem: OutputItem, element: HTMLElement, signal: AbortSignal): void | Promise<void>;
  disposeOutputItem?(id?: string): void;
}

export type ActivationFunction = (context: RendererContext) => RendererApi;
