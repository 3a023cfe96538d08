/** esbuild bundles .css files as text (loader: text in scripts/build.mjs); the renderer injects them. */
declare module '*.css' {
  const text: string;
  export default text;
}
