// Chart builders (data -> Vega-Lite v6 spec), theming and headless SVG rendering.
export { pruningCurve, pruningCurveRows, type PruningCurveInput, type PruningCurveRow } from './pruningCurve';
export { windowSweep, windowSweepRows, type WindowSweepInput, type WindowSweepRow } from './windowSweep';
export { scoreHistogram, histogramChart, histogram, histogramRows, type ScoreHistogramInput, type Histogram, type HistogramRow } from './scoreHistogram';
export { scatter, scatterSample, type ScatterInput, type ScatterRow, type ScatterSample } from './scatter';
export { curves, curveRows, type CurvesInput, type CurveRow } from './curves';
export { heatmap, heatmapCells, type HeatmapInput, type HeatmapCell } from './heatmap';
export { chartConfig, withTheme, THEME_KINDS, type ThemeKind } from './theme';
export { renderSvg, compileSpec, loadVega, type CompiledSpec } from './render';
export { trainingCurves, trainingCurveRows, type TrainingCurvesInput, type TrainingEpoch } from './trainingCurves';
export { confusionMatrixChart, confusionCells, type ConfusionMatrixInput } from './confusionMatrix';
export { tickFormat, axisFormat, tickStep, type TickFormatOptions } from './tickFormat';
export { referenceLabel, type ReferenceLabelPlace } from './referenceLabel';
