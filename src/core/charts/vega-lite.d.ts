declare module 'vega-lite' {
  export * from 'vega-lite/build/index';
}
