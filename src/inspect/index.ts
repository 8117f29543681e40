// Public API of src/inspect: decode packed items, rebuild images, HTML dataset reports.
export { decodePack, ROLE_NAMES, type InspectTokenizer, type DecodedPack, type PackDocument, type PackImage, type PackSpan } from './decode-pack.js';
export { openSoloDataset, inspectItem, isDatasetPrefix, readPackStatsLines, readDatasetStats, type DatasetFiles, type InspectedItem, type InspectedImage, type PackStatsLine } from './dataset.js';
export { writeDatasetReport, type DatasetReportOptions, type DatasetReportSummary } from './report.js';
export { histogramSvg, lineChartSvg } from './charts.js';
export { loadInspectTokenizer } from './tokenizer.js';
export { inspectPath, type InspectOptions, type InspectResult } from './inspect.js';
